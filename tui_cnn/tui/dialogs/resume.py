"""Ask how many more epochs to carry a saved run on for."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from tui_cnn.core.config import MAX_EPOCHS
from tui_cnn.tui.dialogs.base import Dialog

DEFAULT_MORE = 2


class ResumeScreen(Dialog[int]):
    """Dismissed with the number of epochs to add, or None when cancelled."""

    def __init__(self, run_id: str, done: int) -> None:
        super().__init__()
        self.run_id = run_id
        self.done = done

    def compose(self) -> ComposeResult:
        with Vertical(id="resume", classes="dialog"):
            yield self.heading(f"Carry {self.run_id} on")
            yield self.note(f"It has {self.done} epoch(s). Training goes on from its last "
                            "checkpoint (weights, optimiser, step count) in the same folder, "
                            "and its curves carry on. How many more epochs?")
            yield Input(str(DEFAULT_MORE), type="integer", id="resume-more")
            yield self.error_line()
            yield self.note("enter: carry on · esc: cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        most = MAX_EPOCHS - self.done
        try:
            more = int(event.value)
        except ValueError:
            more = 0
        if not 1 <= more <= most:
            self.show_error(f"a whole number from 1 to {most}, please")
            return
        self.dismiss(more)
