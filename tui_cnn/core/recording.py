"""How a training session writes its run folder: config, status, checkpoints, filters."""

from __future__ import annotations

import io
import os
import time
from typing import Any

import numpy as np
import torch
from torch import nn

from tui_cnn.core import devices
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.datasets import ArrayData
from tui_cnn.core.events import FilterSnapshot
from tui_cnn.core.layers import LayerTable
from tui_cnn.core.runs import RunWriter, atomic_write_bytes, new_run_id, resolve_runs_dir


class Recording:
    """Mixed into Session: everything that touches the run folder."""

    cfg: TrainConfig
    arrays: ArrayData
    device: torch.device
    model: nn.Module
    table: LayerTable
    optimizer: torch.optim.Optimizer
    writer: RunWriter | None
    threads: int
    bf16: bool
    epochs_done: int
    global_step: int
    test_accs: list[float]
    train_seconds: float
    train_images: int

    def images_per_s(self) -> float:
        raise NotImplementedError

    def filter_snapshot(self, epoch_end: bool) -> FilterSnapshot:
        raise NotImplementedError

    def open_store(self) -> None:
        if self.cfg.runs_dir == "":  # explicit opt-out (tests, benchmarks)
            return
        run_id = new_run_id(self.cfg.arch.name, self.cfg.dataset)
        self.writer = RunWriter(resolve_runs_dir(self.cfg.runs_dir), run_id)
        self.writer.write_json("config.json", self.config_record())
        self.write_status("running")

    def config_record(self) -> dict[str, Any]:
        return {**self.cfg.to_dict(), "run_id": self.run_id, "created": time.time(),
                "params": self.table.params, "macs": self.table.macs,
                "device_resolved": str(self.device),
                "device_name": devices.device_name(self.device), "threads": self.threads,
                "precision_resolved": "bf16" if self.bf16 else "fp32",
                "train_size_actual": len(self.arrays.y_train),
                "test_size_actual": len(self.arrays.y_test),
                "input_shape": list(self.arrays.info.shape),
                "classes": list(self.arrays.info.classes)}

    @property
    def run_id(self) -> str:
        return self.writer.run_id if self.writer else "unsaved"

    @property
    def run_dir(self) -> str | None:
        return str(self.writer.path) if self.writer else None

    def write_status(self, status: str, reason: str = "") -> None:
        if self.writer is None:
            return
        self.writer.write_json("status.json", {
            "status": status, "reason": reason, "pid": os.getpid(), "updated": time.time(),
            "epochs_done": self.epochs_done, "steps_done": self.global_step,
            "final_test_acc": self.test_accs[-1] if self.test_accs else None,
            "best_test_acc": max(self.test_accs) if self.test_accs else None,
            "train_seconds": self.train_seconds, "images_per_s": self.images_per_s(),
            "params": self.table.params})

    def save_checkpoint(self) -> None:
        if self.writer is None:
            return
        weights = {k: v.detach().to("cpu").contiguous() for k, v in
                   self.model.state_dict().items()}
        state = {"optimizer": self.optimizer.state_dict(), "epoch": self.epochs_done,
                 "global_step": self.global_step, "test_accs": self.test_accs,
                 "train_seconds": self.train_seconds, "train_images": self.train_images}
        for name, obj in (("model.pt", weights), ("resume.pt", state)):
            buffer = io.BytesIO()
            torch.save(obj, buffer)
            atomic_write_bytes(self.writer.path / name, buffer.getvalue())

    def save_filters(self, epoch: int) -> None:
        """Layer-1 weights after each epoch (filters/epoch-E.npy), to watch filters form."""
        if self.writer is None:
            return
        folder = self.writer.path / "filters"
        folder.mkdir(exist_ok=True)
        buffer = io.BytesIO()
        np.save(buffer, self.filter_snapshot(epoch_end=True).weights)
        atomic_write_bytes(folder / f"epoch-{epoch}.npy", buffer.getvalue())
