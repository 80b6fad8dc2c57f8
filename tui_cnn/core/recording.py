"""How a training session writes its run folder: config, status, metrics, checkpoints,
filters. A :class:`Recorder` is composed into the Session; with no folder (``runs_dir=""``,
for tests and benchmarks) every method does nothing."""

from __future__ import annotations

import contextlib
import io
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tui_cnn.core import devices
from tui_cnn.core.atomic import atomic_write_bytes
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.datasets import ArrayData, normalisation
from tui_cnn.core.events import EpochMetrics, RunSummary, StepMetrics
from tui_cnn.core.inside.epochs import save_epoch_checkpoint
from tui_cnn.core.layers import LayerTable
from tui_cnn.core.runlock import check_resume
from tui_cnn.core.runs import read_config, resolve_runs_dir
from tui_cnn.core.runwriter import RunWriter, new_run_id
from tui_cnn.core.tboard import EventLog, state_weights


def config_record(cfg: TrainConfig, run_id: str, table: LayerTable, arrays: ArrayData,
                  device: torch.device, precision: str) -> dict[str, Any]:
    """What config.json holds: the resolved TrainConfig plus what the run found, with the
    training images' per-channel mean and std (so a face can classify without the data)."""
    info = arrays.info
    mean, std = normalisation(arrays)
    return {**cfg.to_dict(), "run_id": run_id, "created": time.time(),
            "params": table.params, "macs": table.macs, "device_resolved": str(device),
            "device_name": devices.device_name(device), "threads": cfg.threads,
            "precision_resolved": precision, "train_size_actual": len(arrays.y_train),
            "test_size_actual": len(arrays.y_test), "input_shape": list(info.shape),
            "classes": list(info.classes),
            "normalisation": {"mean": list(mean), "std": list(std)}}


class Recorder:
    """Writes one run's folder (``writer`` is None when the run is not saved)."""

    def __init__(self, writer: RunWriter | None) -> None:
        self.writer = writer
        self._events: EventLog | None = None
        self._events_failed = False

    # TensorBoard event files (core/tboard.py); a failure there never fails the run ------

    def _log(self) -> EventLog | None:
        if self.writer is None or self._events_failed:
            return None
        if self._events is None:
            try:
                self._events = EventLog(self.writer.path)
            except (OSError, ImportError):
                self._events_failed = True
        return self._events

    def log_step(self, metrics: StepMetrics) -> None:
        log = self._log()
        if log is not None:
            log.step(metrics)

    def log_epoch(self, metrics: EpochMetrics, model: nn.Module, filters: np.ndarray) -> None:
        log = self._log()
        if log is not None:
            log.epoch(metrics, state_weights(model.state_dict()), filters)

    def log_end(self, config: dict[str, Any], summary: RunSummary, status: str) -> None:
        log = self._log()
        if log is not None:
            with contextlib.suppress(OSError):
                log.end(config, summary, status)
            self._events = None

    @classmethod
    def for_new_run(cls, cfg: TrainConfig, run_id: str | None = None) -> Recorder:
        if cfg.runs_dir == "":  # explicit opt-out (tests, benchmarks)
            return cls(None)
        run_id = run_id or new_run_id(cfg.arch.name, cfg.dataset)
        return cls(RunWriter(resolve_runs_dir(cfg.runs_dir), run_id))

    @classmethod
    def reopen(cls, run_dir: Path, cfg: TrainConfig | None = None) -> Recorder:
        """A saved run's folder, locked to carry it on as ``cfg`` asks; RunBusyError if
        another process trains it, ConfigError if ``cfg`` changes what the run is (its
        architecture, dataset or optimiser). Nothing is written before these checks."""
        writer = RunWriter.reopen(run_dir)
        if cfg is not None:
            try:
                check_resume(read_config(run_dir), cfg, run_dir.name)
            except BaseException:
                writer.close()
                raise
        return cls(writer)

    def close(self) -> None:
        """The run is over: its folder's lock is dropped."""
        if self.writer is not None:
            self.writer.close()

    @property
    def run_id(self) -> str:
        return self.writer.run_id if self.writer else "unsaved"

    @property
    def run_dir(self) -> str | None:
        return str(self.writer.path) if self.writer else None

    def write_config(self, record: dict[str, Any]) -> None:
        if self.writer is not None:
            self.writer.write_json("config.json", record)

    def append(self, name: str, row: dict[str, Any]) -> None:
        """One line of a metrics file (steps.jsonl, epochs.jsonl)."""
        if self.writer is not None:
            self.writer.append(name, row)

    def write_status(self, status: str, reason: str, summary: RunSummary) -> None:
        if self.writer is None:
            return
        self.writer.write_json("status.json", {
            "status": status, "reason": reason, "pid": os.getpid(), "updated": time.time(),
            **vars(summary)})

    def save_checkpoint(self, model: nn.Module, optimizer: torch.optim.Optimizer,
                        counters: dict[str, Any], keep: str = "last") -> None:
        """model.pt (a plain state_dict), resume.pt (optimiser state and ``counters``) and
        checkpoints/epoch-E.pt, of which ``keep`` (all, last, N) says how many stay."""
        if self.writer is None:
            return
        save_epoch_checkpoint(self.writer.path, int(counters["epoch"]), model, keep)
        weights = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
        state = {"optimizer": optimizer.state_dict(), **counters}
        for name, obj in (("model.pt", weights), ("resume.pt", state)):
            buffer = io.BytesIO()
            torch.save(obj, buffer)
            atomic_write_bytes(self.writer.path / name, buffer.getvalue())

    def save_filters(self, epoch: int, weights: np.ndarray) -> None:
        """Layer-1 weights after each epoch (filters/epoch-E.npy), to watch filters form."""
        if self.writer is None:
            return
        folder = self.writer.path / "filters"
        folder.mkdir(exist_ok=True)
        buffer = io.BytesIO()
        np.save(buffer, weights)
        atomic_write_bytes(folder / f"epoch-{epoch}.npy", buffer.getvalue())
