"""The Runs view over runs trained by the real core on synth-digits (small and fast): overlay,
fork, resume, exercises; and the run queue cut short (fake runner)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static, TabbedContent

from tui_cnn.core.compare import differences
from tui_cnn.core.config import PRESETS
from tui_cnn.core.exercises import FORK_FIELDS, fork_config
from tui_cnn.core.runs import list_runs, read_jsonl
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.dialogs.fork import ForkScreen
from tui_cnn.tui.dialogs.resume import ResumeScreen
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.inside.inside_view import InsideView
from tui_cnn.tui.runs.runs_view import RunsView

from .conftest import AppFactory
from .fakes import FakeRunner
from .helpers import screen_text, wait_for

pytest.importorskip("torch")

SIZE = (120, 40)
SMALL = PRESETS["cnn-small"]
TINY = {"arch": SMALL, "epochs": 1, "train_size": 600, "test_size": 200}


def rendered(view: RunsView, selector: str) -> str:
    """What a Static in the view shows, as plain text (whether scrolled into view or not)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(view.query_one(selector, Static).content)
    return console.export_text()


def idle(app: TuiCnnApp) -> bool:
    return (app.session is not None and not app.session.running
            and not app.controller.busy)


async def train(pilot: Pilot[Any], app: TuiCnnApp) -> str:
    """Start the setup panel's run with t; its id once its worker has ended."""
    await pilot.press("escape", "t")
    await wait_for(pilot, lambda: idle(app), timeout=120, what="the run to end")
    assert app.session is not None and app.session.ended is not None
    assert app.session.ended.status == "finished", app.session.ended.reason
    return app.session.ended.run_id


async def runs_view(pilot: Pilot[Any], app: TuiCnnApp, rows: int) -> RunsView:
    await pilot.press("4")
    view = app.query_one(RunsView)
    await wait_for(pilot, lambda: view.table.row_count == rows, what=f"{rows} runs listed")
    return view


async def test_two_real_runs_overlay_and_compare(make_app: AppFactory) -> None:
    app = make_app(runner_=None, **TINY)
    async with app.run_test(size=SIZE) as pilot:
        first = await train(pilot, app)
        assert app.start_run(fork_config(app.config, "arch.downsample", "stride"))
        await wait_for(pilot, lambda: idle(app), timeout=120, what="the second run")
        view = await runs_view(pilot, app, 2)
        for run_id in view.table.shown:
            view.table.move_cursor(row=view.table.shown.index(run_id))
            await pilot.press("enter")
        curves = view.chart.curves
        assert {c.run_id for c in curves} == {first, app.session.ended.run_id}  # type: ignore[union-attr]
        for curve in curves:
            assert curve.test_acc.xs == [1.0] and 0.0 < curve.test_acc.ys[0] <= 1.0
            assert len(curve.train_loss.xs) >= 2
        text = screen_text(app)
        assert "arch.downsample" in text and "maxpool" in text and "stride" in text
        assert "26,698 (1.00x)" in text  # the same parameters; fewer mult-adds


async def choose_field(pilot: Pilot[Any], screen: ForkScreen, name: str, value: str) -> None:
    screen.query_one(OptionList).highlighted = list(FORK_FIELDS).index(name)
    await pilot.pause()
    field = screen.query_one("#fork-value", Input)
    field.focus()
    field.value = ""
    await pilot.press(*value, "enter")


async def test_fork_keeps_the_seed_changes_one_setting_and_compares(
        make_app: AppFactory) -> None:
    app = make_app(runner_=None, seed=7, **TINY)
    async with app.run_test(size=SIZE) as pilot:
        base = await train(pilot, app)
        view = await runs_view(pilot, app, 1)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForkScreen), what="the dialog")
        assert isinstance(app.screen, ForkScreen)
        await choose_field(pilot, app.screen, "lr", "0.0o1")
        assert "lr: '0.0o1' is not right" in screen_text(app)
        await choose_field(pilot, app.screen, "lr", "0.01")
        await wait_for(pilot, lambda: idle(app) and len(view.selected) == 2, timeout=120,
                       what="the fork to train and the comparison to open")
        assert app.query_one(TabbedContent).active == "runs"
        original, fork = view.selected_records
        assert original.run_id == base and fork.state == "finished"
        assert differences([original.config, fork.config]) == {"lr": (0.004, 0.01)}
        assert original.config["seed"] == fork.config["seed"] == 7


