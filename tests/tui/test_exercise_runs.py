"""Exercises reuse a finished identical run unless asked to train again, and every place that
shows progress names the run being trained (issue 20, item 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Select, TabbedContent

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.exercises import exercises
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.dialogs.exercises import ExerciseScreen
from tui_cnn.tui.dialogs.steer import SteerScreen
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.runs.runs_view import RunsView
from tui_cnn.tui.setup.arch_picker import ArchPicker
from tui_cnn.tui.widgets.status_line import StatusLine

from .conftest import AppFactory
from .fakes import FakeRunner
from .helpers import notifications, screen_text, wait_for
from .runstore import write_run

SIZE = (120, 40)
SAVED = "20261201-100000-cnn-synth-digits-a1b2"


def exercise_configs(config: TrainConfig, number: int) -> tuple[TrainConfig, ...]:
    """The configs exercise ``number`` trains in the app made over ``config`` (cpu)."""
    return exercises(config.replace(device="cpu"), lambda name: False)[number - 1].configs


def idle(app: TuiCnnApp) -> bool:
    return not app.controller.busy and not app.controller.training


def saved_cnn(config: TrainConfig, run_id: str = SAVED, **changes: Any) -> Path:
    """A finished run of the exercises' first config (cnn on synth-digits, seed 0)."""
    cfg = exercise_configs(config, 2)[0].replace(**changes)
    return write_run(Path(config.runs_dir or ""), run_id, cfg=cfg,
                     accs=(0.9, 0.95, 0.97)[:cfg.epochs], created=1_796_119_200.0)


async def open_dialog(pilot: Pilot[Any], app: TuiCnnApp) -> None:
    await pilot.press("escape", "e")
    await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the dialog")


async def run_exercise(pilot: Pilot[Any], app: TuiCnnApp, *keys: str,
                       opened: bool = False) -> None:
    """Press ``keys`` in the exercises dialog (opened first unless ``opened``); wait for
    the exercise's runs to end."""
    if not opened:
        await open_dialog(pilot, app)
    await pilot.press(*keys)
    await wait_for(pilot, lambda: app.controller.busy or idle(app), what="the plan")
    await wait_for(pilot, lambda: idle(app), timeout=60, what="the exercise to end")


async def test_exercise_2_reuses_a_finished_identical_run(make_app: AppFactory,
                                                          config: TrainConfig,
                                                          runner: FakeRunner) -> None:
    saved_cnn(config)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await run_exercise(pilot, app, "2")
        assert runner.calls == 1  # only cnn-stride2 trained
        assert any(f"reusing run {SAVED}, finished 2026-" in n for n in notifications(app))
        view = app.query_one(RunsView)
        assert list(view.selected)[0] == SAVED and len(view.selected) == 2
        assert app.session is not None and app.session.config.arch.name == "cnn-stride2"


async def test_r_in_the_dialog_trains_every_run_again(make_app: AppFactory,
                                                      config: TrainConfig,
                                                      runner: FakeRunner) -> None:
    saved_cnn(config)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app)
        await pilot.press("down")
        text = screen_text(app)
        assert f"reuses {SAVED}" in text and "r: train it again" in text
        await pilot.press("r")
        assert "trains every run again" in screen_text(app)
        await run_exercise(pilot, app, "2", opened=True)
        assert runner.calls == 2
        assert not any("reusing run" in n for n in notifications(app))


async def test_a_run_that_differs_or_did_not_finish_is_trained_again(
        make_app: AppFactory, config: TrainConfig, runner: FakeRunner) -> None:
    saved_cnn(config, "20261201-100000-cnn-synth-digits-0001", seed=1)
    saved_cnn(config, "20261201-100000-cnn-synth-digits-0002", epochs=2)
    write_run(Path(config.runs_dir or ""), "20261201-100000-cnn-synth-digits-0003",
              cfg=exercise_configs(config, 2)[0], accs=(0.9, 0.95, 0.97),
              status="stopped")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await run_exercise(pilot, app, "2")
        assert runner.calls == 2
        assert not any("reusing run" in n for n in notifications(app))


async def test_exercise_1_done_before_trains_nothing_and_opens_it(make_app: AppFactory,
                                                                  config: TrainConfig,
                                                                  runner: FakeRunner) -> None:
    saved_cnn(config)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await run_exercise(pilot, app, "1")
        assert runner.calls == 0
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "filters",
                       what="the Filters view")
        assert SAVED in app.query_one(FiltersView).source
        note = str(app.query_one(RunsView).query_one("#exercise-note").render())
        assert f"reusing run {SAVED}" in note


