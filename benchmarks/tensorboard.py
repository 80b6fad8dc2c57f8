"""What TensorBoard event files cost the trainer: the same run with and without them,
alternated, training seconds compared (the run's own train_seconds, evaluation excluded).

    python -m benchmarks.tensorboard [--repeats 4] [--train-size 6000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from benchmarks.machine import info
from tui_cnn.core import recording
from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.events import RunEnded
from tui_cnn.core.train import run


def train_seconds(root: Path, with_events: bool, train_size: int) -> float:
    original = recording.Recorder._log
    if not with_events:
        recording.Recorder._log = lambda self: None  # type: ignore[method-assign]
    try:
        cfg = TrainConfig(arch=PRESETS["cnn"], dataset="synth-digits", epochs=2,
                          train_size=train_size, test_size=1000, threads=1, device="cpu",
                          runs_dir=str(root))
        ended = [e for e in run(cfg) if isinstance(e, RunEnded)][0]
        return ended.train_seconds
    finally:
        recording.Recorder._log = original  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--train-size", type=int, default=6000)
    args = parser.parse_args()
    on, off = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):  # alternated, so drifts in load hit both
            off.append(train_seconds(Path(tmp), False, args.train_size))
            on.append(train_seconds(Path(tmp), True, args.train_size))
    ratio = statistics.median(on) / statistics.median(off)
    print(f"machine: {info()}")
    print(f"train seconds without event files: {[round(v, 2) for v in off]}")
    print(f"train seconds with event files:    {[round(v, 2) for v in on]}")
    print(f"with / without (medians): x{ratio:.3f} ({100 * (ratio - 1):+.1f}%)")


if __name__ == "__main__":
    main()
