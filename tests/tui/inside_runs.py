"""Small real runs for the Inside view's tests, trained once per test module and renamed
to fixed names (the view shows the folder's name, so snapshots stay the same)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.events import RunEnded


def train(root: Path, name: str, **changes: object) -> Path:
    """Train synth-digits (300 train / 120 test images, 2 epochs, every checkpoint kept)
    with ``changes``; the run folder, renamed to ``root/runs/name``."""
    from tui_cnn.core.train import run

    cfg = TrainConfig(dataset="synth-digits", epochs=2, batch_size=50, log_every=2,
                      threads=1, train_size=300, test_size=120, download=False,
                      runs_dir=str(root / "incoming"), data_dir=str(root / "data"),
                      arch=PRESETS["cnn-small"], keep_checkpoints="all").replace(**changes)
    ended = [e for e in run(cfg) if isinstance(e, RunEnded)][-1]
    assert ended.status == "finished" and ended.run_dir, ended
    target = root / "runs" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(ended.run_dir, target)
    return target
