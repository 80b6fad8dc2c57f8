"""What the Inside view's parts (inside_keys.py, inside_answers.py) may use of the view.

The parts are mixins of InsideView, one holding its keys and one the workers' answers, so
inside_view.py keeps the composition, the training events and what to compute; this
Protocol is their self-type (mypy checks every use against it).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from textual.message import Message
    from textual.notifications import SeverityLevel
    from textual.widget import Widget

    from tui_cnn.tui.inside.inside_worker import InsideAnswer
    from tui_cnn.tui.inside.view_state import InsideState, LayerSeries

W = TypeVar("W", bound="Widget")


class InsideHost(Protocol):
    state: InsideState
    series: LayerSeries
    generation: int
    answers: dict[Hashable, Message]
    status: str
    overview_read: bool

    def query_one(self, selector: type[W]) -> W: ...

    def notify(self, message: str, *, severity: SeverityLevel = "information") -> None: ...

    def _want(self) -> None: ...

    def _key(self, panel: str) -> Hashable: ...

    def _show_panel(self) -> None: ...

    def _set_status(self, text: str) -> None: ...

    def _draw_layers(self) -> None: ...

    def _to_panel(self, index: int) -> None: ...

    def _toggle_grid(self) -> None: ...

    def _answer(self, message: InsideAnswer) -> None: ...

    def _show(self, message: Message) -> None: ...
