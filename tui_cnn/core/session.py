"""The state of one training run: model, optimiser, device data, counters, run folder.

``train.run`` drives it; this module does the work of each step, report and epoch end.
Metrics are summed on the device and read back only when reported (one sync per report);
the run's seconds and image counts are its RunTally (core.run_tally).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from tui_cnn.core import device_data, devices
from tui_cnn.core.batch_split import BatchSplitter, default_threads, share_count
from tui_cnn.core.checkpoint import first_layer_weights, load_problem
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.datasets import ArrayData
from tui_cnn.core.events import (
    EpochMetrics,
    FilterSnapshot,
    RunEnded,
    RunStarted,
    RunSummary,
)
from tui_cnn.core.inside.layer_stats import LayerStats
from tui_cnn.core.layers import LayerTable
from tui_cnn.core.models import first_layer_name, pool_then_relu
from tui_cnn.core.optim import (
    Evaluation,
    evaluate,
    lr_factor,
    make_optimizer,
    precision_note,
    use_bf16,
)
from tui_cnn.core.perf import tune_allocator
from tui_cnn.core.recording import Recorder, config_record
from tui_cnn.core.resume import Restored, check_same_data, read_checkpoint, reopen_folder
from tui_cnn.core.run_tally import RunTally
from tui_cnn.core.runs import RunStoreError
from tui_cnn.core.session_reports import ReportsPart
from tui_cnn.core.session_setup import check_batch_size, enable_cuda_fast_paths, model_on_device
from tui_cnn.core.train_step import MetricWindow, augment


@dataclass
class Session(ReportsPart):
    cfg: TrainConfig  # as resolved: threads filled in
    arrays: ArrayData
    data: device_data.DeviceData
    device: torch.device
    model: nn.Module
    table: LayerTable
    optimizer: torch.optim.Optimizer
    recorder: Recorder
    threads: int
    channels_last: bool
    bf16: bool = False
    start_epoch: int = 1
    global_step: int = 0
    epochs_done: int = 0
    test_accs: list[float] = field(default_factory=list)
    ended: tuple[str, str] | None = None
    report_count: int = 0
    current_epoch: int = 0
    step_in_epoch: int = 0
    tally: RunTally = field(default_factory=RunTally)  # seconds, images, epoch metrics
    _window: MetricWindow | None = None
    _aug_generator: torch.Generator = field(default_factory=torch.Generator)
    layer_stats: LayerStats | None = None  # made at the first report
    base_lr: float = 0.0  # lr = base_lr x the schedule's factor: cfg.lr until steered
    _forward: Callable[[torch.Tensor], torch.Tensor] | None = None  # models.pool_then_relu
    threads_note: str = ""  # why the run took fewer threads than the free cores
    splitter: BatchSplitter = field(default_factory=lambda: BatchSplitter(1, 1))

    @classmethod
    def create(cls, cfg: TrainConfig, arrays: ArrayData, device: torch.device | None = None,
               run_id: str | None = None) -> Session:
        """``device``: ``cfg.device`` as the caller already resolved it (else resolved here)."""
        tune_allocator()
        device = device or devices.resolve(cfg.device)
        check_batch_size(cfg.batch_size, len(arrays.y_train))
        enable_cuda_fast_paths(device)
        torch.manual_seed(cfg.seed)
        model, table, channels_last = model_on_device(cfg, arrays.info, device)
        threads, note = cfg.threads or 0, ""
        if not threads:  # measuring the free cores takes 0.1 s: only when none was asked for
            free = devices.default_threads(reserve_for_ui=False)
            threads = default_threads(free, table.macs * cfg.batch_size)
            note = "a step this small trains fastest on one" if threads < free else ""
        elif device.type == "cpu" and threads > (cores := os.cpu_count() or 1):
            note = (f"more than this machine's {cores} cores, so the threads take turns: "
                    "expect it far slower than one per core")
        cfg = cfg.replace(threads=threads)
        torch.set_num_threads(threads)
        optimizer = make_optimizer(cfg, model)
        data = device_data.to_device(arrays, device)
        session = cls(cfg, arrays, data, device, model, table, optimizer, Recorder(None),
                      threads, channels_last, use_bf16(cfg.precision, device),
                      base_lr=cfg.lr, splitter=BatchSplitter(share_count(
                          cfg.batch_split, device, model, threads, cfg.batch_size), threads),
                      threads_note=note)
        session._open_run_folder(run_id)
        return session

    def _open_run_folder(self, run_id: str | None) -> None:
        """A new run's folder (config.json and status written), or the resumed run's,
        locked and carried on from its checkpoint."""
        if not self.cfg.resume_from:
            self.recorder = Recorder.for_new_run(self.cfg, run_id)
            self.recorder.write_config(self.config_record())
            self.write_status("running")
            return
        run_dir = Path(self.cfg.resume_from)
        self.recorder = Recorder.reopen(run_dir, self.cfg)  # locked; refused if in use
        try:
            check_same_data(run_dir, self.arrays.info)
            restored = read_checkpoint(run_dir, self.cfg.epochs)
            self.apply(restored, run_dir.name)
            reopen_folder(run_dir, restored, self.cfg.epochs)
            self.write_status("running", "resumed")
        except BaseException:
            self.recorder.close()
            raise

    def apply(self, restored: Restored, run_name: str) -> None:
        """Carry on from a checkpoint: its weights, optimiser state and counters."""
        try:
            self.model.load_state_dict(restored.weights)
            self.optimizer.load_state_dict(restored.optimizer)
        except (RuntimeError, KeyError, ValueError) as exc:
            raise RunStoreError(f"checkpoint of {run_name} does not fit this architecture: "
                                f"{load_problem(exc)}") from exc
        self.start_epoch = restored.epoch + 1
        self.epochs_done = restored.epoch
        self.global_step = restored.global_step
        self.test_accs = list(restored.test_accs)
        self.tally.resume(restored.train_seconds, restored.train_images)
        self.base_lr = restored.base_lr or self.cfg.lr

    # -- the run folder ------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return self.recorder.run_id

    @property
    def run_dir(self) -> str | None:
        return self.recorder.run_dir

    def config_record(self) -> dict[str, Any]:
        """config.json: the resolved TrainConfig plus what the run found."""
        record = config_record(self.cfg, self.run_id, self.table, self.arrays, self.device,
                               "bf16" if self.bf16 else "fp32")
        return {**record, "batch_shares": self.splitter.shares}

    def summary(self) -> RunSummary:
        """Where the run stands: status.json and RunEnded both say this."""
        return RunSummary(
            epochs_done=self.epochs_done, steps_done=self.global_step,
            final_test_acc=self.test_accs[-1] if self.test_accs else None,
            best_test_acc=max(self.test_accs) if self.test_accs else None,
            train_seconds=self.tally.train_seconds, images_per_s=self.tally.images_per_s(),
            params=self.table.params)

    def write_status(self, status: str, reason: str = "") -> None:
        self.recorder.write_status(status, reason, self.summary())

    def save_filters(self, epoch: int) -> None:
        self.recorder.save_filters(epoch, self.filter_snapshot(epoch_end=True).weights)

    # -- events --------------------------------------------------------------------------
    @property
    def eval_batch(self) -> int:
        return 512 if self.device.type == "cpu" else 4096

    def started_event(self) -> RunStarted:
        info = self.arrays.info
        return RunStarted(
            run_id=self.run_id, run_dir=self.run_dir, config=self.cfg,
            params=self.table.params, macs=self.table.macs, device=str(self.device),
            device_name=devices.device_name(self.device), threads=self.threads,
            dataset=self.cfg.dataset, train_size=len(self.arrays.y_train),
            test_size=len(self.arrays.y_test), input_shape=info.shape, classes=info.classes,
            steps_per_epoch=self.steps_per_epoch, total_steps=self.total_steps,
            start_epoch=self.start_epoch, batch_shares=self.splitter.shares,
            threads_note=self.threads_note,
            precision=precision_note(self.cfg.precision, self.bf16, self.device))

    def filter_snapshot(self, epoch_end: bool) -> FilterSnapshot:
        assert isinstance(self.model, nn.Sequential)
        weight = first_layer_weights(self.model, self.arrays.info.shape)
        return FilterSnapshot(self.epochs_done if epoch_end else self.current_epoch,
                              self.global_step, first_layer_name(self.model), weight,
                              epoch_end)

    # -- the loop ------------------------------------------------------------------------

    def begin_epoch(self, epoch: int) -> None:
        self.current_epoch, self.step_in_epoch = epoch, 0
        self.tally.begin_epoch()
        self._window = MetricWindow.zeros(self.device)

    def batches(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        generator = torch.Generator().manual_seed(self.cfg.seed * 100_003 + epoch)
        self._aug_generator = torch.Generator().manual_seed(self.cfg.seed * 100_003 - epoch)
        return device_data.train_batches(self.data, self.cfg.batch_size, generator)

    def step(self, x_u8: torch.Tensor, labels: torch.Tensor) -> None:
        assert self._window is not None
        for group in self.optimizer.param_groups:
            group["lr"] = self.base_lr * lr_factor(self.global_step, self.total_steps,
                                                  self.cfg.schedule)
        x_u8 = self._augment(x_u8)
        x = device_data.normalise(x_u8, self.data.mean, self.data.std, self.channels_last)
        self.splitter.optimise(self._training_forward(), self.optimizer, x, labels,
                               self._window, bf16=self.bf16,
                               label_smoothing=self.cfg.label_smoothing)
        self.global_step += 1
        self.step_in_epoch += 1

    def _training_forward(self) -> Callable[[torch.Tensor], torch.Tensor]:
        if self._forward is None:
            assert isinstance(self.model, nn.Sequential)
            self._forward = pool_then_relu(self.model)
        return self._forward

    def test_pass(self) -> Evaluation:
        """The test set through the model, on every thread of the run."""
        with self.splitter.all_threads():
            return evaluate(self.model, self.data, self.eval_batch, self.channels_last,
                            self.bf16)

    def _augment(self, x_u8: torch.Tensor) -> torch.Tensor:
        """This epoch's augmentation of a batch (train_step.augment); a method, so a
        benchmark can swap it out on a live Session."""
        return augment(x_u8, self.cfg.augmentation, self._aug_generator)

    def wait_while_paused(self, pause: threading.Event, stop: threading.Event) -> None:
        paused = self.tally.wait_while_paused(pause, stop)
        if self._window is not None:
            self._window.started += paused

    def record_epoch(self, metrics: EpochMetrics) -> None:
        self.epochs_done = metrics.epoch
        self.test_accs.append(metrics.test_acc)
        if self.recorder.writer is not None:
            self.recorder.append("epochs.jsonl", metrics.__dict__)
            self.recorder.save_checkpoint(self.model, self.optimizer, {
                "epoch": self.epochs_done, "global_step": self.global_step,
                "test_accs": self.test_accs, "train_seconds": self.tally.train_seconds,
                "train_images": self.tally.train_images, "base_lr": self.base_lr},
                self.cfg.keep_checkpoints)
            weights = self.filter_snapshot(epoch_end=True).weights
            self.recorder.save_filters(metrics.epoch, weights)
            self.recorder.log_epoch(metrics, self.model, weights)
            self.write_status("running")

    def finish(self) -> RunEnded:
        status, reason = self.ended or ("finished", "all epochs done")
        try:
            self.write_status(status, reason)
            self.recorder.log_end(self.cfg.to_dict(), self.summary(), status)
        except OSError as exc:
            status, reason = "failed", f"{reason}; saving the status failed: {exc}"
        finally:
            self.recorder.close()  # the run's folder lock is dropped
            self.splitter.close()
        return RunEnded(status=status, reason=reason, run_id=self.run_id,
                        run_dir=self.run_dir, **vars(self.summary()))
