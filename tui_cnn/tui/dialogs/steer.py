"""Ask for a new learning rate (or target accuracy) for the run going; validated here by
the config's own parser (core.parse), applied by the controller at the next step."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from tui_cnn.core.config import ConfigError
from tui_cnn.core.parse import field_text, parse_field
from tui_cnn.tui.dialogs.base import Dialog

FIELDS = {
    "lr": ("Change the learning rate", "learning rate",
           "From the next step on; the schedule carries on from the new value (one-cycle "
           "keeps its shape at the new height). Recorded in the run and marked on the "
           "charts. e.g. 1e-3"),
    "target_acc": ("Stop at a target accuracy", "target accuracy",
                   "The run ends, finished, after the first epoch whose test accuracy "
                   "reaches it. e.g. 95% or 0.95; empty: no target"),
}


class SteerScreen(Dialog[tuple[str, object]]):
    """Dismissed with (field, value), or None when cancelled."""

    def __init__(self, name: str, run_id: str, current: object) -> None:
        super().__init__()
        self.field = name
        self.run_id = run_id
        self.current = current

    def compose(self) -> ComposeResult:
        title, label, note = FIELDS[self.field]
        now = field_text(self.field, self.current)
        if self.field == "target_acc" and isinstance(self.current, float):
            now = f"{100 * self.current:g}%"
        with Vertical(id="steer", classes="dialog"):
            yield self.heading(f"{title} of {self.run_id}")
            yield self.note(f"Now: {now or 'none'}. {note}")
            yield Input(now, id="steer-value")
            yield self.error_line()
            yield self.note(f"enter: set the {label} · esc: cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = parse_field(self.field, event.value)
        except ConfigError as error:
            self.show_error(str(error))
            return
        if self.field == "lr" and value is None:
            self.show_error("a learning rate, please")
            return
        self.dismiss((self.field, value))
