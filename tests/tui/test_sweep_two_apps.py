"""Two apps attached to one sweep, with real processes (the sweep's own process started by
sweep_spawn, its workers training): both show its trials ending, x in one stops it, the
other says who stopped it and shows the sweep ended with its trials' states, no error;
its status line says the sweep while it runs and goes back after."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.liveruns import kill_live_runs
from tui_cnn.core.live.sweep_follow import live_sweeps
from tui_cnn.core.live.sweep_spawn import spawn_sweep
from tui_cnn.tui.app import TuiCnnApp

from .attaching import SIZE, tiny
from .fakes import FIXED_DEVICES
from .helpers import notifications, wait_for
from .test_sweep_app import headline, tiny_spec, trial_files

pytestmark = pytest.mark.slow  # a real sweep: its process, a worker that trains
pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def no_sweep_left_going(tmp_path: Path) -> Iterator[None]:
    yield
    kill_live_runs(tmp_path / "runs")


def done_of(app: TuiCnnApp) -> int:
    """The trials done, as the app's sweep headline says ("sweep ID: 2/4 done (...)")."""
    found = re.search(r": (\d+)/\d+ done", headline(app))
    return int(found.group(1)) if found else -1


def errors(app: TuiCnnApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_two_apps_follow_one_sweep_and_x_in_one_ends_it_in_both(
        tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    spec = tiny_spec(runs, seeds=4, train_size=2000, epochs=6)
    child = spawn_sweep(spec, workers=1)  # the sweep's process, as the app starts it
    sweep_id = spec.sweep_id()
    first = TuiCnnApp(tiny(runs), devices=FIXED_DEVICES, attach=f"sweep-{sweep_id}")
    second = TuiCnnApp(tiny(runs), devices=FIXED_DEVICES, attach=sweep_id)
    try:
        async with first.run_test(size=SIZE) as one, second.run_test(size=SIZE) as two:
            await wait_for(one, lambda: first.controller.sweeping, what="the first attached")
            await wait_for(two, lambda: second.controller.sweeping, what="the second")
            assert first.status.sweep_text.startswith(f"sweep {sweep_id} ")
            assert second.status.sweep_text.startswith(f"sweep {sweep_id} ")
            seen = {done_of(first), done_of(second)}
            await wait_for(one, lambda: min(done_of(first), done_of(second)) >= 1,
                           timeout=90, what="a trial done, in both")
            assert min(seen) < 1  # both saw it rise
            done = done_of(first)
            assert f"{done}/4 trials" in first.status.sweep_text
            await two.press("x")
            await wait_for(one, lambda: any("stop" in n and "another app" in n
                                            for n in notifications(first)),
                           what="the first told of the stop")
            for pilot, app in ((one, first), (two, second)):
                await wait_for(pilot, lambda app=app: not app.controller.sweeping,
                               timeout=60, what="the sweep to end")
                await wait_for(pilot, lambda app=app: any(
                    f"Sweep {sweep_id} ended:" in n for n in notifications(app)),
                    what="its end")
                assert errors(app) == []
                assert app.status.sweep_text == ""  # back to the run's state
                assert "interrupted" in headline(app)
            assert headline(first) == headline(second)
        assert child.process.wait(timeout=30) == 0
    finally:
        with contextlib.suppress(OSError):
            child.process.kill()
        child.process.wait()
    states = [t["status"] for t in trial_files(runs)]
    assert "interrupted" in states and set(states) <= {"interrupted", "finished"}
    assert live_sweeps(runs) == []
