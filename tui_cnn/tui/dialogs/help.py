"""The `?` screen: every key and what it does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_cnn.tui.keys import KEYS


def keys_table() -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key in KEYS:
        table.add_row(key.display, key.help)
    table.add_row("ctrl+p", "command palette: every action above, by name")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", key_display="esc"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", can_focus=True):
            yield Static("Keys", classes="section-title")
            yield Static(keys_table())
            yield Static("Keys act when the cursor is not in a text field (esc leaves one). "
                         "Page Down / Up scroll; esc, ? or q close.", classes="help-note")


    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()  # Page Down scrolls the list
