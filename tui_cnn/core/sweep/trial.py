"""One trial, run where a worker runs it: ``core.train.run`` with progress as plain dicts.

Shared by the local worker processes and the Ray tasks. Whatever happens, the trial ends
with one result dict (status, reason, run id, summary); nothing raises out of it except a
KeyboardInterrupt or SystemExit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from tui_cnn.core.config import TrainConfig

Emit = Callable[[str, dict[str, Any]], None]


def run_trial(cfg: TrainConfig, stop: threading.Event, emit: Emit,
              throttle_s: float = 0.5) -> dict[str, Any]:
    """Train ``cfg``; emit "started", "step" (at most every ``throttle_s``) and "epoch"."""
    from tui_cnn.core.events import EpochMetrics, RunEnded, RunStarted, StepMetrics
    from tui_cnn.core.train import run

    ended: RunEnded | None = None
    started: RunStarted | None = None
    last = 0.0
    try:
        for event in run(cfg, stop):
            if isinstance(event, RunStarted):
                started = event
                emit("started", {"run_id": event.run_id, "total_steps": event.total_steps,
                                 "device": event.device})
            elif isinstance(event, StepMetrics):
                now = time.monotonic()
                if now - last >= throttle_s:
                    last = now
                    emit("step", {"step": event.step, "total_steps": event.total_steps,
                                  "eta_s": event.eta_s, "loss": event.loss})
            elif isinstance(event, EpochMetrics):
                emit("epoch", {"epoch": event.epoch, "epochs": event.epochs,
                               "test_acc": event.test_acc, "step": event.step})
            elif isinstance(event, RunEnded):
                ended = event
    except Exception as exc:  # before RunStarted: bad data, unwritable runs dir, ...
        return {"status": "failed", "reason": f"{type(exc).__name__}: {exc}",
                "run_id": started.run_id if started else None, "run_dir": None}
    if ended is None:  # stopped while the data was loading
        return {"status": "interrupted", "reason": "stopped before training started",
                "run_id": None, "run_dir": None}
    return {"status": ended.status, "reason": ended.reason, "run_id": ended.run_id,
            "run_dir": ended.run_dir, "final_test_acc": ended.final_test_acc,
            "best_test_acc": ended.best_test_acc, "train_seconds": ended.train_seconds,
            "images_per_s": ended.images_per_s, "epochs_done": ended.epochs_done,
            "params": ended.params}


def threads_per_worker(workers: int, cores: int) -> int:
    """Torch threads for each of ``workers`` so that together they never oversubscribe."""
    return max(1, cores // max(1, workers))
