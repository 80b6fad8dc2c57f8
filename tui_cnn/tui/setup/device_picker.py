"""Choose the device: "auto" or one this machine has, listed once torch has loaded.

The choices are the bare names (auto, cpu, cuda:0, mps) and the note under them says what
they are: a label such as "auto: the best one here" was cut to `auto: the` in the narrow
panel (issue 20, item 9)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.message import Message
from textual.widgets import Label, Select, Static

AUTO = "auto"
AUTO_NOTE = "auto: the best one here (cuda, else mps, else cpu)"


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
        names = [AUTO, *(name for name, _label in found)]
        if self._initial not in names:  # asked for; the note says if it is not here
            names.append(self._initial)
        return [(name, name) for name in names]

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
        found = ", ".join(label for _, label in self.found) or "none"
        missing = chosen != AUTO and chosen not in {name for name, _ in self.found}
        note = f"found: {found}"
        if missing:
            note = f"{chosen} is not on this machine; {note}"
        elif chosen == AUTO:
            note = f"{AUTO_NOTE}; {note}"
        self.query_one("#device-note", Static).set_class(missing, "-error").update(note)

    def show_error(self, reason: str) -> None:
        self.query_one("#device-note", Static).update(f"could not list devices: {reason}")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._update_note()
        self.post_message(self.Changed(self))
