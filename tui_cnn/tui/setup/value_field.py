"""A labelled one-line input that keeps its last valid value and says why new text is wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.message import Message
from textual.widgets import Input, Label, Static

T = TypeVar("T")


class ValueField(VerticalGroup, Generic[T]):
    """``value`` is always valid: text that does not parse leaves it as it was, and the
    line under the input says why, that training waits for a fix, and what esc brings
    back. The text is not selected on focus, so that one key cannot replace it unseen
    (issue 20, item 3: Tab then t replaced 32,64 with t); esc, if the text does not parse,
    puts back the value the field had when the editing began (not the last text that
    parsed on the way: typing 99999 into epochs passed 999 on its way to the error), and
    the app's esc then leaves the field."""

    @dataclass
    class Changed(Message):
        """The text changed (valid or not); ``field.error`` says whether it parsed."""

        field: ValueField[Any]

    def __init__(self, label: str, value: T, parse: Callable[[str], T], *,
                 fmt: Callable[[T], str] = str, placeholder: str = "",
                 id: str | None = None) -> None:
        super().__init__(id=id, classes="value-field")
        self._label = label
        self._value = value
        self._before_edit = value  # what esc brings back; taken when the input is focused
        self._parse = parse
        self._fmt = fmt
        self._placeholder = placeholder
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with HorizontalGroup(classes="field-row"):
            yield Label(self._label, classes="field-label")
            yield Input(self._fmt(self._value), placeholder=self._placeholder, compact=True,
                        select_on_focus=False)
        yield Static("", classes="field-error")

    @property
    def value(self) -> T:
        return self._value

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def set_value(self, value: T) -> None:
        """Show ``value`` (already valid) in the input."""
        self._value = self._before_edit = value
        self.error = None
        self.input.value = self._fmt(value)

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        if self.error is None:  # back in a field left invalid: esc still goes further back
            self._before_edit = self._value

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.error is not None:
            self.set_value(self._before_edit)  # not stopped: the app's esc leaves the field

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            value = self._parse(event.value)
        except ValueError as error:  # ConfigError is a ValueError
            # what t does then: it waits for a fix (issue 20, item 5: "keeping" read as if
            # training would use the last good value, and then t refused to start)
            self.error = (f"{error}; t waits for a fix (esc: back to "
                          f"{self._fmt(self._before_edit) or 'none'})")
        else:
            self._value = value
            self.error = None
        self.set_class(self.error is not None, "-invalid")
        self.query_one(".field-error", Static).update(f"✗ {self.error}" if self.error else "")
        self.post_message(self.Changed(self))
