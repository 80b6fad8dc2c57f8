"""q while a run trains (or a sweep runs) in its own process: stop and save it, leave it
going, or stay."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_cnn.tui.dialogs.base import Dialog

STOP, LEAVE = "stop", "leave"
RUN_WORDS = ("Quit while {} trains?",
             "The run trains in a process of its own: it can go on without the app.",
             "Stop it and save it, then quit",
             "Leave it training, and quit (tui-cnn attach brings it back)")
SWEEP_WORDS = ("Quit while sweep {} runs?",
               "The sweep runs in a process of its own: its trials can go on without "
               "the app.",
               "Stop every trial (each saved as interrupted), then quit",
               "Leave the sweep running, and quit (4, then a on the sweeps list, or "
               "tui-cnn attach, brings it back)")


class QuitScreen(Dialog[str]):
    """Dismissed with STOP or LEAVE, or None (cancel: back to the app)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *Dialog.BINDINGS, Binding("s", "choose('stop')", "Stop", show=False),
        Binding("l", "choose('leave')", "Leave", show=False),
        Binding("c", "cancel", "Cancel", show=False)]

    def __init__(self, run_id: str, sweep: bool = False) -> None:
        super().__init__()
        self.run_id = run_id
        self.words = SWEEP_WORDS if sweep else RUN_WORDS

    def compose(self) -> ComposeResult:
        heading, note, stop, leave = self.words
        with Vertical(id="quit", classes="dialog"):
            yield self.heading(heading.format(self.run_id))
            yield self.note(note)
            yield OptionList(
                Option(f"s  {stop}", id=STOP), Option(f"l  {leave}", id=LEAVE),
                Option("c  Cancel: back to the app", id="cancel"), id="quit-options")
            yield self.note("s, l or c (or arrows and enter) · esc: cancel")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice if choice in (STOP, LEAVE) else None)
