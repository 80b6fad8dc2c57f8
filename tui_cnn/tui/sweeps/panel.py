"""The Runs view's sweeps: the list of saved sweeps (newest first) and, for the one under the
cursor, its SweepView (trial grid, group table, verdict) and its group curves.

Fed by the Runs view: ``reload`` reads the sweeps folder, ``poll`` (the view's folder watch,
only while shown) re-reads the chosen sweep when a trial file changed, whichever process
runs it; ``show_progress`` draws the app's own sweep live. ``r`` here posts
SweepRerunRequested for the chosen sweep, ``a`` SweepAttachRequested (to follow it where it
runs in the background). Reads files only: no torch.
"""

from __future__ import annotations

import os

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tui_cnn.core.runs import RunStoreError
from tui_cnn.core.sweep.curves import group_curves
from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.store import SweepStore, list_sweeps, trials_fingerprint
from tui_cnn.core.sweep.summary import SweepReport, sweep_report
from tui_cnn.tui.sweeps.curves_chart import GroupCurvesChart
from tui_cnn.tui.sweeps.view import SweepAttachRequested, SweepRerunRequested, SweepView

HINT = ("r: re-run failed, killed and interrupted trials · x: stop a running sweep · "
        "a: attach to a background one")


def grid_text(report: SweepReport) -> str:
    return " × ".join(f"{name} {len(values)}" for name, values in report.grid)


def state_text(report: SweepReport) -> str:
    return ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items()))


def with_saved_results(progress: SweepProgress, report: SweepReport) -> SweepProgress:
    """``progress`` with the accuracy of the trials it skipped (finished earlier) filled in
    from the sweep's files, so the grid shows them."""
    saved = {t.index: t.summary.get("final_test_acc") for t in report.trials}
    for trial in progress.trials.values():
        if trial.status == "skipped" and trial.test_acc is None:
            trial.test_acc = saved.get(trial.index)
    return progress


class SweepsTable(DataTable[str]):
    """One row per sweep: id, grid, trials, their states."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns("sweep", "grid", "trials", "states")


class SweepsPanel(Vertical):
    BINDINGS = [Binding("r", "rerun", "Re-run", show=False),
                Binding("a", "attach", "Attach", show=False)]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.runs_dir: str | os.PathLike[str] | None = None
        self.stores: dict[str, SweepStore] = {}
        self.chosen: str | None = None
        self.live: dict[str, SweepProgress] = {}  # the app's running sweep, by id
        self.fingerprint: tuple[object, ...] = ()
        self.order: list[str] = []  # the table's rows
        self.report: SweepReport | None = None  # the chosen sweep's, as last read

    def compose(self) -> ComposeResult:
        yield Static("Sweeps", classes="section-title")
        yield SweepsTable(id="sweeps-table")
        yield Static(HINT, id="sweeps-hint", classes="dialog-note")
        yield SweepView("", {}, id="sweep-view")
        yield GroupCurvesChart(id="sweep-curves")

    def on_mount(self) -> None:
        self.display = False  # until a reload finds a sweep

    @property
    def table(self) -> SweepsTable:
        return self.query_one(SweepsTable)

    @property
    def view(self) -> SweepView:
        return self.query_one(SweepView)

    def _fingerprint(self) -> tuple[object, ...]:
        chosen = self.stores.get(self.chosen or "")
        ids = tuple(s.sweep_id for s in list_sweeps(self.runs_dir))
        return ids, trials_fingerprint(chosen) if chosen is not None else frozenset()

    def poll(self) -> None:
        """Re-read what changed since the last look (called every WATCH_S while shown)."""
        if self._fingerprint() != self.fingerprint:
            self.reload()

    def reload(self) -> None:
        """Read the sweeps folder; keep the chosen sweep (or take the newest)."""
        stores = list_sweeps(self.runs_dir)
        self.stores = {s.sweep_id: s for s in stores}
        self.display = bool(stores)
        if self.chosen not in self.stores:
            self.chosen = stores[0].sweep_id if stores else None
        reports = {}
        for store in stores:
            try:
                reports[store.sweep_id] = sweep_report(store)
            except RunStoreError:
                continue
        table = self.table
        table.clear()
        self.order = list(reports)
        for sweep_id, report in reports.items():
            table.add_row(sweep_id, grid_text(report), str(len(report.trials)),
                          state_text(report), key=sweep_id)
        if self.chosen in reports:
            table.move_cursor(row=table.get_row_index(self.chosen), animate=False)
            self._show_chosen(reports[self.chosen])
        self.fingerprint = self._fingerprint()

    def _show_chosen(self, report: SweepReport) -> None:
        store = self.stores[report.sweep_id]
        view = self.view
        view.set_sweep(report.sweep_id, {t.index: t.values for t in report.trials})
        view.show_report(report)
        self.report = report
        live = self.live.get(report.sweep_id)
        if live is not None:
            view.show_progress(with_saved_results(live, report))
        try:
            curves = group_curves(store)
        except RunStoreError:
            curves = []
        chart = self.query_one(GroupCurvesChart)
        chart.display = bool(curves)
        chart.show(curves)

    def choose(self, sweep_id: str) -> None:
        if sweep_id != self.chosen:
            self.chosen = sweep_id
            self.reload()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The sweep under the cursor now (not the event's row: a reload moves the cursor,
        and the events of the rows it passed arrive after it)."""
        event.stop()
        row = self.table.cursor_row
        if 0 <= row < len(self.order):
            self.choose(self.order[row])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()

    # The app's own sweep ------------------------------------------------------------------

    def started(self, sweep_id: str) -> None:
        self.chosen = sweep_id
        self.reload()
        self.table.focus()

    def show_progress(self, progress: SweepProgress) -> None:
        self.live[progress.sweep_id] = progress
        if progress.sweep_id == self.chosen and self.report is not None:
            self.view.show_progress(with_saved_results(progress, self.report))
        if progress.sweep_id not in self.stores or self._fingerprint() != self.fingerprint:
            self.reload()  # a trial ended (its file changed): the table and the groups

    def ended(self, sweep_id: str) -> None:
        self.live.pop(sweep_id, None)
        self.reload()

    def action_rerun(self) -> None:
        if self.chosen is None:
            self.notify("No sweep to re-run.", severity="warning")
        else:
            self.post_message(SweepRerunRequested(self.chosen))

    def action_attach(self) -> None:
        if self.chosen is None:
            self.notify("No sweep to attach to.", severity="warning")
        else:
            self.post_message(SweepAttachRequested(self.chosen))
