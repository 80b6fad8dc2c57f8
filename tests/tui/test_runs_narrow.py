"""The Runs view at 80 columns: beside the setup panel the list draws the columns that matter
first (best acc in view without scrolling), and the comparison table of three runs fits, no
cell cut short."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region

from tui_cnn.core.compare import compare
from tui_cnn.core.rows import difference_rows, result_rows
from tui_cnn.tui.runs.compare_table import CompareTable

from .conftest import AppFactory
from .helpers import screen_lines
from .test_runs_marks import (
    MAXPOOL,
    MLP,
    SMALL,
    STRIDE,
    five_runs,  # noqa: F401  (a fixture)
    mark,
    open_runs,
    row_line,
    show_setup,
)

BEST = {"a1b2": ("84.00%", "3/3"), "b3c4": ("85.50%", "3/3"), "c5d6": ("81.00%", "3/3"),
        "d7e8": ("75.00%", "2/2"), "f9a0": ("50.00%", "1/1")}


async def test_beside_the_setup_panel_every_run_shows_its_best_acc_without_scrolling(
        make_app: AppFactory, five_runs: Path) -> None:  # noqa: F811
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_runs(pilot)
        await show_setup(pilot, True)
        assert view.table.scroll_x == 0
        lines = screen_lines(app)
        header = lines[3]
        for heading in ("id", "arch", "dataset", "acc", "ep"):
            assert f" {heading} " in f"{header} ", header
        for short, (best, epochs) in BEST.items():
            line = row_line(lines, short)
            assert f" {short} " in line and "synth-digits" in line, line
            assert f" {best} {epochs}" in line, line
            # one space between columns, also after a right-aligned one (Rich trims a
            # right-aligned cell's trailing space: the next cell carries it)
            assert f"synth-digits {best} {epochs} " in line, line
        # The other columns still scroll into view.
        view.table.scroll_to(x=view.table.max_scroll_x, animate=False)
        await pilot.pause()
        assert "started" in screen_lines(app)[3]
        # Wide again, the list is drawn as before: the seed beside the dataset.
        await show_setup(pilot, False)
        await pilot.pause()
        assert "seed  best acc  epochs  status" in screen_lines(app)[3]


@pytest.mark.parametrize("setup_shown", [False, True])
async def test_the_comparison_of_three_runs_fits_80_columns_no_cell_cut(
        make_app: AppFactory, five_runs: Path, setup_shown: bool) -> None:  # noqa: F811
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_runs(pilot)
        await show_setup(pilot, setup_shown)
        marked = (MAXPOOL, STRIDE, MLP)
        await mark(pilot, view, *marked)
        table = view.query_one(CompareTable)
        lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
        text = "\n".join("".join(seg.text for seg in strip) for strip in lines)
        assert "…" not in text, text
        comparison = compare(view.selected_records)
        words = [word for row in difference_rows(comparison) + result_rows(comparison)
                 for cell in row[1:] for word in cell.split()]
        for word in words:
            assert word in text, (word, text)
        for label in ("conv", "channels", "downsample", "parameters", "mult-adds", "status"):
            assert label in text, text
        assert SMALL not in view.selected


async def test_the_fitted_table_builds_each_form_once_however_often_it_is_drawn(
        make_app: AppFactory, five_runs: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from tui_cnn.tui.runs import compare_table

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_runs(pilot)
        await mark(pilot, view, MAXPOOL, STRIDE, MLP)
        comparison = compare(view.selected_records)
    built: list[bool] = []
    real = compare_table.comparison_table

    def counted(*args: object, compact: bool = False) -> object:
        built.append(compact)
        return real(*args, compact=compact)  # type: ignore[arg-type]

    monkeypatch.setattr(compare_table, "comparison_table", counted)
    fitted = compare_table.FittedTable(comparison, [])
    for width in (200, 50, 200, 50):
        console = Console(width=width, record=True, color_system=None)
        console.print(fitted)
        if width == 50:
            assert "parameters" in console.export_text()
    assert built == [False, True]  # the whole one (also measured once), then the compact
