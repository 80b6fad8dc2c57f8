"""The Runs view: every saved run, filtered and sorted; selected runs overlaid and compared.

Its keys are in keys.KEYS (view "runs") and arrive through :meth:`RunsView.command`
(runs_keys.py);
enter (or a click) on a row selects it. What they start (fork, carry on, inspect) is posted
as an intent for the App; when the runs of a plan end, the App shows them here
(:meth:`RunsView.show_plan`).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Static

from tui_cnn.core.events import Event, RunEnded
from tui_cnn.core.runs import (
    RunRecord,
    list_runs,
    resolve_runs_dir,
    runs_dir_problem,
    runs_fingerprint,
)
from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.render.marks import MARK_COLOURS, MarkColour, free_colour
from tui_cnn.tui.controller import Plan
from tui_cnn.tui.messages import (
    RunListener,
    Setup,
)
from tui_cnn.tui.plans import exercise_note
from tui_cnn.tui.runs.captions import chart_heading, cursor_line
from tui_cnn.tui.runs.compare_chart import CompareChart
from tui_cnn.tui.runs.compare_data import RunCurves, load_curves
from tui_cnn.tui.runs.compare_table import CompareTable
from tui_cnn.tui.runs.filter_input import FilterInput
from tui_cnn.tui.runs.runs_keys import RunsKeys
from tui_cnn.tui.runs.runs_table import COLUMNS, RunsTable
from tui_cnn.tui.sweeps.panel import SweepsPanel

WATCH_S = 2.0
"""How often the shown Runs view checks the runs folder for changes made elsewhere."""

HINT = ("Mark runs with enter (or a click): their curves overlay here, each in its mark's "
        "colour, and a table shows what differs. f forks the run under the cursor, R carries "
        "it on, i inspects it, / filters, o sorts, e starts an exercise.")


class RunsView(RunListener, RunsKeys, VerticalScroll):
    can_focus = False  # the list has the focus; its Page Up/Down, Home and End scroll this

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.selected: dict[str, MarkColour] = {}  # run id -> its colour, in marking order
        self._runs_dir: str | None = None  # the setup panel's (SetupChanged)
        self.stale = True  # the run folders may have changed since the list was read
        self.note_runs: set[str] = set()  # the runs the exercise note is about
        self.curves: dict[tuple[str, MarkColour], RunCurves] = {}  # read since the last reload
        self.fingerprint: frozenset[tuple[str, int, int]] = frozenset()  # at the last reload

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder="/ filter: words, e.g. cnn mnist · esc: back to the list",
                          id="runs-filter")
        # The table alone in a container: hidden while it has the focus, it would hand the
        # focus to a visible sibling (the filter), and the tabs would switch back to it.
        with Vertical(id="runs-list"):
            yield RunsTable(id="runs-table")
        yield Static("", id="runs-detail")
        yield Static(HINT, id="compare-hint", classes="placeholder")
        yield Static("", id="chart-heading")
        yield CompareChart(id="compare-chart")
        yield CompareTable("", id="compare-table")
        yield Static("", id="exercise-note")
        yield SweepsPanel(id="sweeps")

    def on_mount(self) -> None:
        self.folder_watch = self.set_interval(WATCH_S, self.watch_folder, pause=True)
        self.query_one("#exercise-note").display = False
        self._show_compare()

    @property
    def table(self) -> RunsTable:
        return self.query_one(RunsTable)

    @property
    def chart(self) -> CompareChart:
        return self.query_one(CompareChart)

    @property
    def sweeps(self) -> SweepsPanel:
        return self.query_one(SweepsPanel)

    @property
    def runs_dir(self) -> str | None:
        return self._runs_dir

    def on_setup(self, setup: Setup) -> None:
        if setup.runs_dir != self._runs_dir:
            self._runs_dir = setup.runs_dir
            self.sweeps.runs_dir = setup.runs_dir
            self.stale = True

    # The list -----------------------------------------------------------------------

    def on_show(self) -> None:
        self.folder_watch.resume()
        if self.stale or self.folder_changed():
            self.reload()
        # After this switch's other work (below 100 columns the App hides the setup panel,
        # moving a focus it held to the tabs).
        self.call_after_refresh(self._focus_list)

    def _focus_list(self) -> None:
        """The list has the focus on arrival, unless a setup field is being typed in."""
        if self.is_on_screen and not isinstance(self.app.focused, Input):
            self.table.focus()

    def on_run_event(self, event: Event) -> None:
        if isinstance(event, RunEnded):
            self.stale = True
            if self.is_on_screen:
                self.reload()

    def on_hide(self) -> None:
        self.folder_watch.pause()

    def folder_changed(self) -> bool:
        return runs_fingerprint(self.runs_dir) != self.fingerprint

    def watch_folder(self) -> None:
        """Shown, the list follows the runs folder: runs that `tui-cnn train` (or another
        app) saves appear, and their status and epochs update, without r."""
        if self.is_on_screen and self.folder_changed():
            self.reload()
        elif self.is_on_screen:
            self.sweeps.poll()  # trials that worker processes (or another app) run

    def reload(self) -> None:
        """Read the run folders again; selected runs that are gone are dropped."""
        self.stale = False
        self.curves = {}
        self.fingerprint = runs_fingerprint(self.runs_dir)
        records = list_runs(self.runs_dir)
        ids = {record.run_id for record in records}
        self.selected = {rid: c for rid, c in self.selected.items() if rid in ids}
        self.table.load(records, self.selected)
        self._show_detail()
        self._show_compare()
        self.sweeps.reload()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value, self.selected)
        self._show_detail()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.toggle(str(event.row_key.value))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.table.sort_by(COLUMNS.index(str(event.column_key.value)), self.selected)

    def _show_detail(self) -> None:
        record = self.table.current
        detail = self.query_one("#runs-detail", Static)
        if not self.table.records:
            where = resolve_runs_dir(self.runs_dir)
            detail.update(runs_dir_problem(self.runs_dir) or f"No saved runs in {where} "
                          "yet: train one with t, or press e for an exercise.")
        elif record is None:
            detail.update(f"No run matches the filter ({len(self.table.records)} saved).")
        else:
            detail.update(cursor_line(record, self.table.short_ids[record.run_id]))
        detail.set_class(record is not None and record.damaged, "-damaged")

    # Selection and comparison ------------------------------------------------------------

    def toggle(self, run_id: str) -> None:
        if run_id in self.selected:
            del self.selected[run_id]
        elif run_id in self.table.records and not self._mark(run_id):
            self.notify(f"At most {len(MARK_COLOURS)} runs overlay at once, each in its own "
                        "colour: unmark one with enter first.", severity="warning")
        self.table.update_marks(self.selected)
        self._show_compare()

    def _mark(self, run_id: str) -> bool:
        """Mark the run in the first colour no marked run has; False if none is left."""
        colour = free_colour(self.selected.values())
        if colour is not None:
            self.selected[run_id] = colour
        return colour is not None

    def select_runs(self, run_ids: list[str]) -> None:
        """Select exactly these runs (read afresh; as many as there are colours) and show
        their comparison."""
        self.reload()
        self.selected = {}
        for rid in run_ids:
            if rid in self.table.records:
                self._mark(rid)
        self.table.update_marks(self.selected)
        self._show_compare()

    def show_plan(self, plan: Plan) -> None:
        """A plan's runs have ended: a fork beside its base, an exercise's runs with its
        note; a run carried on, listed again."""
        ids = [run.run_id for run in plan.ended]
        if plan.kind == "resume":
            self.reload()
            return
        self.select_runs(([plan.base_run] if plan.base_run else []) + ids)
        note = exercise_note(plan)
        if note is not None:
            self.show_note(note, ids)

    @property
    def selected_records(self) -> list[RunRecord]:
        return [self.table.records[rid] for rid in self.selected]  # selected runs are listed

    def _show_compare(self) -> None:
        records = self.selected_records
        curves = [self._curves_of(r) for r in records]
        self.query_one("#compare-hint").display = not records
        heading = self.query_one("#chart-heading", Static)
        shown = bool(records)
        heading.display = self.chart.display = self.query_one(CompareTable).display = shown
        heading.update(chart_heading(self.chart.mode, records, curves))
        self.chart.show(curves)
        self.query_one(CompareTable).show(records, curves)
        if self.note_runs != set(self.selected):
            self.query_one("#exercise-note").display = False

    def _curves_of(self, record: RunRecord) -> RunCurves:
        """Read once per list reload (steps.jsonl can be long), not on every selection."""
        key = (record.run_id, self.selected[record.run_id])
        if key not in self.curves:
            self.curves[key] = load_curves(record, key[1], self.table.short_ids[record.run_id])
        return self.curves[key]

    def show_note(self, text: Text, run_ids: list[str]) -> None:
        """A note under the comparison (an exercise's text), shown while these runs are."""
        self.note_runs = set(run_ids)
        note = self.query_one("#exercise-note", Static)
        note.update(text)
        note.display = True

    # Sweeps (the App hands on the run controller's news) ---------------------------------

    def sweep_started(self, sweep_id: str) -> None:
        self.sweeps.started(sweep_id)
        self.sweeps.scroll_visible(animate=False)

    def sweep_progress(self, progress: SweepProgress) -> None:
        self.sweeps.show_progress(progress)

    def sweep_ended(self, sweep_id: str) -> None:
        self.stale = True
        if self.is_on_screen:
            self.reload()  # the trials' runs, listed
        self.sweeps.ended(sweep_id)
