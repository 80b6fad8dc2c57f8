"""One line at the bottom: device, run state, last epoch's test accuracy, which run; while a
sweep goes, the sweep's state instead (its trials done of all)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui_cnn.core.events import DataProgress, EpochMetrics, Event, RunEnded, RunStarted
from tui_cnn.fmt import fit_run_id
from tui_cnn.tui.messages import RunListener, Setup
from tui_cnn.tui.sweeps.state import SweepStatus

ACTIVE = ("preparing data", "training")


class StatusLine(RunListener, Static):
    """``state`` follows the events; ``paused``, ``stopping`` and ``sweep`` are set by the
    app (``sweep``: the sweep going, shown instead of the last run until it ends)."""

    device: reactive[str] = reactive("auto")
    state: reactive[str] = reactive("idle")
    paused: reactive[bool] = reactive(False)
    stopping: reactive[bool] = reactive(False)
    test_acc: reactive[tuple[int, float] | None] = reactive(None)  # (epoch, accuracy)
    run_id: reactive[str] = reactive("")  # the run training, or trained last
    sweep: reactive[SweepStatus | None] = reactive(None)

    @property
    def sweep_text(self) -> str:
        """The sweep's state as shown ("" when no sweep goes)."""
        return self.sweep.text if self.sweep is not None else ""

    @property
    def shown_state(self) -> str:
        if self.state in ACTIVE and self.stopping:
            return "stopping"
        if self.state in ACTIVE and self.paused:
            return "paused"
        return self.state

    def render(self) -> Text:
        if self.sweep is not None:
            return Text.assemble(("device ", "dim"), self.sweep.device,
                                 ("  state ", "dim"), (self.sweep.text, "bold"))
        text = Text.assemble(("device ", "dim"), self.device, ("  state ", "dim"),
                             (self.shown_state, "bold"))
        if self.test_acc is not None:
            epoch, acc = self.test_acc
            text.append(f"  test acc (epoch {epoch}) ", "dim")
            text.append(f"{100 * acc:.2f}%", "bold")
        if self.run_id:
            text.append("  run ", "dim")
            text.append(fit_run_id(self.run_id, self.size.width - text.cell_len - 1))
        return text

    def starting(self) -> None:
        """A run was asked for; nothing has come back yet."""
        self.paused = self.stopping = False
        self.test_acc = None
        self.run_id = ""
        self.state = "preparing data"

    def on_setup(self, setup: Setup) -> None:
        if self.state not in ACTIVE:
            self.device = setup.device

    def on_run_event(self, event: Event) -> None:
        if isinstance(event, DataProgress):
            self.state = "preparing data"
        elif isinstance(event, RunStarted):
            self.state = "training"
            self.device = event.device
            self.run_id = event.run_id
        elif isinstance(event, EpochMetrics):
            self.test_acc = (event.epoch, event.test_acc)
        elif isinstance(event, RunEnded):
            self.state = event.status
            self.paused = self.stopping = False
