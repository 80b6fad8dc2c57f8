"""Section 2: seconds until the chapter's CNN first reaches a test accuracy (99%).

The core runs with TrainConfig's defaults (3 epochs, batch 32, Adam 4e-3 one-cycle, label
smoothing 0.1, 2-pixel shifts) and evaluates after each epoch, so the time is that of the
first epoch end at or above the target: training plus evaluation since the session started
(data loading excluded). The baseline is the canonical loop (batch 64, Adam 1e-3, no
schedule, test after each epoch) over the same files, timed the same way, for at most as
many epochs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from benchmarks.canonical import Canonical
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.events import EpochMetrics
from tui_cnn.core.train import run

TARGET = 0.99


def core_time_to(root: Path, threads: int, device: str, target: float = TARGET,
                 **changes: Any) -> dict[str, Any]:
    """Default settings on the MNIST-layout files under ``root``: epochs, accuracies, time."""
    cfg = TrainConfig(dataset="mnist", data_dir=str(root), download=False, runs_dir="",
                      threads=threads, device=device, **changes)
    epochs: list[dict[str, float]] = []
    for event in run(cfg):
        if isinstance(event, EpochMetrics):
            epochs.append({"epoch": event.epoch, "test_acc": event.test_acc,
                           "elapsed_s": event.elapsed_s})
    return _summary(epochs, target, cfg.epochs)


def canonical_time_to(root: Path, threads: int, device: str, max_epochs: int,
                      target: float = TARGET) -> dict[str, Any]:
    """The canonical loop, tested after each epoch; stops at the target or ``max_epochs``."""
    torch.set_num_threads(threads)
    loop = Canonical.create(preset("cnn"), "mnist", root, torch.device(device))
    epochs: list[dict[str, float]] = []
    started = time.perf_counter()
    for epoch in range(1, max_epochs + 1):
        loop.train_epoch()
        acc = loop.test_accuracy()
        epochs.append({"epoch": epoch, "test_acc": acc,
                       "elapsed_s": time.perf_counter() - started})
        if acc >= target:
            break
    return _summary(epochs, target, max_epochs)


def _summary(epochs: list[dict[str, float]], target: float, planned: int) -> dict[str, Any]:
    reached = next((e for e in epochs if e["test_acc"] >= target), None)
    return {"target": target, "planned_epochs": planned, "epochs": epochs,
            "seconds": reached["elapsed_s"] if reached else None,
            "epoch_reached": reached["epoch"] if reached else None,
            "best_acc": max((e["test_acc"] for e in epochs), default=0.0)}
