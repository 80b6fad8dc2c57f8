"""What the Runs view's keys (runs_keys.py, a mixin of RunsView) may use of the view:
its list, chart, sweeps panel, marked runs and a few of its methods. This Protocol is
their self-type (mypy checks every use against it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from textual.message import Message
    from textual.notifications import SeverityLevel
    from textual.widget import Widget

    from tui_cnn.core.runs import RunRecord
    from tui_cnn.render.marks import MarkColour
    from tui_cnn.tui.runs.compare_chart import CompareChart
    from tui_cnn.tui.runs.runs_table import RunsTable
    from tui_cnn.tui.sweeps.panel import SweepsPanel

W = TypeVar("W", bound="Widget")


class RunsHost(Protocol):
    selected: dict[str, MarkColour]

    @property
    def table(self) -> RunsTable: ...

    @property
    def chart(self) -> CompareChart: ...

    @property
    def sweeps(self) -> SweepsPanel: ...

    def query_one(self, selector: type[W]) -> W: ...

    def post_message(self, message: Message) -> bool: ...

    def notify(self, message: str, *, severity: SeverityLevel = "information",
               timeout: float | None = None) -> None: ...

    def reload(self) -> None: ...

    def _show_compare(self) -> None: ...

    def _on_current(self, verb: str, action: Callable[[RunRecord], object]) -> None: ...

    def _attach_to_current(self) -> None: ...

    def _next_curves(self) -> None: ...

    def _sort_next(self) -> None: ...
