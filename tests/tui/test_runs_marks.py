"""Telling runs apart in the Runs view (issue 20, items 1, 2 and 7): each marked run's colour,
the same in the list, the comparison table and the chart; short distinct ids, the seed and the
identifying columns kept in view; a gap in test accuracy as a count of test images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from tui_cnn.tui.runs.compare_table import CompareTable
from tui_cnn.tui.runs.runs_view import RunsView

from .conftest import AppFactory
from .helpers import screen_lines, wait_for
from .runstore import write_run

MAXPOOL = "20261201-070000-cnn-synth-digits-a1b2"
SEED_1 = "20261201-070500-cnn-synth-digits-b3c4"  # MAXPOOL with seed 1: nothing else differs
STRIDE = "20261201-071000-cnn-stride2-synth-digits-c5d6"
MLP = "20261201-071500-mlp-synth-digits-d7e8"
SMALL = "20261201-072000-cnn-small-synth-digits-f9a0"
MARK = "●"
Rgb = tuple[int, int, int]


@pytest.fixture
def five_runs(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    write_run(root, MAXPOOL, accs=(0.61, 0.78, 0.84), created=1_764_000_000.0)
    write_run(root, SEED_1, accs=(0.60, 0.77, 0.855), created=1_764_000_300.0, seed=1)
    write_run(root, STRIDE, arch="cnn-stride2", accs=(0.55, 0.74, 0.81),
              created=1_764_000_600.0)
    write_run(root, MLP, arch="mlp", accs=(0.7, 0.75), created=1_764_000_900.0, epochs=2)
    write_run(root, SMALL, arch="cnn-small", accs=(0.5,), created=1_764_001_200.0, epochs=1)
    return root


async def open_runs(pilot: Pilot[Any], rows: int = 5) -> RunsView:
    await pilot.press("escape", "4")
    view = pilot.app.query_one(RunsView)
    await wait_for(pilot, lambda: view.table.row_count == rows, what="the runs listed")
    return view


async def show_setup(pilot: Pilot[Any], shown: bool) -> None:
    """The setup panel shown or hidden (at 80x24 the app starts with it hidden)."""
    if pilot.app.panel.display != shown:  # type: ignore[attr-defined]
        await pilot.press("s")
        await pilot.pause()


async def mark(pilot: Pilot[Any], view: RunsView, *run_ids: str) -> None:
    """enter on each run's row, as a user marks runs; the cursor then rests on SMALL
    (never marked here), whose row draws the cursor over its mark."""
    for run_id in run_ids:
        view.table.move_cursor(row=view.table.shown.index(run_id))
        await pilot.press("enter")
    view.table.move_cursor(row=view.table.shown.index(SMALL))
    await pilot.pause(0.3)


def coloured_glyphs(widget: Widget) -> list[tuple[int, str, Rgb]]:
    """(line, text, foreground) of every segment the widget draws now with a colour."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return [(y, seg.text, seg.style.color.get_truecolor())
            for y, strip in enumerate(lines) for seg in strip
            if seg.text.strip() and seg.style is not None and seg.style.color is not None]


def list_colours(view: RunsView) -> dict[str, Rgb]:
    """Each marked run's ● in the list, by its row."""
    shown = view.table.shown
    found: dict[str, Rgb] = {}
    for y, text, colour in coloured_glyphs(view.table):
        if text.strip() == MARK and 0 < y <= len(shown):  # line 0 is the header
            found[shown[y - 1]] = colour
    return found


def header_colours(view: RunsView, run_ids: tuple[str, ...]) -> dict[str, Rgb]:
    """Each run's column heading in the comparison table (one that names the run's tag)."""
    headings = [(text, colour) for _, text, colour in
                coloured_glyphs(view.query_one(CompareTable)) if text.startswith(MARK)]
    return {rid: colour for rid in run_ids for text, colour in headings if rid[-4:] in text}


def chart_colours(view: RunsView) -> set[Rgb]:
    """The colours of the chart's lines and markers (braille dots and o)."""
    return {colour for _, text, colour in coloured_glyphs(view.chart)
            if all(0x2800 <= ord(c) <= 0x28FF or c == "o" for c in text.strip())}


