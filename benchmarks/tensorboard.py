"""What TensorBoard event files cost the trainer (issue 15: under 1% of training time).

Two measures, the same run (the chapter's CNN, synth-digits, 2 epochs, one thread) with and
without event files, alternated:

- direct cost: the seconds the training thread spends in the event-file calls
  (core.tboard.EventLog), by call: the scalars of each report (made between training
  steps: the fraction of training time the target is about), the histograms and filter
  image at each epoch end (beside that epoch's evaluation), the hyper-parameters once at the
  end; and the CPU seconds of the process's other threads beyond the run without event
  files (tensorboardX writes on its own thread). These hardly depend on the machine's load.
- whole-run ratio: training seconds with / without (train_seconds, evaluation excluded);
  single pairs vary by several percent on a shared machine, so it only bounds the cost.

    python -m benchmarks.tensorboard [--repeats 4] [--train-size 6000] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.machine import info
from tui_cnn.core import recording, tboard
from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.events import RunEnded
from tui_cnn.core.train import run

NAMES = ("__init__", "step", "epoch", "end", "close")


@contextmanager
def timed_event_log(spent: dict[str, float]) -> Iterator[None]:
    """Every EventLog call's wall time on its caller's thread, added up by method."""
    names = NAMES
    originals = {name: getattr(tboard.EventLog, name) for name in names}

    def wrap(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
        return timed

    for name, method in originals.items():
        setattr(tboard.EventLog, name, wrap(name, method))
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(tboard.EventLog, name, method)


def one_run(root: Path, with_events: bool, train_size: int) -> dict[str, float]:
    """Training seconds, seconds in event-file calls, and other threads' CPU seconds."""
    original = recording.Recorder._log
    if not with_events:
        recording.Recorder._log = lambda self: None  # type: ignore[method-assign]
    spent: dict[str, float] = {}
    cfg = TrainConfig(arch=PRESETS["cnn"], dataset="synth-digits", epochs=2,
                      train_size=train_size, test_size=1000, threads=1, device="cpu",
                      runs_dir=str(root))
    result: dict[str, float] = {}

    def train() -> None:  # on a thread of its own, so the process's other threads are known
        mine = time.thread_time()
        ended = [e for e in run(cfg) if isinstance(e, RunEnded)][0]
        result["train_s"] = ended.train_seconds
        result["trainer_cpu_s"] = time.thread_time() - mine

    try:
        with timed_event_log(spent):
            cpu = time.process_time()
            worker = threading.Thread(target=train)
            worker.start()
            worker.join()
            result["other_threads_cpu_s"] = (time.process_time() - cpu
                                             - result["trainer_cpu_s"])
    finally:
        recording.Recorder._log = original  # type: ignore[method-assign]
    result["event_calls_s"] = sum(spent.values())
    result.update({f"in_{name.strip('_')}_s": spent.get(name, 0.0) for name in NAMES})
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--train-size", type=int, default=6000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    on: list[dict[str, float]] = []
    off: list[dict[str, float]] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):  # alternated, so drifts in load hit both
            off.append(one_run(Path(tmp), False, args.train_size))
            on.append(one_run(Path(tmp), True, args.train_size))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    train_s = med(on, "train_s")
    writer_cpu = max(0.0, med(on, "other_threads_cpu_s") - med(off, "other_threads_cpu_s"))
    in_training = med(on, "in_step_s") / train_s  # the calls made between training steps
    per_epoch_s = med(on, "in_epoch_s") / 2  # two epochs; beside each epoch's evaluation
    once_s = sum(med(on, f"in_{n}_s") for n in ("init", "end", "close"))
    ratio = med(on, "train_s") / med(off, "train_s")
    print(f"machine: {info()}")
    print(f"train seconds without event files: {[round(r['train_s'], 2) for r in off]}")
    print(f"train seconds with event files:    {[round(r['train_s'], 2) for r in on]}")
    print("in event-file calls (medians, ms): " + ", ".join(
        f"{name.strip('_')} {1000 * med(on, 'in_' + name.strip('_') + '_s'):.1f}"
        for name in NAMES))
    print(f"during training (the scalars of each report): {100 * in_training:.2f}% of "
          f"training time (target < 1%)")
    print(f"tensorboardX's writer thread: {writer_cpu * 1000:.0f} ms CPU "
          f"({100 * writer_cpu / train_s:.1f}% of a core beside the trainer's)")
    print(f"at each epoch end (histograms, filter image): {per_epoch_s * 1000:.1f} ms; "
          f"once per run (open, hyper-parameters, close): {once_s * 1000:.1f} ms")
    print(f"whole runs, with / without (medians): x{ratio:.3f} ({100 * (ratio - 1):+.1f}%)")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": info(), "load_before": load_before, "load_after": os.getloadavg(),
            "train_size": args.train_size, "with": on, "without": off,
            "during_training_fraction": in_training, "writer_thread_cpu_s": writer_cpu,
            "per_epoch_end_s": per_epoch_s, "once_per_run_s": once_s,
            "whole_run_ratio": ratio}, indent=2) + "\n")


if __name__ == "__main__":
    main()
