"""The Filters view (placeholder): the first layer's filters as they learn."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui_cnn.tui.messages import RunListener


class FiltersView(RunListener, VerticalScroll):
    """Receives every event through ``on_run_event``; FilterSnapshot carries the weights."""

    def compose(self) -> ComposeResult:
        yield Static("Filters: the first layer's learned filters, drawn as heatmaps and "
                     "updated during training. (Coming: this view is not built yet.)",
                     classes="placeholder")
