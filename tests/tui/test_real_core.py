"""The app over the real training loop (core.train.run) on synth-digits: small and fast."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_cnn.core.config import PRESETS
from tui_cnn.core.runs import list_runs

from .conftest import AppFactory
from .helpers import notifications, screen_text, wait_for, wait_until

pytest.importorskip("torch")

SIZE = (120, 40)
SMALL = PRESETS["cnn-small"]


async def test_real_run_finishes_and_is_saved(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(runner_=None, arch=SMALL, epochs=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.training_view.acc_chart.epochs, timeout=120,
                       what="the first epoch's metrics in the chart")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       timeout=120, what="the run to end")
        assert app.session is not None and app.session.ended is not None
        assert app.session.ended.status == "finished", app.session.ended.reason
        assert app.training_view.acc_chart.epochs == [1.0, 2.0]
        assert app.session.started is not None and app.session.started.threads == 1
        assert app.status.shown_state == "finished"
    [run] = list_runs(tmp_path / "runs")
    assert run.state == "finished"


async def test_real_run_pauses_resumes_and_stops(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(runner_=None, arch=SMALL, epochs=200, log_every=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        loss = app.training_view.loss_chart
        await wait_for(pilot, lambda: loss.steps, timeout=120, what="the first steps")
        await pilot.press("space")
        assert app.status.shown_state == "paused"
        await pilot.pause(0.5)
        seen = len(loss.steps)
        await pilot.pause(0.5)
        assert len(loss.steps) == seen
        await pilot.press("space")
        await wait_for(pilot, lambda: len(loss.steps) > seen, what="steps after resuming")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       timeout=60, what="the run to stop")
        assert app.session is not None and app.session.ended is not None
        assert app.session.ended.status == "stopped"
        assert app.status.shown_state == "stopped"
    [run] = list_runs(tmp_path / "runs")
    assert run.state == "stopped"


async def test_real_quit_while_training_saves_the_run(make_app: AppFactory,
                                                      tmp_path: Path) -> None:
    app = make_app(runner_=None, arch=SMALL, epochs=200)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.status.shown_state == "training", timeout=120,
                       what="training")
        await pilot.press("q")  # it trains in its own process: stop it, or leave it?
        await wait_for(pilot, lambda: any("Quit while" in t for t in [screen_text(app)]),
                       what="the quit dialog")
        await pilot.press("s")  # stop and save it
        await wait_until(lambda: app.return_code is not None, timeout=60, what="the exit")
    assert app.session is not None and app.session.done.is_set()
    [run] = list_runs(tmp_path / "runs")
    assert run.state == "stopped"


async def test_real_missing_device_and_missing_data_are_explained(
        make_app: AppFactory) -> None:
    app = make_app(runner_=None, device="cuda:7")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.status.shown_state == "failed", timeout=120,
                       what="the device failure")
        assert any("cuda:7" in text for text in notifications(app))
    app = make_app(runner_=None, dataset="mnist", download=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.status.shown_state == "failed", timeout=120,
                       what="the data failure")
        assert any("MNIST is not downloaded" in text for text in notifications(app))
