"""The fork dialog: a saved run's settings; change one, and the variant trains with the same
seed and data order."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.exercises import FORK_FIELDS, field_value, fork_config, parse_value, show_value
from tui_cnn.tui.dialogs.base import Dialog

LABEL_WIDTH = 20


def field_option(cfg: TrainConfig, name: str) -> Option:
    text = Text(name.ljust(LABEL_WIDTH), style="bold")
    text.append(show_value(field_value(cfg, name)) or "(all)")
    return Option(text, id=name)


class ForkScreen(Dialog[TrainConfig]):
    """Dismissed with the forked config, or None when cancelled."""

    def __init__(self, base: TrainConfig, run_id: str) -> None:
        super().__init__()
        self.base = base
        self.run_id = run_id

    def compose(self) -> ComposeResult:
        with Vertical(id="fork", classes="dialog"):
            yield self.heading(f"Fork {self.run_id}")
            yield self.note(f"Change one setting; the seed ({self.base.seed}) and the data "
                            "order stay the same.")
            yield OptionList(*(field_option(self.base, name) for name in FORK_FIELDS),
                             id="fork-fields")
            yield self.note("", id="fork-hint")
            yield Input(id="fork-value")
            yield self.error_line()
            yield self.note("enter: start the fork · esc: cancel")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @property
    def field(self) -> str:
        options = self.query_one(OptionList)
        index = options.highlighted or 0
        return str(options.get_option_at_index(index).id)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = str(event.option.id)
        self.query_one("#fork-hint", Static).update(f"{name}: {FORK_FIELDS[name]}")
        self.query_one("#fork-value", Input).value = show_value(field_value(self.base, name))
        self.show_error("")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        value = self.query_one("#fork-value", Input)
        value.focus()
        value.action_end()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            cfg = fork_config(self.base, self.field, parse_value(self.field, event.value))
        except ConfigError as error:
            self.show_error(str(error))
            return
        self.dismiss(cfg)
