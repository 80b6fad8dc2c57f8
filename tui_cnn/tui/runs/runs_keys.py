"""The Runs view's keys: fork, carry on, inspect, draw with or attach to the run under the
cursor (posted as intents for the App), filter, sort, the curves shown, reload.

A mixin of RunsView; its self-type is runs/host.py's RunsHost.
"""

from __future__ import annotations

from collections.abc import Callable

from tui_cnn.core.runs import RunRecord
from tui_cnn.tui.messages import (
    AttachRequested,
    DrawRequested,
    ForkRequested,
    InspectRequested,
    OneMoreEpochRequested,
    ResumeRequested,
)
from tui_cnn.tui.runs.filter_input import FilterInput
from tui_cnn.tui.runs.host import RunsHost
from tui_cnn.tui.runs.runs_table import COLUMNS


class RunsKeys:
    def command(self: RunsHost, name: str) -> None:
        """One of the view's keys (see keys.KEYS): fork, resume, inspect, filter, sort,
        curves, reload."""
        current = self._on_current
        actions: dict[str, Callable[[], object]] = {
            "fork": lambda: current("fork", lambda r: self.post_message(ForkRequested(r))),
            "resume": lambda: current("carry on",
                                      lambda r: self.post_message(ResumeRequested(r))),
            "inspect": lambda: current("inspect",
                                       lambda r: self.post_message(InspectRequested(r.path))),
            "draw": lambda: current("draw with",
                                    lambda r: self.post_message(DrawRequested(r.path))),
            "one_more": lambda: current("carry on",
                                        lambda r: self.post_message(OneMoreEpochRequested(r.path))),
            "attach": self._attach_to_current,
            "filter": self.query_one(FilterInput).want_focus,
            "sort": self._sort_next,
            "curves": self._next_curves,
            "reload": self.reload,
        }
        actions[name]()

    def _attach_to_current(self: RunsHost) -> None:
        """The run under the cursor; with the sweeps list focused (the command palette's
        entry, as a there), the sweep under its cursor."""
        if self.sweeps.display and self.sweeps.has_focus_within:
            self.sweeps.action_attach()
        else:
            self._on_current("attach to",
                             lambda r: self.post_message(AttachRequested(r.path)))

    def _next_curves(self: RunsHost) -> None:
        self.chart.next_mode()
        self._show_compare()

    def _on_current(self: RunsHost, verb: str, action: Callable[[RunRecord], object]) -> None:
        record = self.table.current
        if record is None:
            self.notify(f"No run to {verb}: the list is empty.", severity="warning")
        else:
            action(record)

    def _sort_next(self: RunsHost) -> None:
        table = self.table
        column = table.sort_column % (len(COLUMNS) - 1) + 1
        table.sort_by(column, self.selected)
        order = "descending" if table.reverse else "ascending"
        self.notify(f"Sorted by {COLUMNS[column]}, {order} (o: next column).", timeout=2)
