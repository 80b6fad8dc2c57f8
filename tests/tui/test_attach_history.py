"""Attaching replays a run from its first event: what its control channel said before the
app came (an lr change, a pause) sets the app's state but is not said again as notices (it
was, each time an app attached); the setup panel shows the attached run's settings."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.liveruns import kill_live_runs
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.live.registry import live_runs
from tui_cnn.core.live.state import read_state
from tui_cnn.tui.app import TuiCnnApp

from .attaching import SIZE, tiny, wait_live
from .fakes import FIXED_DEVICES
from .helpers import notifications, wait_for, wait_until

pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def no_run_left_training(tmp_path: Path) -> Iterator[None]:
    yield
    kill_live_runs(tmp_path / "runs")


def ctl(runs_dir: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "tui_cnn", "ctl", *args, "--runs-dir",
                    str(runs_dir)], check=True, capture_output=True, timeout=60)


def acked(runs_dir: Path, seq: int, timeout: float = 20.0) -> None:
    """Wait until the training process has taken command number ``seq``."""
    folder = live_runs(runs_dir)[0].folder
    deadline = time.monotonic() + timeout
    while (state := read_state(folder)) is None or state.acked < seq:
        assert time.monotonic() < deadline, f"the training process did not take {seq}"
        time.sleep(0.05)


async def test_old_control_notes_set_the_state_without_notices(tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    app = TuiCnnApp(tiny(runs_dir), devices=FIXED_DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.status.shown_state == "training", timeout=60,
                       what="training")
        assert app.leave_training() is None
        await wait_until(lambda: app.return_code is not None, timeout=30, what="the exit")
    wait_live(runs_dir)
    run_id = live_runs(runs_dir)[0].run_id
    ctl(runs_dir, run_id, "lr", "0.02")
    acked(runs_dir, 1)
    ctl(runs_dir, run_id, "pause")
    acked(runs_dir, 2)
    app = TuiCnnApp(TrainConfig(runs_dir=str(runs_dir), download=False),  # the chapter's cnn
                    devices=FIXED_DEVICES, attach=run_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session is not None and app.session.started,
                       timeout=30, what="attached")
        assert app.panel.arch.spec.name == "cnn-small"  # the setup shows the attached run's
        await wait_for(pilot, lambda: app.status.paused, what="the paused state, replayed")
        await pilot.pause(0.5)
        said = " | ".join(notifications(app))
        assert "Attached to" in said
        assert "took it" not in said, said  # the lr change of before: no notice
        await pilot.press("space")  # resume: news, from this app
        await wait_for(pilot, lambda: not app.status.paused, what="resumed")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       timeout=30, what="the run to stop")
