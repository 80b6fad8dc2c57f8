"""The sweep widgets: the trial grid (live status per trial), the group table with the
verdict, and ``SweepView`` holding both. Fed through ``show_*`` methods; anything to be done
is posted as a message (``SweepRerunRequested``, ``SweepAttachRequested``,
``SweepStopRequested``)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.summary import SweepReport
from tui_cnn.tui.sweeps.state import (
    GROUP_HEADERS,
    Cell,
    TrialGrid,
    cells_from_progress,
    cells_from_states,
    group_rows,
    headline,
    trial_grid,
    verdicts,
)


@dataclass
class SweepRerunRequested(Message):
    """Run the sweep's unfinished trials again."""

    sweep_id: str


@dataclass
class SweepAttachRequested(Message):
    """Follow the sweep, going in a process of its own (started by another app)."""

    sweep_id: str


@dataclass
class SweepStopRequested(Message):
    """Stop every trial of the running sweep (each is saved as interrupted)."""

    sweep_id: str


def grid_table(grid: TrialGrid) -> Table:
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False)
    table.add_column("", style="bold", no_wrap=True)
    for column in grid.columns:
        table.add_column(column, no_wrap=True)
    for label, cells in grid.rows:
        table.add_row(label, *(_cell_text(c) for c in cells))
    return table


def _cell_text(cell: Cell | None) -> Text:
    return Text("") if cell is None else Text(cell.text, style=cell.style)


class TrialGridWidget(Static):
    """Rows: the groups; columns: the seeds; each cell a trial's status or accuracy."""

    def show_grid(self, values: dict[int, dict[str, str]], progress: SweepProgress | None,
                  report: SweepReport | None = None) -> None:
        cells = (cells_from_progress(progress) if progress is not None
                 else cells_from_states(report.trials) if report is not None else {})
        self.update(grid_table(trial_grid(values, cells)))


class GroupTableWidget(Static):
    """n, mean +/- 95% interval per group, then the verdicts against the first group."""

    def show_report(self, report: SweepReport) -> None:
        table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False)
        for i, header in enumerate(GROUP_HEADERS):
            table.add_column(header, justify="left" if i == 0 else "right", no_wrap=True)
        for row in group_rows(report):
            table.add_row(*row)
        lines = [Text(f"• {v}", style="bold") for v in verdicts(report)]
        self.update(_stack(table, lines))


def _stack(table: Table, lines: list[Text]) -> Table:
    outer = Table.grid()
    outer.add_row(table)
    for line in lines:
        outer.add_row(line)
    return outer


class SweepView(Vertical):
    """A sweep: headline, trial grid, group table. ``r`` re-runs (a message); the app's x
    stops a running sweep (``action_stop`` posts SweepStopRequested)."""

    BINDINGS = [Binding("r", "rerun", "re-run unfinished", show=False)]
    can_focus = True

    def __init__(self, sweep_id: str, values: dict[int, dict[str, str]],
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.sweep_id = sweep_id
        self.values = values

    def compose(self) -> ComposeResult:
        yield Static(f"sweep {self.sweep_id}", id="sweep-headline")
        yield TrialGridWidget(id="sweep-grid")
        yield GroupTableWidget(id="sweep-groups")

    def set_sweep(self, sweep_id: str, values: dict[int, dict[str, str]]) -> None:
        """Show another sweep (or the same one with its grid read again)."""
        self.sweep_id, self.values = sweep_id, values

    def show_progress(self, progress: SweepProgress) -> None:
        self.query_one("#sweep-headline", Static).update(headline(progress))
        self.query_one(TrialGridWidget).show_grid(self.values, progress)

    def show_report(self, report: SweepReport) -> None:
        self.query_one(GroupTableWidget).show_report(report)
        if not report.trials:
            return
        counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items()))
        self.query_one("#sweep-headline", Static).update(
            f"sweep {report.sweep_id}: {len(report.trials)} trial(s) ({counts})")
        self.query_one(TrialGridWidget).show_grid(self.values, None, report)

    def action_rerun(self) -> None:
        self.post_message(SweepRerunRequested(self.sweep_id))

    def action_stop(self) -> None:
        self.post_message(SweepStopRequested(self.sweep_id))
