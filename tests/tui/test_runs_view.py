"""The Runs view over run folders written with the run store: listing, damaged runs,
filtering, sorting, selection, overlay and comparison, the snapshot with two runs selected."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from tui_cnn.core.runs import list_runs
from tui_cnn.render.marks import MARK_COLOURS, free_colour
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.dialogs.exercises import ExerciseScreen
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.runs.compare_chart import y_range
from tui_cnn.tui.runs.compare_data import load_curves
from tui_cnn.tui.runs.runs_table import COLUMNS, matches, row_cells, sort_key
from tui_cnn.tui.runs.runs_view import RunsView

from .conftest import AppFactory
from .fakes import FakeRunner
from .helpers import notifications, screen_text, wait_for
from .runstore import write_killed_run, write_run

SIZE = (120, 40)
MAXPOOL = "20251124-160000-cnn-synth-digits-a1b2"
STRIDE = "20251124-161000-cnn-stride2-synth-digits-c3d4"
KILLED = "20251124-162000-cnn-small-synth-digits-e5f6"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """Two finished runs and one killed mid-run, in the app's runs folder."""
    root = tmp_path / "runs"
    write_run(root, MAXPOOL, accs=(0.61, 0.78, 0.84), created=1_764_000_000.0)
    write_run(root, STRIDE, arch="cnn-stride2", accs=(0.55, 0.74, 0.81),
              created=1_764_000_600.0)
    write_killed_run(root, KILLED, created=1_764_001_200.0)
    return root


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """'started' is local time: pin the zone so the screen is the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def view_of(app: TuiCnnApp) -> RunsView:
    return app.query_one(RunsView)


async def open_runs(pilot: Pilot[Any]) -> RunsView:
    await pilot.press("escape", "4")
    view = view_of(pilot.app)  # type: ignore[arg-type]
    await wait_for(pilot, lambda: view.table.row_count, what="the runs listed")
    return view


async def select(pilot: Pilot[Any], view: RunsView, *run_ids: str) -> None:
    for run_id in run_ids:
        view.table.move_cursor(row=view.table.shown.index(run_id))
        view.table.focus()
        await pilot.press("enter")
    await pilot.pause()


# ---- listing ---------------------------------------------------------------------------


async def test_every_run_is_listed_and_a_killed_one_as_damaged(make_app: AppFactory,
                                                               runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        assert view.table.shown == [KILLED, STRIDE, MAXPOOL]  # newest first
        killed = view.table.cells[KILLED]
        assert "killed (damaged)" in killed and "2/3" in killed and "66.00%" in killed
        assert "84.00%" in view.table.cells[MAXPOOL]
        view.table.move_cursor(row=0)
        await pilot.pause()
        detail = str(view.query_one("#runs-detail").render())
        assert "recovered 2 epoch(s)" in detail
        assert "1 torn or corrupt line(s) skipped" in detail


async def test_runs_saved_by_another_process_appear_without_reload(
        make_app: AppFactory, runs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui_cnn.tui.runs.runs_view.WATCH_S", 0.1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        view.table.move_cursor(row=view.table.shown.index(STRIDE))
        late = "20251124-170000-mlp-synth-digits-0a0b"
        write_run(runs, late, arch="mlp", accs=(0.9,), created=1_764_004_000.0)
        await wait_for(pilot, lambda: late in view.table.shown, what="the new run listed")
        assert view.table.shown[0] == late
        assert view.table.current is not None and view.table.current.run_id == STRIDE
        await pilot.press("2")  # hidden, the list is not read; shown again, it is
        status = runs / STRIDE / "status.json"
        status.write_text(json.dumps({**json.loads(status.read_text()), "status": "stopped"}))
        await pilot.pause(0.3)
        assert "stopped" not in view.table.cells[STRIDE]
        await pilot.press("4")
        await wait_for(pilot, lambda: "stopped" in view.table.cells[STRIDE],
                       what="the changed run read again")


async def test_a_broken_folder_never_breaks_the_list(make_app: AppFactory, runs: Path) -> None:
    (runs / "empty-folder").mkdir()
    (runs / "garbage").mkdir()
    (runs / "garbage" / "config.json").write_text("{not json")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        assert {"empty-folder", "garbage", MAXPOOL} <= set(view.table.shown)
        await select(pilot, view, "garbage", MAXPOOL)
        assert [c.run_id for c in view.chart.curves] == ["garbage", MAXPOOL]


async def test_typing_filters_by_every_word(make_app: AppFactory, runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        await pilot.press("slash", *"stride2 synth")
        assert view.table.shown == [STRIDE]
        await pilot.press(*" mnist")
        assert view.table.shown == []
        assert "No run matches" in str(view.query_one("#runs-detail").render())
        for _ in " mnist stride2 synth":
            await pilot.press("backspace")
        await pilot.press(*"cnn")
        assert len(view.table.shown) == 3
        await pilot.press("escape")
        assert app.focused is view.table


async def test_sort_by_a_column_and_reverse(make_app: AppFactory, runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        table = view.table
        best = COLUMNS.index("best acc")
        table.sort_by(best, view.selected)
        assert table.shown == [KILLED, STRIDE, MAXPOOL]  # ascending
        table.sort_by(best, view.selected)
        assert table.shown == [MAXPOOL, STRIDE, KILLED]
        await pilot.press("o")  # the next column: seconds
        assert table.shown[0] == KILLED and table.reverse is False  # 4.0 s before 6.0 s


# ---- selection, overlay, comparison ---------------------------------------------------------


async def test_two_selected_runs_overlay_and_compare(make_app: AppFactory, runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        assert view.query_one("#compare-hint").display
        await select(pilot, view, MAXPOOL, STRIDE)
        curves = {c.run_id: c for c in view.chart.curves}
        assert list(curves) == [MAXPOOL, STRIDE]
        assert curves[MAXPOOL].test_acc.ys == [0.61, 0.78, 0.84]
        assert curves[STRIDE].train_loss.xs[0] == pytest.approx(0.1)
        assert curves[MAXPOOL].colour != curves[STRIDE].colour
        assert view.chart.x_max == 3.0
        text = screen_text(app)
        for expected in ("a1b2 cnn", "c3d4 cnn-stride2", "arch.downsample", "maxpool",
                         "stride", "mult-adds", "4.24M", "1.36M (0.32x)", "84.00%"):
            assert expected in text, expected
        await pilot.press("v")
        assert view.chart.mode == "loss"
        await select(pilot, view, MAXPOOL)  # enter again: unselected
        assert [c.run_id for c in view.chart.curves] == [STRIDE]


async def test_inspect_opens_the_run_in_the_filters_view(make_app: AppFactory, runs: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(FiltersView, "show_run", shown.append, raising=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        view.table.move_cursor(row=view.table.shown.index(STRIDE))
        await pilot.press("i")
        assert app.query_one(TabbedContent).active == "filters"
        assert shown == [str(runs / STRIDE)]


async def test_a_run_that_cannot_be_forked_or_resumed_says_why(make_app: AppFactory,
                                                               runs: Path) -> None:
    (runs / MAXPOOL / "config.json").unlink()
    (runs / STRIDE / "model.pt").unlink()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        view.table.move_cursor(row=view.table.shown.index(MAXPOOL))
        await pilot.press("f")
        view.table.move_cursor(row=view.table.shown.index(STRIDE))
        await pilot.press("R")
        said = notifications(app)
        assert any("Can't read the settings of run a1b2" in text for text in said)
        assert any("Run c3d4 cannot be carried on: model.pt is missing: 3 epoch(s) "
                   "finished but the file is gone" in text for text in said)
        assert app.screen is app.screen_stack[0] and app.session is None


async def test_fork_and_resume_during_a_run_say_so_before_any_dialog(
        make_app: AppFactory, runs: Path, runner: FakeRunner) -> None:
    runner.step_s = 0.02
    app = make_app(epochs=50)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_runs(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.training, what="the run to start")
        await pilot.press("4")
        view.table.move_cursor(row=view.table.shown.index(MAXPOOL))
        await pilot.press("f", "R")
        assert app.screen is app.screen_stack[0], "a dialog opened during the run"
        said = notifications(app)
        assert any("before you fork another" in text for text in said)
        assert any("before you carry on another" in text for text in said)


def test_marks_take_the_first_free_colour() -> None:
    assert free_colour([]) == MARK_COLOURS[0]
    assert free_colour([MARK_COLOURS[1], MARK_COLOURS[0]]) == MARK_COLOURS[2]
    assert free_colour(MARK_COLOURS) is None
    assert len({c.rgb for c in MARK_COLOURS}) == len(MARK_COLOURS)
    assert all(16 <= c.xterm <= 231 for c in MARK_COLOURS)  # exact xterm cube entries


def test_curves_skip_what_cannot_be_drawn(runs: Path) -> None:
    record = next(r for r in list_runs(runs) if r.run_id == MAXPOOL)
    with open(record.path / "steps.jsonl", "a") as handle:
        handle.write('{"step": 31, "steps_per_epoch": 10, "loss": NaN}\n')
        handle.write('{"step": 32, "steps_per_epoch": 0, "loss": 1.0}\n')
    record.epochs.append({"epoch": 4, "test_acc": float("inf")})
    curves = load_curves(record, MARK_COLOURS[0], "a1b2")
    assert curves.test_acc.xs == [1.0, 2.0, 3.0]
    assert max(curves.train_loss.xs) == pytest.approx(2.9)


def test_one_epoch_gets_a_readable_y_range() -> None:
    assert y_range([98.4], 0.0, 100.0) == pytest.approx((96.43, 100.0), abs=0.01)
    low, high = y_range([61.0, 84.0], 0.0, 100.0)
    assert low < 61.0 and 84.0 < high <= 100.0
    assert y_range([0.0], 0.0, None) == (0.0, 0.001)


def test_a_changed_preset_is_starred(runs: Path) -> None:
    record = next(r for r in list_runs(runs) if r.run_id == MAXPOOL)
    arch = COLUMNS.index("arch") - 1  # after the mark
    assert row_cells(record, "a1b2")[arch] == "cnn"
    record.config["arch"]["downsample"] = "stride"  # a fork of cnn with one setting changed
    assert row_cells(record, "a1b2")[arch] == "cnn*"


def test_filter_words_and_sort_keys() -> None:
    cells = ["cnn", "mnist", "cpu", "421,642", "3/3", "98.10%"]
    assert matches(cells, ["cnn", "mni"]) and not matches(cells, ["cnn", "cifar"])
    assert sorted(["10.5%", "-", "9%", "abc"], key=sort_key) == ["9%", "10.5%", "abc", "-"]
    assert sort_key("1,234") < sort_key("12,340")


async def test_exercises_are_in_the_command_palette(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Exercise 1: Layer-1 filters after training", "Exercise 2: MaxPool vs stride 2",
                "Exercise 3: built-in digits vs built-in colour shapes (stand-ins for the "
                "sets not on disk)"} <= titles  # as the e dialog says: nothing on disk
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await pilot.press("escape")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="chooser")
        await pilot.press("down")
        text = screen_text(app)
        assert "The chapter's exercises" in text
        assert "Remove the MaxPool layers" in text and "seed 0" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, ExerciseScreen)


# ---- snapshot ------------------------------------------------------------------------------

Snap = Callable[..., bool]


async def two_selected(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, TuiCnnApp)
    app.theme = "textual-dark"
    view = await open_runs(pilot)
    await pilot.press("s")  # the setup panel hidden: the view alone, whatever the panel shows
    await select(pilot, view, MAXPOOL, STRIDE)
    view.table.move_cursor(row=view.table.shown.index(KILLED))
    assert app.query_one(TabbedContent).active == "runs"
    await pilot.pause(0.3)


def test_runs_view_with_two_runs_selected_120x40(snap_compare: Snap, make_app: AppFactory,
                                                 runs: Path, utc: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=two_selected)
