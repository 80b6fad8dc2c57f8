"""A stand-in for core.train.run: the same events in the same order, no torch, fast."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.events import (
    DataProgress,
    EpochMetrics,
    Event,
    FilterSnapshot,
    RunEnded,
    RunStarted,
    StepMetrics,
)

FIXED_DEVICES = [("cpu", "cpu (test CPU, 2 cores)"), ("cuda:0", "cuda:0 (Test GPU)")]


@dataclass
class FakeRunner:
    """Call it like ``run(cfg, stop, pause, steering)``. Steps take ``step_s``; the run
    folder gets a ``run.json`` with the final status, as the real run store would."""

    steps_per_epoch: int = 40
    step_s: float = 0.002
    data_s: float = 0.0  # how long "preparing data" takes; stop then ends it quietly
    calls: int = 0

    def __call__(self, cfg: TrainConfig, stop: threading.Event | None = None,
                 pause: threading.Event | None = None,
                 steering: object = None) -> Iterator[Event]:
        self.calls += 1
        if cfg.device not in ("auto", "cpu"):
            raise ConfigError(f"device {cfg.device!r} is not available: no CUDA GPU")
        if not dataset_info(cfg.dataset).builtin and not cfg.download:
            raise ConfigError(f"{cfg.dataset} is not downloaded and downloading is off")
        return self._run(cfg, stop or threading.Event(), pause or threading.Event())

    def _run(self, cfg: TrainConfig, stop: threading.Event,
             pause: threading.Event) -> Iterator[Event]:
        yield DataProgress("generate", "generating the fake set", 0, 1)
        deadline = time.monotonic() + self.data_s
        while time.monotonic() < deadline:
            if stop.is_set():
                return  # like core.train.run: stopped while loading, nothing saved
            time.sleep(0.01)
        run_dir = Path(cfg.runs_dir or ".") / f"fake-{cfg.arch.name}-{self.calls}"
        run_dir.mkdir(parents=True)
        total = self.steps_per_epoch * cfg.epochs
        yield RunStarted(run_dir.name, str(run_dir), cfg, 1234, 5678, "cpu",
                         "Fake CPU", cfg.threads or 1, cfg.dataset, 1000, 500,
                         dataset_info(cfg.dataset).shape, dataset_info(cfg.dataset).classes,
                         self.steps_per_epoch, total)
        step = 0
        for epoch in range(1, cfg.epochs + 1):
            for epoch_step in range(1, self.steps_per_epoch + 1):
                while pause.is_set() and not stop.is_set():
                    time.sleep(0.005)
                if stop.is_set():
                    yield self._end(run_dir, "stopped", epoch - 1, step)
                    return
                time.sleep(self.step_s)
                step += 1
                if step % cfg.log_every == 0:
                    loss = 2.3 * math.exp(-step / 30)
                    yield StepMetrics(epoch, step, total, epoch_step, self.steps_per_epoch,
                                      loss, 1 - loss / 2.5, cfg.lr, 5000.0, step * 0.01, 1.0)
            yield EpochMetrics(epoch, cfg.epochs, step, 0.5, 0.8 + epoch / 100, 0.4,
                               0.85 + epoch / 100, 1.0, 0.1, 5000.0, epoch * 1.0)
            yield FilterSnapshot(epoch, step, "conv1", np.zeros((8, 1, 3, 3)), epoch_end=True)
        yield self._end(run_dir, "finished", cfg.epochs, step)

    @staticmethod
    def _end(run_dir: Path, status: str, epochs: int, steps: int) -> RunEnded:
        (run_dir / "run.json").write_text(json.dumps({"status": status}))
        acc = 0.85 + epochs / 100 if epochs else None
        return RunEnded(status, "", run_dir.name, str(run_dir), epochs, steps, acc, acc,
                        1.0, 5000.0, 1234)
