"""The Parameters view (placeholder): where the parameters are, layer by layer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui_cnn.tui.messages import RunListener


class ParamsView(RunListener, VerticalScroll):
    """Receives ``on_setup`` (the chosen spec and dataset) and every ``on_run_event``."""

    def compose(self) -> ComposeResult:
        yield Static("Parameters: every layer of the chosen network with its shape, "
                     "parameter count and share. (Coming: this view is not built yet.)",
                     classes="placeholder")