@pytest.mark.parametrize("marked", [(MAXPOOL, STRIDE), (MAXPOOL, SEED_1, MLP)])
async def test_marked_runs_have_distinct_colours_the_same_everywhere(
        make_app: AppFactory, five_runs: Path, marked: tuple[str, ...]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_runs(pilot)
        await mark(pilot, view, *marked)
        in_list = list_colours(view)
        assert set(in_list) == set(marked)
        assert len(set(in_list.values())) == len(marked), in_list  # distinct
        assert header_colours(view, marked) == in_list
        assert chart_colours(view) == set(in_list.values())
        view.table.move_cursor(row=view.table.shown.index(marked[0]))
        await pilot.pause()
        assert list_colours(view) == in_list  # the cursor's row keeps its mark's colour
        # Unmarked, the others keep their colour; the chart then draws only the last one's.
        await mark(pilot, view, *marked[:-1])
        assert list_colours(view) == {marked[-1]: in_list[marked[-1]]}
        assert chart_colours(view) == {in_list[marked[-1]]}


async def test_a_marked_run_keeps_its_colour_and_a_new_one_takes_a_free_one(
        make_app: AppFactory, five_runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_runs(pilot)
        await mark(pilot, view, MAXPOOL, SEED_1, STRIDE)
        before = list_colours(view)
        await mark(pilot, view, SEED_1, MLP)  # SEED_1 off, MLP on: it takes SEED_1's colour
        after = list_colours(view)
        assert after == {MAXPOOL: before[MAXPOOL], STRIDE: before[STRIDE],
                         MLP: before[SEED_1]}


def row_line(lines: list[str], short_id: str) -> str:
    """The one line of the screen that names the run (its row in the list)."""
    [line] = [line for line in lines if f" {short_id} " in line and "best" not in line
              and "▸" not in line]
    return line


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_runs_show_a_short_distinct_id_and_the_seed(
        make_app: AppFactory, five_runs: Path, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        view = await open_runs(pilot)
        short = view.table.short_ids
        assert [short[rid] for rid in (MAXPOOL, SEED_1, STRIDE, MLP, SMALL)] == [
            "a1b2", "b3c4", "c5d6", "d7e8", "f9a0"]
        lines = screen_lines(app)
        assert "seed" in lines[3]  # the list's header, under the tabs and the filter
        maxpool, seed_1 = row_line(lines, "a1b2"), row_line(lines, "b3c4")
        assert maxpool != seed_1
        for line, seed in ((maxpool, "0"), (seed_1, "1")):
            assert f" {seed} " in line and "cnn" in line, line


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_identifying_columns_stay_when_the_list_scrolls_sideways(
        make_app: AppFactory, five_runs: Path, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        view = await open_runs(pilot)
        await show_setup(pilot, size[0] > 100)  # 80x24: the list as wide as it gets
        table = view.table
        assert table.max_scroll_x > 0, "the columns fit: nothing to scroll"
        await pilot.press("right", "right")
        assert table.scroll_x > 0, app.focused  # the keys scroll the list sideways
        table.scroll_to(x=table.max_scroll_x, animate=False)  # as far as they go
        await pilot.pause()
        lines = screen_lines(app)
        assert "started" in lines[3]  # scrolled to the last column
        line = row_line(lines, "c5d6")
        for cell in ("cnn-stride2", "synth-digits", " 0 "):
            assert cell in line, line


async def test_at_80x24_with_the_setup_panel_the_id_stays_and_accuracy_shows(
        make_app: AppFactory, five_runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_runs(pilot)
        await show_setup(pilot, True)
        await mark(pilot, view, MAXPOOL, STRIDE)
        text = "\n".join(screen_lines(app))
        assert "84.00%" in text and "81.00%" in text, text  # the marked runs' accuracy
        view.table.move_cursor(row=view.table.shown.index(SEED_1))
        await pilot.pause()
        assert "85.50%" in "\n".join(screen_lines(app))  # the cursor's run's
        view.table.scroll_to(x=view.table.max_scroll_x, animate=False)
        await pilot.pause()
        for short in ("a1b2", "b3c4", "c5d6", "d7e8", "f9a0"):
            row_line(screen_lines(app), short)  # every row still names its run


async def test_the_chart_heading_names_the_plotted_runs_not_the_cursor_row(
        make_app: AppFactory, five_runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_runs(pilot)
        await mark(pilot, view, MAXPOOL, STRIDE)  # the cursor rests on SMALL
        lines = screen_lines(app)
        chart_top = next(i for i, line in enumerate(lines) if "┌" in line)
        heading = lines[chart_top - 1]
        assert "a1b2" in heading and "c5d6" in heading, heading
        assert "f9a0" not in heading and SMALL not in heading, heading


async def test_an_accuracy_gap_is_counted_in_test_images(make_app: AppFactory,
                                                         five_runs: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_runs(pilot)
        await mark(pilot, view, MAXPOOL, STRIDE, SEED_1)
        await pilot.press("end")  # the view's end: the comparison table
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        # Final test accuracy 84.00%, 81.00%, 85.50% of 200 test images: 168, 162, 171.
        assert "-3.00 pp = 6 of 200 test images" in text, text
        assert "+1.50 pp = 3 of 200 test images" in text
