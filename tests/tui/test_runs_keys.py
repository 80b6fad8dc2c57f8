"""The Runs view by keyboard (issue 20, items 3, 8 and 9): the list has the focus on arrival
and shows it, the filter box is reached with / only, the page scrolls to an exercise's note
below the comparison, and notices name runs by their short id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TabbedContent

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.events import RunEnded
from tui_cnn.core.exercises import exercises
from tui_cnn.tui.controller import Plan
from tui_cnn.tui.runs.runs_view import RunsView

from .conftest import AppFactory
from .fakes import FakeRunner
from .helpers import notifications, screen_lines, wait_for
from .runstore import write_run

MAXPOOL = "20261201-070000-cnn-synth-digits-a1b2"
SHAPES = "20261201-071000-cnn-synth-shapes-c5d6"
LAST_LINE = "images/s and accuracy."  # the end of the note shown


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    write_run(root, MAXPOOL, accs=(0.61, 0.78, 0.84), created=1_764_000_000.0)
    write_run(root, SHAPES, accs=(0.35, 0.41, 0.47), created=1_764_000_600.0)
    return root


async def open_runs(pilot: Pilot[Any]) -> RunsView:
    await pilot.press("escape", "4")
    view = pilot.app.query_one(RunsView)
    await wait_for(pilot, lambda: view.table.row_count == 2, what="the runs listed")
    return view


def focus_bar(app: Any, widget: Any) -> str:
    """The character drawn at the left edge of ``widget``'s first line."""
    region = widget.region
    return screen_lines(app)[region.y][region.x]


async def test_the_list_has_the_focus_and_shows_it(make_app: AppFactory, runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape", "2")  # another view first: the list gets it on arrival
        view = await open_runs(pilot)
        table, box = view.table, view.query_one("#runs-filter")
        assert app.focused is table
        assert focus_bar(app, table) == "▊" and focus_bar(app, box) == " "
        await pilot.press("slash")
        assert app.focused is box
        assert focus_bar(app, table) == " " and focus_bar(app, box) == "▊"
        await pilot.press("escape")
        assert app.focused is table and focus_bar(app, table) == "▊"
        await pilot.click("#runs-filter")  # a click reaches it too
        assert app.focused is box
        await pilot.press(*"cnn", "enter")
        assert app.focused is table and len(view.table.shown) == 2


async def test_at_80_columns_the_list_has_the_focus_on_arrival(make_app: AppFactory,
                                                               runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)  # started, with the focus in the setup panel
        await pilot.press("4")  # which then hides to make room
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: view.table.row_count == 2, what="the runs listed")
        assert not app.panel.display
        assert app.focused is view.table
        await pilot.press("down")
        assert view.table.cursor_row == 1


async def test_tab_never_lands_in_the_filter_box(make_app: AppFactory, runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_runs(pilot)
        seen = []
        for _ in range(40):  # round the whole focus chain, both ways
            await pilot.press("tab")
            seen.append(app.focused)
        for _ in range(40):
            await pilot.press("shift+tab")
            seen.append(app.focused)
        assert view.table in seen
        assert view not in seen  # the view itself, which showed no mark of it
        assert not any(widget is not None and widget.id == "runs-filter" for widget in seen)
        view.table.focus()
        await pilot.press("i")  # acts on the list: inspects the run under the cursor
        assert app.query_one(TabbedContent).active == "filters"
        assert view.query_one("#runs-filter", Input).value == ""


async def test_the_setup_key_leaves_the_focus_on_the_list(make_app: AppFactory,
                                                          runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_runs(pilot)
        await pilot.press("s")
        assert app.focused is view.table
        await pilot.press("s")
        assert app.focused is view.table
        await pilot.press("down")
        assert view.table.cursor_row == 1


def exercise_3_plan(config: TrainConfig) -> Plan:
    """Exercise 3 as it ends: both runs finished (they are MAXPOOL and SHAPES here)."""
    exercise = exercises(config, present=lambda name: False)[2]
    ended = [RunEnded("finished", "", run_id, None, 3, 30, 0.8, 0.8, 6.0, 3000.0, 1)
             for run_id in (MAXPOOL, SHAPES)]
    return Plan(exercise.title, list(exercise.configs), kind="exercise", exercise=exercise,
                ended=ended)


@pytest.mark.parametrize(("size", "key"), [((120, 40), "end"), ((120, 40), "pagedown"),
                                           ((80, 24), "end"), ((80, 24), "pagedown")])
async def test_the_exercise_note_is_reached_with_the_keyboard(
        make_app: AppFactory, runs: Path, config: TrainConfig, size: tuple[int, int],
        key: str) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        view = await open_runs(pilot)
        view.show_plan(exercise_3_plan(config))
        await pilot.pause()
        assert app.focused is view.table
        assert len(view.selected) == 2
        assert not any(LAST_LINE in line for line in screen_lines(app))
        for _ in range(10):  # End once; Page Down a few times
            await pilot.press(key)
            if any(LAST_LINE in line for line in screen_lines(app)):
                break
        assert any(LAST_LINE in line for line in screen_lines(app)), "\n".join(
            screen_lines(app))
        assert app.focused is view.table
        await pilot.press("up")  # the list again, where the cursor moves
        assert any(" a1b2 " in line for line in screen_lines(app))


async def test_a_notice_names_the_run_by_its_short_id(make_app: AppFactory,
                                                      runner: FakeRunner) -> None:
    app = make_app(epochs=1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       what="the run to end")
        assert app.session is not None and app.session.ended is not None
        run_id = app.session.ended.run_id
        [said] = [text for text in notifications(app) if text.startswith("Training finished")]
        assert run_id not in said
        short = said.split("Saved as run ")[1].split()[0]
        assert run_id.endswith(short)
        await pilot.pause()
        assert any(f"run {short}" in line for line in screen_lines(app))  # the toast
