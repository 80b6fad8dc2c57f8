"""Start, watch, pause, resume, stop and quit a run through the keys (fake training loop)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import OptionList, ProgressBar, Select, Static

from tui_cnn.core.events import RunEnded
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.messages import Setup
from tui_cnn.tui.params.params_view import ParamsView
from tui_cnn.tui.setup.setup_panel import SetupPanel

from .conftest import AppFactory
from .fakes import FakeRunner
from .helpers import footer_keys, footer_text, notifications, wait_for, wait_until

SIZE = (120, 40)


def epochs_seen(app: TuiCnnApp) -> list[float]:
    return app.training_view.acc_chart.epochs


async def test_choose_arch_and_dataset_then_train(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        presets = app.query_one("#presets", OptionList)
        assert app.focused is presets
        await pilot.press("down", "down", "down", "down", "enter")  # cnn-small
        app.query_one("#dataset-select", Select).focus()
        await pilot.press("enter", "down", "enter")  # synth-shapes
        await wait_for(pilot, lambda: app.panel.data.dataset == "synth-shapes", what="dataset")
        assert app.panel.arch.spec.name == "cnn-small"
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       what="the run to end")
        assert app.session is not None and app.session.ended is not None
        assert app.session.ended.status == "finished"
        cfg = app.session.config
        assert (cfg.arch.name, cfg.dataset, cfg.threads) == ("cnn-small", "synth-shapes", 1)
        chart = app.training_view.acc_chart
        assert chart.epochs == [1.0, 2.0]
        assert all(0.0 <= acc <= 1.0 for acc in chart.test_acc)
        assert len(app.training_view.loss_chart.train_loss) > 0
        assert app.status.shown_state == "finished"
        assert "test acc (epoch 2)" in str(app.status.render())


async def test_pause_resume_stop(make_app: AppFactory, runner: FakeRunner) -> None:
    runner.step_s = 0.02
    app = make_app(epochs=20)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: epochs_seen(app), what="the first epoch")
        assert "space Pause" in footer_text(app)
        await pilot.press("space")
        assert app.session is not None and app.session.pause.is_set()
        assert app.status.shown_state == "paused"
        await pilot.pause(0.05)
        assert "space Resume" in footer_text(app)  # issue 20, item 10: it said Pause
        await pilot.pause(0.3)  # whatever was queued before the pause arrives
        steps = len(app.training_view.loss_chart.steps)
        await pilot.pause(0.5)
        assert len(app.training_view.loss_chart.steps) == steps, "training went on paused"
        await pilot.press("space")
        assert not app.session.pause.is_set()
        await pilot.pause(0.05)
        assert "space Pause" in footer_text(app)
        assert app.status.shown_state == "training"
        await wait_for(pilot, lambda: len(app.training_view.loss_chart.steps) > steps,
                       what="steps after resuming")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       what="RunEnded after stop")
        ended = app.session.ended
        assert isinstance(ended, RunEnded) and ended.status == "stopped"
        assert app.status.shown_state == "stopped"
        assert ended.run_dir is not None
        assert json.loads((Path(ended.run_dir) / "run.json").read_text())["status"] == "stopped"
        assert any("Stopped after" in text for text in notifications(app))


async def test_second_start_is_refused(make_app: AppFactory, runner: FakeRunner) -> None:
    runner.step_s = 0.02
    app = make_app(epochs=50)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.status.shown_state == "training", what="training")
        session = app.session
        await pilot.press("t")
        assert app.session is session
        assert runner.calls == 1
        assert any("already going" in text for text in notifications(app))


async def test_footer_shows_the_keys_for_now(make_app: AppFactory, runner: FakeRunner) -> None:
    """Idle: t (and f, R in the Runs view); training: space and x. So every key a view
    has fits in 80 columns. The keys left out still act: see the tests around this one."""
    runner.step_s = 0.01
    app = make_app(epochs=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "4")
        await pilot.pause()
        assert {"t", "f", "R"} <= footer_keys(app)
        assert not {"space", "x"} & footer_keys(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: {"space", "x"} <= footer_keys(app), what="run keys")
        await pilot.press("4")
        await wait_for(pilot, lambda: "i" in footer_keys(app), what="the Runs view's keys")
        assert not {"t", "f", "R"} & footer_keys(app)
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       what="the run to end")
        await wait_for(pilot, lambda: "t" in footer_keys(app), what="t back in the footer")
        assert not {"space", "x"} & footer_keys(app)


async def test_quit_while_training_saves_the_run(make_app: AppFactory,
                                                 runner: FakeRunner) -> None:
    runner.step_s = 0.02
    app = make_app(epochs=50)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.status.shown_state == "training", what="training")
        await pilot.press("q")
        session = app.session
        assert session is not None
        await wait_until(lambda: app.return_code is not None, what="the app to exit")
    assert session.done.is_set()
    assert session.ended is not None and session.ended.status == "stopped"
    assert session.ended.run_dir is not None
    saved = json.loads((Path(session.ended.run_dir) / "run.json").read_text())
    assert saved["status"] == "stopped"


async def test_keys_with_no_run_say_so(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "x")
        said = notifications(app)
        assert any("Nothing to pause" in text for text in said)
        assert any("Nothing to stop" in text for text in said)
        assert app.status.shown_state == "idle"


async def test_setup_changes_reach_listeners(make_app: AppFactory,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Setup] = []
    monkeypatch.setattr(ParamsView, "on_setup", lambda self, setup: seen.append(setup))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: seen, what="the first setup")
        assert seen[-1].arch.name == "cnn" and seen[-1].dataset == "synth-digits"
        app.panel.arch.select_preset("mlp")  # six fields change, one setup
        await wait_for(pilot, lambda: seen[-1].arch.name == "mlp", what="the mlp setup")
        await pilot.pause(0.2)
        assert [s.arch.name for s in seen].count("mlp") == 1
        panel = app.query_one(SetupPanel)
        await pilot.pause()
        assert app.status.device == "auto"
        app.query_one("#device-select", Select).value = "cpu"
        await wait_for(pilot, lambda: app.status.device == "cpu", what="the device")
        assert panel.setup.device == "cpu"


async def test_stop_while_preparing_data(make_app: AppFactory, runner: FakeRunner) -> None:
    runner.data_s = 30.0
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.status.shown_state == "preparing data",
                       what="data preparation")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.status.shown_state == "stopped", what="stopped")
        assert app.session is not None and app.session.ended is None
        assert "nothing saved" in str(app.query_one("#progress-text", Static).render())


async def test_hidden_chart_waits_and_shows_new_data_a_frame_after_it_is_shown(
        make_app: AppFactory, runner: FakeRunner) -> None:
    runner.step_s = 0.01
    app = make_app(epochs=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: epochs_seen(app), what="the first epoch")
        chart = app.training_view.loss_chart
        await pilot.press("2")  # Filters: the Training view is hidden
        await pilot.pause(0.1)
        renders = chart.renders
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       what="the run to end")
        await pilot.pause(0.5)  # flush ticks while hidden: nothing drawn
        assert chart.renders == renders and chart.dirty
        await pilot.press("1")
        await wait_for(pilot, lambda: chart.renders > renders and not chart.dirty,
                       what="a redraw after showing the chart")
        assert chart.epochs == [1.0, 2.0, 3.0]


async def test_an_idle_app_wakes_no_redraw_timer(make_app: AppFactory,
                                                 runner: FakeRunner) -> None:
    """Each wake-up of the UI thread takes the GIL from the trainer: redraw timers tick
    only while data comes, and only for the view on screen."""
    app = make_app(epochs=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await pilot.pause(1.5)  # the first showing's one redraw
        training, filters = app.training_view, app.query_one(FiltersView)
        ticks = (training.redraw.ticks, filters.redraw.ticks)
        await pilot.pause(1.5)
        assert (training.redraw.ticks, filters.redraw.ticks) == ticks, "idle, yet ticking"
        await pilot.press("t")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       what="the run to end")
        await wait_for(pilot, lambda: training.redraw.ticks > ticks[0], what="a redraw")
        assert filters.redraw.ticks == ticks[1]  # hidden all along
        await pilot.pause(1.5)  # the last data drawn, the timer sleeps again
        settled = training.redraw.ticks
        await pilot.pause(1.5)
        assert training.redraw.ticks == settled
        assert not training.loss_chart.dirty
        assert training.progress.query_one(ProgressBar).percentage == 1.0  # moved by events


async def test_the_step_line_does_not_lay_out_the_screen_each_step(
        make_app: AppFactory, runner: FakeRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Static.update lays out the whole screen (~25 ms) unless told the size is unchanged."""
    runner.step_s = 0.01
    app = make_app(epochs=2)
    layouts: list[str] = []
    original = Static.update

    def update(self: Static, content: object = "", *, layout: bool = True) -> None:
        if self.id == "progress-text" and layout:
            layouts.append(str(content))
        original(self, content, layout=layout)  # type: ignore[arg-type]

    monkeypatch.setattr(Static, "update", update)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       what="the run to end")
        steps = len(app.training_view.loss_chart.steps)
    assert steps > 10
    assert len(layouts) <= 3, layouts
