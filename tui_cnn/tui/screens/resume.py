"""Ask how many more epochs to carry a saved run on for."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui_cnn.core.config import MAX_EPOCHS

DEFAULT_MORE = 2


class ResumeScreen(ModalScreen[int | None]):
    """Dismissed with the number of epochs to add, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, run_id: str, done: int) -> None:
        super().__init__()
        self.run_id = run_id
        self.done = done

    def compose(self) -> ComposeResult:
        with Vertical(id="resume", classes="dialog"):
            yield Static(f"Carry {self.run_id} on", classes="section-title")
            yield Static(f"It has {self.done} epoch(s). Training goes on from its last "
                         "checkpoint (weights, optimiser, step count) in the same folder, and "
                         "its curves carry on. How many more epochs?", classes="dialog-note")
            yield Input(str(DEFAULT_MORE), type="integer", id="resume-more")
            yield Static("", id="resume-error", classes="dialog-error")
            yield Static("enter: carry on · esc: cancel", classes="dialog-note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        most = MAX_EPOCHS - self.done
        try:
            more = int(event.value)
        except ValueError:
            more = 0
        if not 1 <= more <= most:
            self.query_one("#resume-error", Static).update(
                f"a whole number from 1 to {most}, please")
            return
        self.dismiss(more)

    def action_cancel(self) -> None:
        self.dismiss(None)