async def test_the_run_training_is_named_in_progress_status_and_setup(
        make_app: AppFactory, config: TrainConfig) -> None:
    """While exercise 2's second variant trains, everything that shows progress says it is
    cnn-stride2 and which run, and the setup panel shows its settings."""
    app = make_app(runner_=FakeRunner(step_s=0.03))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "e", "2")

        def second_training() -> bool:
            session = app.session
            return (session is not None and session.started is not None
                    and session.started.config.arch.name == "cnn-stride2")

        await wait_for(pilot, second_training, timeout=60, what="the second variant")
        await wait_for(pilot, lambda: "epoch 1/3" in screen_text(app), what="a step line")
        assert app.session is not None and app.session.started is not None
        run_id = app.session.started.run_id
        progress = str(app.query_one("#progress-run").render())
        assert "Exercise 2 · run 2 of 2" in progress and run_id in progress
        assert "cnn-stride2 on synth-digits" in progress
        status = str(app.query_one(StatusLine).render())
        assert run_id in status and "training" in status
        arch = app.query_one(ArchPicker)
        assert arch.spec.name == "cnn-stride2"
        assert app.query_one("#downsample", Select).value == "stride"
        assert run_id in str(app.query_one("#setup-run").render())
        assert run_id in app.query_one(FiltersView).source  # Filters follows the run
        await pilot.press("x")
        await wait_for(pilot, lambda: idle(app), what="the stop")


async def test_a_steer_dialog_left_open_changes_no_later_run_of_the_plan(
        make_app: AppFactory) -> None:
    """L opened while exercise 2's first run trains names that run; answered after the
    second has started, it changes nothing (the second run stays as the exercise set it)."""
    app = make_app(runner_=FakeRunner(step_s=0.02))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "e", "2")
        await wait_for(pilot, lambda: app.session is not None
                       and app.session.started is not None, timeout=60, what="run 1")
        assert app.session is not None and app.session.started is not None
        first = app.session.started.run_id
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, SteerScreen), what="the dialog")
        assert f"Change the learning rate of {first}" in screen_text(app)
        box = app.screen.query_one("#steer").region  # centred, as the other dialogs
        assert box.x > 0 and abs(box.x - (SIZE[0] - box.right)) <= 1
        await wait_for(pilot, lambda: app.session is not None and app.session.started
                       is not None and app.session.started.run_id != first, timeout=60,
                       what="run 2")
        assert app.session is not None
        second = app.session
        await pilot.press(*"1e-4", "enter")
        assert second.steering.take_lr() is None  # nothing asked of run 2
        assert any(f"Run {first} ended before the change" in n for n in notifications(app))
        await pilot.press("x")
        await wait_for(pilot, lambda: idle(app), what="the stop")


async def test_steering_a_run_still_starting_says_so(make_app: AppFactory) -> None:
    app = make_app(runner_=FakeRunner(data_s=30))  # "preparing data" until stopped
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.training, what="the run")
        await pilot.press("L")
        assert not isinstance(app.screen, SteerScreen)
        assert any("still starting" in n for n in notifications(app))
        await pilot.press("x")
        await wait_for(pilot, lambda: idle(app), what="the stop")


async def test_exercise_2_done_before_compares_and_filters_shows_its_last_run(
        make_app: AppFactory, config: TrainConfig, runner: FakeRunner) -> None:
    saved_cnn(config)
    stride = "20261201-100500-cnn-stride2-synth-digits-c3d4"
    write_run(Path(config.runs_dir or ""), stride, cfg=exercise_configs(config, 2)[1],
              accs=(0.9, 0.94, 0.96), created=1_796_119_500.0)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await run_exercise(pilot, app, "2")
        assert runner.calls == 0
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: len(view.selected) == 2, what="the comparison")
        assert list(view.selected) == [SAVED, stride]
        assert app.query_one(TabbedContent).active == "runs"
        assert stride in app.query_one(FiltersView).source


def test_the_status_line_fits_the_run_id_it_has_room_for() -> None:
    from tui_cnn.fmt import fit_run_id as fitted_id

    run_id = "20261201-113423-cnn-stride2-synth-digits-ab12"
    assert fitted_id(run_id, 60) == run_id
    assert fitted_id(run_id, 30) == "cnn-stride2-synth-digits-ab12"
    assert fitted_id(run_id, 12) == "…digits-ab12"


def test_the_progress_heading_fits_its_line() -> None:
    from tui_cnn.core.events import RunStarted
    from tui_cnn.tui.training.run_progress import run_heading

    run_id = "20261201-113423-cnn-stride2-synth-digits-ab12"
    cfg = exercise_configs(TrainConfig(), 2)[1]
    event = RunStarted(run_id, None, cfg, 1, 1, "cpu", "cpu", 1, cfg.dataset, 1, 1,
                       (1, 28, 28), tuple("0123456789"), 1, 1)
    plan = "Exercise 2 · run 2 of 2"
    assert run_heading(plan, event, 200) == (
        f"{plan} · cnn-stride2 on synth-digits, seed 0 · {run_id}")
    assert run_heading(plan, event, 80) == f"{plan} · seed 0 · {run_id}"
    assert run_heading(plan, event, 66) == f"{plan} · seed 0 · cnn-stride2-synth-digits-ab12"
