"""Runs that outlive the app, with real training processes: q can leave a run training,
and a second app attaches to it, shows its progress and steers it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.liveruns import kill_live_runs
from tui_cnn.core.runs import list_runs
from tui_cnn.tui.app import TuiCnnApp

from .attaching import SIZE, attach_and_stop, tiny, wait_live
from .fakes import FIXED_DEVICES
from .helpers import notifications, screen_text, wait_for, wait_until

pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def no_run_left_training(tmp_path: Path) -> Iterator[None]:
    """Whatever a test leaves training is killed (its processes outlive the test)."""
    yield
    kill_live_runs(tmp_path / "runs")


async def start_training(app: TuiCnnApp, pilot: Pilot[int]) -> None:
    await pilot.press("t")
    await wait_for(pilot, lambda: app.status.shown_state == "training", timeout=60,
                   what="training")


async def stop_training(app: TuiCnnApp, pilot: Pilot[int]) -> None:
    await pilot.press("x")
    await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                   timeout=30, what="the run to stop")


async def test_q_then_leave_keeps_the_run_training_and_a_new_app_attaches(
        tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    app = TuiCnnApp(tiny(runs_dir), devices=FIXED_DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        await start_training(app, pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: "Quit while" in screen_text(app), what="the dialog")
        text = screen_text(app)
        assert "Stop it and save it" in text and "Leave it training" in text
        await pilot.press("l")
        await wait_until(lambda: app.return_code is not None, timeout=30, what="the exit")
    step = wait_live(runs_dir)  # the app is gone, the run trains on
    wait_live(runs_dir, past_step=step)
    [record] = list_runs(runs_dir)
    assert record.state == "running"
    # run_app prints it once the app has closed (the notice went with the screen)
    assert app.farewell == (f"{record.run_id} keeps training: `tui-cnn attach "
                            f"{record.run_id}` (or 4, then a) follows it again.")
    await attach_and_stop(runs_dir, record.run_id[-4:])


async def test_q_then_cancel_keeps_the_app_and_the_run(tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    app = TuiCnnApp(tiny(runs_dir), devices=FIXED_DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        await start_training(app, pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: "Quit while" in screen_text(app), what="the dialog")
        await pilot.press("c")
        await pilot.pause(0.3)
        assert app.return_code is None and app.status.shown_state == "training"
        assert "Quit while" not in screen_text(app)
        await stop_training(app, pilot)


async def test_the_app_says_at_start_that_runs_train_in_the_background(
        tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    app = TuiCnnApp(tiny(runs_dir), devices=FIXED_DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        await start_training(app, pilot)
        assert app.leave_training() is None
        await wait_until(lambda: app.return_code is not None, timeout=30, what="the exit")
    wait_live(runs_dir)
    app = TuiCnnApp(tiny(runs_dir), devices=FIXED_DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any("training in the background" in t
                                          for t in notifications(app)), what="the notice")
        app.action_show_view("runs")
        await wait_for(pilot, lambda: "a attaches" in screen_text(app), what="the live mark")
        assert "live" in screen_text(app)
        await pilot.press("a")  # attach to the run under the cursor
        await wait_for(pilot, lambda: app.session is not None and app.session.started,
                       timeout=30, what="attached")
        await stop_training(app, pilot)


def test_run_app_prints_where_a_run_left_training_is(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    from tui_cnn.tui import launch as app_module

    def closed_leaving_a_run(self: TuiCnnApp) -> None:
        self.farewell = "run-x keeps training: `tui-cnn attach run-x` (or 4, then a) ..."

    monkeypatch.setattr(app_module.TuiCnnApp, "run", closed_leaving_a_run)
    monkeypatch.setattr(app_module, "has_terminal", lambda: True)
    code = app_module.run_app(arch=None, dataset=None, epochs=None, device=None,
                              data_dir=None, runs_dir=str(tmp_path / "runs"))
    assert code == 0
    assert capsys.readouterr().out == (
        "run-x keeps training: `tui-cnn attach run-x` (or 4, then a) ...\n")
