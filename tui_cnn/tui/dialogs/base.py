"""What every dialog shares: a modal screen that esc cancels (dismissed with None), a
title and note in the dialog's frame, and one line where a bad answer is explained."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Input, Static

T = TypeVar("T")


class Dialog(ModalScreen[T | None]):
    """Subclasses compose inside ``Vertical(classes="dialog")`` and call :meth:`heading`,
    :meth:`note` and :meth:`error_line` for the shared parts."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    @staticmethod
    def heading(text: str) -> Static:
        return Static(text, classes="section-title")

    @staticmethod
    def note(text: str, *, id: str | None = None) -> Static:
        return Static(text, classes="dialog-note", id=id)

    @staticmethod
    def error_line() -> Static:
        return Static("", classes="dialog-error dialog-error-line")

    def show_error(self, text: str) -> None:
        self.query_one(".dialog-error-line", Static).update(text)

    def on_input_changed(self, _event: Input.Changed) -> None:
        """New text: the last answer's error no longer applies (it stayed up after a valid
        number was typed)."""
        if self.query(".dialog-error-line"):
            self.show_error("")

    def action_cancel(self) -> None:
        self.dismiss(None)
