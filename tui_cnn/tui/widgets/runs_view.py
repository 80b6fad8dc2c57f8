"""The Runs view (placeholder): saved runs, to compare and resume."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui_cnn.tui.messages import RunListener


class RunsView(RunListener, VerticalScroll):
    """Receives every ``on_run_event``; RunEnded means a run folder was just saved."""

    def compose(self) -> ComposeResult:
        yield Static("Runs: the runs saved in the runs folder, with their best test "
                     "accuracy, to compare and resume. (Coming: this view is not built yet.)",
                     classes="placeholder")
