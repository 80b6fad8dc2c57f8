"""Choose the device: "auto" or one this machine has, listed once torch has loaded."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.message import Message
from textual.widgets import Label, Select, Static

AUTO = ("auto: the best one here", "auto")


class DevicePicker(VerticalGroup):
    @dataclass
    class Changed(Message):
        picker: DevicePicker

    def __init__(self, device: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = device
        self.found: list[tuple[str, str]] | None = None  # (name, label) once known

    def compose(self) -> ComposeResult:
        select = Select(self._options([]), value=self._initial, allow_blank=False,
                        compact=True, id="device-select")
        yield HorizontalGroup(Label("device", classes="field-label"), select, classes="field-row")
        yield Static("looking for devices…", id="device-note")

    @property
    def device(self) -> str:
        return str(self.query_one("#device-select", Select).value)

    def _options(self, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
        options = [AUTO, *((label, name) for name, label in found)]
        if self._initial not in {name for _, name in options}:
            note = "not found here" if self.found is not None else "as asked"
            options.append((f"{self._initial} ({note})", self._initial))
        return options

    def set_devices(self, found: list[tuple[str, str]]) -> None:
        """Show the devices this machine has (name, label), keeping the choice."""
        self.found = list(found)
        select = self.query_one("#device-select", Select)
        chosen = self.device
        self._initial = chosen
        select.set_options(self._options(self.found))
        select.value = chosen
        self._update_note()

    def _update_note(self) -> None:
        if self.found is None:
            return
        chosen = self.device
        names = ", ".join(name for name, _ in self.found) or "none"
        missing = chosen != "auto" and chosen not in {name for name, _ in self.found}
        note = f"{chosen} is not on this machine; found: {names}" if missing else f"found: {names}"
        self.query_one("#device-note", Static).set_class(missing, "-error").update(note)

    def show_error(self, reason: str) -> None:
        self.query_one("#device-note", Static).update(f"could not list devices: {reason}")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._update_note()
        self.post_message(self.Changed(self))
