"""What a Session reports between steps: step metrics (read back once per report), each
layer's weight and gradient norms, learning-rate changes asked for while it trains.

A part of core.session's Session (its base class): the attributes below are Session's.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.datasets import ArrayData
from tui_cnn.core.events import LayerStatsReport, LrChanged, StepMetrics
from tui_cnn.core.inside.layer_stats import LayerStats, stats_event, stats_record
from tui_cnn.core.recording import Recorder
from tui_cnn.core.run_tally import RunTally
from tui_cnn.core.steer import Steering, lr_change, lr_row
from tui_cnn.core.train_step import MetricWindow


class ReportsPart:
    cfg: TrainConfig
    arrays: ArrayData
    device: torch.device
    model: nn.Module
    optimizer: torch.optim.Optimizer
    recorder: Recorder
    tally: RunTally
    start_epoch: int
    global_step: int
    current_epoch: int
    step_in_epoch: int
    report_count: int
    base_lr: float
    ended: tuple[str, str] | None
    layer_stats: LayerStats | None
    _window: MetricWindow | None

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.arrays.y_train) / self.cfg.batch_size)

    @property
    def total_steps(self) -> int:
        return self.steps_per_epoch * self.cfg.epochs

    def take_lr_change(self, steering: Steering) -> LrChanged | None:
        """A learning rate asked for since the last step: used from the next step on (the
        schedule rescaled to continue from it) and recorded in steps.jsonl."""
        change = lr_change(steering, base_lr=self.base_lr,
                           current_lr=float(self.optimizer.param_groups[0]["lr"]),
                           epoch=self.current_epoch, step=self.global_step,
                           total=self.total_steps, schedule=self.cfg.schedule)
        if change is not None:
            self.base_lr = change.base_lr
            self.recorder.append("steps.jsonl", lr_row(change))
        return change

    def report(self) -> StepMetrics | None:
        """Read the window back; None (and the run ended as diverged) if the loss blew up."""
        assert self._window is not None
        window, self._window = self._window, MetricWindow.zeros(self.device)
        loss, accuracy, rate = self.tally.add_window(window)
        if not math.isfinite(loss):
            self.end("diverged", f"loss became {loss} at step {self.global_step} with "
                     f"learning rate {self.cfg.lr:g}; try a smaller learning rate, "
                     f"e.g. {self.cfg.lr / 10:g}")
            return None
        self.report_count += 1
        metrics = self._step_metrics(loss, accuracy, rate)
        self.recorder.append("steps.jsonl", metrics.__dict__)
        self.recorder.log_step(metrics)
        return metrics

    def _step_metrics(self, loss: float, accuracy: float, rate: float) -> StepMetrics:
        done_this_run = max(1, self.global_step - (self.start_epoch - 1) * self.steps_per_epoch)
        per_step = self.tally.train_seconds_this_run() / done_this_run
        return StepMetrics(
            epoch=self.current_epoch, step=self.global_step, total_steps=self.total_steps,
            epoch_step=self.step_in_epoch, steps_per_epoch=self.steps_per_epoch,
            loss=loss, accuracy=accuracy, lr=float(self.optimizer.param_groups[0]["lr"]),
            images_per_s=rate, elapsed_s=self.tally.elapsed(),
            eta_s=per_step * (self.total_steps - self.global_step))

    def layer_report(self) -> LayerStatsReport:
        """Each layer's weight norm, gradient norm and update/weight ratio now (one host
        sync), also appended to layers.jsonl."""
        if self.layer_stats is None:
            self.layer_stats = LayerStats(self.model)
        stats = self.layer_stats.measure()
        self.recorder.append("layers.jsonl",
                             stats_record(self.global_step, self.current_epoch, stats))
        return stats_event(self.global_step, self.current_epoch, stats)

    def end(self, status: str, reason: str) -> None:
        if self.ended is None:
            self.ended = (status, reason)

