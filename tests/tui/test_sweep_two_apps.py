"""Two apps attached to one sweep, with real processes (the sweep's own process started by
sweep_spawn, its workers training): both show its trials ending, x in one stops it, the
other says who stopped it and shows the sweep ended with its trials' states, no error;
the status line says the sweep while it runs and goes back after. Then x refused while
the sweep stops at another's request (the sweep's files written by the test)."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.liveruns import kill_live_runs
from tui_cnn.core.events import ControlNote
from tui_cnn.core.live.paths import CONTROL, EVENTS
from tui_cnn.core.live.state import LiveState, write_state
from tui_cnn.core.live.sweep_follow import live_sweeps
from tui_cnn.core.live.sweep_spawn import prepare_sweep, spawn_sweep
from tui_cnn.core.live.sweep_stream import SweepEventWriter
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
            await wait_for(one, lambda: min(done_of(first), done_of(second)) >= 0,
                           what="its progress in both")
            seen = {done_of(first), done_of(second)}
            await wait_for(one, lambda: min(done_of(first), done_of(second)) >= 1,
                           timeout=90, what="a trial done, in both")
            assert seen == {0}  # both saw it rise from 0
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


async def test_x_is_refused_while_the_sweep_stops_at_another_apps_request(
        tmp_path: Path) -> None:
    """The sweep's process is played by this test, writing its files as sweep_child.py
    does: another app's stop taken (a control row), then a ctl pause refused, then the end.
    The app attached says each, refuses its own x while the sweep stops, and shows the
    end. (With a real sweep the stop took under a second: too short to press x in.)"""
    runs = tmp_path / "runs"
    spec = tiny_spec(runs, seeds=2)
    folder = prepare_sweep(spec, workers=1)
    state = LiveState(os.getpid(), spec.sweep_id(), status="running", kind="sweep",
                      total_steps=2)
    write_state(folder, state)
    stream = SweepEventWriter(folder / EVENTS)
    stream.planned(spec.sweep_id(), {0: "seed=0", 1: "seed=1"}, 1, ())
    stream.message(0, "assigned", {"pid": os.getpid()})
    app = TuiCnnApp(tiny(runs), devices=FIXED_DEVICES, attach=spec.sweep_id())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "0/2 trials" in app.status.sweep_text,
                       what="attached, its progress shown")
        stream.control(ControlNote(1, "stop", True, "stopping every trial (each saved as "
                                   "interrupted)"))
        write_state(folder, replace(state, status="stopping", acked=1))
        await wait_for(pilot, lambda: any("asked by another app" in n
                                          for n in notifications(app)), what="the stop said")
        assert app.status.sweep_text == f"sweep {spec.sweep_id()} 0/2 trials, stopping"
        await pilot.press("x")
        await wait_for(pilot, lambda: any(f"Sweep {spec.sweep_id()} is stopping already"
                                          in n for n in notifications(app)),
                       what="x refused")
        stream.control(ControlNote(2, "pause", False, "pause refused: a sweep takes only "
                                   "stop"))
        await wait_for(pilot, lambda: any("pause refused" in n for n in notifications(app)),
                       what="ctl's pause refused, said")
        assert (folder / CONTROL).exists() is False  # this app sent nothing
        stream.message(0, "end", {"status": "interrupted", "run_id": None})
        write_state(folder, replace(state, status="ended", ended="stopped", step=1))
        stream.ended("stopped", {"interrupted": 1, "pending": 1})
        stream.close()
        await wait_for(pilot, lambda: not app.controller.sweeping, what="the end")
        assert any(f"Sweep {spec.sweep_id()} ended: 1 interrupted, 1 pending" in n
                   for n in notifications(app))
        assert errors(app) == [] and app.status.sweep_text == ""
