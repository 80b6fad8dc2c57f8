"""The Runs view's filter box."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

from tui_cnn.tui.runs.runs_table import RunsTable


class FilterInput(Input):
    """Reached with / (or a click), never with Tab: a stray key typed into it would filter
    the list instead of acting on it. Escape or enter goes back to the list."""

    BINDINGS = [Binding("escape", "done", "Done", show=False)]
    wanted = False  # / or a click asked for it

    def allow_focus(self) -> bool:
        return self.wanted or self.has_focus

    def want_focus(self) -> None:
        self.wanted = True
        self.focus()

    def on_mouse_down(self) -> None:
        self.want_focus()

    def on_blur(self) -> None:
        self.wanted = False

    def action_done(self) -> None:
        self.screen.query_one(RunsTable).focus()
