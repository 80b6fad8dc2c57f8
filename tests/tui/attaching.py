"""Helpers for the tests of runs that outlive the app (real training processes)."""

from __future__ import annotations

import time
from pathlib import Path

from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.live.registry import live_runs
from tui_cnn.core.runs import list_runs
from tui_cnn.tui.app import TuiCnnApp

from .fakes import FIXED_DEVICES
from .helpers import notifications, screen_text, wait_for

SIZE = (120, 40)


def tiny(runs_dir: Path) -> TrainConfig:
    return TrainConfig(arch=PRESETS["cnn-small"], dataset="synth-digits", epochs=200,
                       train_size=600, test_size=200, threads=1, log_every=2,
                       runs_dir=str(runs_dir), download=False)


def wait_live(runs_dir: Path, past_step: int = 0, timeout: float = 30) -> int:
    """The live run's step once it is past ``past_step`` (it is training)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = live_runs(runs_dir)
        if running and running[0].state.step > past_step:
            return running[0].state.step
        time.sleep(0.1)
    raise AssertionError(f"no live run past step {past_step}: {live_runs(runs_dir)}")


async def attach_and_stop(runs_dir: Path, ref: str | bool = True) -> None:
    """A second app attaches, shows the run's progress, and x stops it (saved)."""
    app = TuiCnnApp(tiny(runs_dir), devices=FIXED_DEVICES, attach=ref)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session is not None and app.session.started,
                       timeout=30, what="the attached run's start (replayed)")
        loss = app.training_view.loss_chart
        await wait_for(pilot, lambda: len(loss.steps) > 3, what="its steps in the chart")
        seen = len(loss.steps)
        await wait_for(pilot, lambda: len(loss.steps) > seen, what="new steps as it trains")
        assert app.status.shown_state == "training"
        assert any("Attached to" in text for text in notifications(app))
        assert "epoch" in screen_text(app).lower()
        await pilot.press("x")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       timeout=30, what="the run to stop")
        assert app.session is not None and app.session.ended is not None
        assert app.session.ended.status == "stopped"
    [record] = list_runs(runs_dir)
    assert record.state == "stopped"