async def test_resume_continues_the_step_count_and_the_curves(make_app: AppFactory,
                                                              tmp_path: Path) -> None:
    app = make_app(runner_=None, **TINY)
    async with app.run_test(size=SIZE) as pilot:
        run_id = await train(pilot, app)
        loss = app.training_view.loss_chart
        before = list(zip(loss.steps, loss.train_loss, strict=True))
        await runs_view(pilot, app, 1)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ResumeScreen), what="the dialog")
        app.screen.query_one(Input).value = ""
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: idle(app) and app.session.ended.run_id == run_id,  # type: ignore[union-attr]
                       timeout=120, what="the resumed run")
        assert app.session is not None and app.session.started is not None
        assert app.session.started.start_epoch == 2 and app.session.ended is not None
        assert app.session.ended.status == "finished" and app.session.ended.epochs_done == 2
        after = list(zip(loss.steps, loss.train_loss, strict=True))
        assert after[:len(before)] == before  # the saved curve, then more
        assert after[-1][0] == pytest.approx(2.0)
        assert app.training_view.acc_chart.epochs == [1.0, 2.0]
        await pilot.press("5")  # Inside: the first epoch's history too, from the files
        inside = app.query_one(InsideView)
        await wait_for(pilot, lambda: inside.state.epochs == [1, 2], what="both epochs")
        await wait_for(pilot, lambda: bool(inside.series.steps)
                       and inside.series.steps[0] <= app.session.started.steps_per_epoch,  # type: ignore[union-attr]
                       what="epoch 1's layer statistics")
    [run] = list_runs(tmp_path / "runs")
    steps = [row["step"] for row in read_jsonl(run.path / "steps.jsonl", [])]
    per_epoch = steps[-1] // 2
    assert steps == sorted(set(steps)) and steps[-1] == 2 * per_epoch
    assert [e["epoch"] for e in run.epochs] == [1, 2] and run.epochs[1]["step"] == steps[-1]


async def test_exercise_2_trains_both_variants_then_compares(make_app: AppFactory) -> None:
    app = make_app(runner_=None, train_size=600, test_size=200)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "e", "2")
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: idle(app) and len(view.selected) == 2, timeout=240,
                       what="both runs and the comparison")
        maxpool, stride = view.selected_records
        assert maxpool.config["arch"]["name"] == "cnn"
        assert stride.config["arch"]["name"] == "cnn-stride2"
        assert maxpool.config["seed"] == stride.config["seed"]
        assert len(maxpool.epochs) == len(stride.epochs) == 3
        assert "Exercise 2 · MaxPool vs stride 2 · done" in rendered(view, "#exercise-note")
        assert "1.36M (0.32x)" in rendered(view, "#compare-table")


async def test_exercise_1_ends_on_the_filters_with_edge_scores(make_app: AppFactory) -> None:
    app = make_app(runner_=None, train_size=600, test_size=200)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "e", "1")
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: idle(app) and len(view.selected) == 1, timeout=240,
                       what="the run")
        note = rendered(view, "#exercise-note")
        assert "before training:" in note and "after epoch 1:" in note
        assert "after epoch 3:" in note
        assert "filters are edge-like (|r| > 0.8)" in note
        if hasattr(FiltersView, "show_run"):  # the view that shows a saved run's filters
            assert app.query_one(TabbedContent).active == "filters"


async def test_stopping_an_exercise_run_cuts_it_short(make_app: AppFactory) -> None:
    app = make_app(runner_=FakeRunner(step_s=0.02))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "e", "2")
        await wait_for(pilot, lambda: app.session is not None and app.session.started,
                       what="the first run")
        await pilot.press("x")
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: idle(app), what="the queue to give up")
        assert not app.controller.busy
        note = rendered(view, "#exercise-note")
        assert "cut short: 0 of 2 run(s) finished" in note
