"""The Training view: progress line and bar, loss chart, accuracy chart."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical

from tui_cnn.core.events import EpochMetrics, Event, LrChanged, RunStarted, StepMetrics
from tui_cnn.core.history import saved_lr_changes, saved_metrics
from tui_cnn.tui.messages import RunListener
from tui_cnn.tui.redraw import Redraw
from tui_cnn.tui.training.accuracy_chart import AccuracyChart
from tui_cnn.tui.training.loss_chart import LossChart
from tui_cnn.tui.training.run_progress import RunProgress

REDRAW_S = 1.0
"""Charts redraw at most this often while data comes: each redraw (two plotext builds,
~10 ms each) holds the GIL the trainer needs."""


class TrainingView(RunListener, Vertical):
    def compose(self) -> ComposeResult:
        yield RunProgress(id="progress")
        yield LossChart(id="loss-chart")
        yield AccuracyChart(id="acc-chart")

    steps_per_epoch = 1

    def on_mount(self) -> None:
        self.redraw = Redraw(self, REDRAW_S, self.flush)

    def on_show(self) -> None:
        self.redraw.wake()

    @property
    def loss_chart(self) -> LossChart:
        return self.query_one(LossChart)

    @property
    def acc_chart(self) -> AccuracyChart:
        return self.query_one(AccuracyChart)

    @property
    def progress(self) -> RunProgress:
        return self.query_one(RunProgress)

    def load_history(self, run_dir: Path) -> None:
        """Put a saved run's curves into the charts, so a run carried on carries them on."""
        steps, epochs = saved_metrics(run_dir)
        for step in steps:
            self.loss_chart.add_step(step)
            self.acc_chart.add_step(step)
        for epoch in epochs:
            self.loss_chart.add_epoch(epoch)
            self.acc_chart.add_epoch(epoch)
        if steps:
            self.steps_per_epoch = steps[-1].steps_per_epoch
            for change in saved_lr_changes(run_dir):
                self.mark_lr(change)

    def mark_lr(self, change: LrChanged) -> None:
        """A learning-rate change: a marker on both charts where its next step falls."""
        x = change.step / max(1, self.steps_per_epoch)
        self.loss_chart.add_mark(x)
        self.acc_chart.add_mark(x)

    def reset(self, epochs: int, plan: str | None = None) -> None:
        """A new run is starting: clear the charts; ``plan`` names what it is part of."""
        self.loss_chart.reset(epochs)
        self.acc_chart.reset(epochs)
        self.progress.reset(plan)
        self.redraw.wake()

    def on_run_event(self, event: Event) -> None:
        if self.is_on_screen:  # hidden: on_show wakes it
            self.redraw.wake()
        self.progress.show(event)
        if isinstance(event, StepMetrics):
            self.loss_chart.add_step(event)
            self.acc_chart.add_step(event)
        elif isinstance(event, EpochMetrics):
            self.loss_chart.add_epoch(event)
            self.acc_chart.add_epoch(event)
        elif isinstance(event, LrChanged):
            self.mark_lr(event)
            self.progress.note(f"Learning rate {event.lr:g} from step {event.step + 1:,} "
                               f"(was {event.previous:.3g}); marked on the charts in red.")
        elif isinstance(event, RunStarted):
            self.steps_per_epoch = event.steps_per_epoch
            epochs = event.config.epochs
            self.loss_chart.x_max = self.acc_chart.x_max = float(max(1, epochs))

    def flush(self) -> None:
        self.loss_chart.flush()
        self.acc_chart.flush()
