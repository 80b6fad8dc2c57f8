"""Sweeps that outlive the app, with real processes: q can leave a sweep running, the app
exits, the sweep goes on; a second app announces it, attaches (a on the sweeps list, or
``tui-cnn attach sweep-ID``) and shows its progress, then its end; a hang-up leaves it
running to its end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.command import CommandPalette

from tests.liveruns import kill_live_runs
from tui_cnn.core.live.state import read_state
from tui_cnn.core.live.sweep_follow import live_sweeps
from tui_cnn.core.live.sweep_spawn import spawn_sweep
from tui_cnn.core.sweep.grid import SweepSpec
from tui_cnn.core.sweep.store import list_sweeps
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.sweeps.panel import SweepsTable
from tui_cnn.tui.sweeps.work import SweepJob

from .attaching import SIZE, tiny
from .fakes import FIXED_DEVICES
from .helpers import notifications, screen_text, wait_for, wait_until
from .test_sweep_app import headline, tiny_spec, trial_files

pytestmark = pytest.mark.slow  # real sweeps: a sweep process, workers that train
pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def no_sweep_left_going(tmp_path: Path) -> Iterator[None]:
    yield
    kill_live_runs(tmp_path / "runs")


async def start_and_leave(runs: Path, seeds: int, epochs: int) -> str:
    """An app starts a sweep, q then l leaves it running; the sweep's id."""
    small = tiny_spec(runs, seeds=seeds, train_size=2000)
    spec = SweepSpec.build(small.base.replace(epochs=epochs), small.grid)
    app = TuiCnnApp(tiny(runs), devices=FIXED_DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        job = SweepJob("tiny", spec, workers=1)
        assert app.controller.submit_sweep(job)
        await wait_for(pilot, lambda: "running" in headline(app), timeout=60,
                       what="a trial running")
        await pilot.press("q")
        await wait_for(pilot, lambda: "Quit while sweep" in screen_text(app), what="dialog")
        text = screen_text(app)
        assert "Stop every trial" in text and "Leave the sweep running" in text
        await pilot.press("l")
        await wait_until(lambda: app.return_code is not None, timeout=30, what="the exit")
    assert app.farewell.startswith(f"Sweep {job.sweep_id} keeps running: `tui-cnn attach "
                                   f"sweep-{job.sweep_id}`")
    assert app.farewell in notifications(app)
    return job.sweep_id


async def test_q_then_leave_keeps_a_sweep_running_and_a_new_app_attaches_with_a(
        tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    sweep_id = await start_and_leave(runs, seeds=3, epochs=8)
    [live] = live_sweeps(runs)  # the app is gone, the sweep runs on
    assert live.state.run_id == sweep_id and live.state.total_steps == 3
    app = TuiCnnApp(tiny(runs), devices=FIXED_DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any(f"1 sweep(s) running in the background: "
                                          f"{sweep_id}" in n for n in notifications(app)),
                       what="the notice of the sweep")
        await pilot.press("4")
        app.query_one(SweepsTable).focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: app.controller.sweeping, what="attached")
        assert any(f"Attached to sweep {sweep_id}" in n for n in notifications(app))
        await wait_for(pilot, lambda: "/3 done" in headline(app), what="its progress")
        seen = headline(app)
        await wait_for(pilot, lambda: not app.controller.sweeping, timeout=120,
                       what="the sweep to end")
        await wait_for(pilot, lambda: any(f"Sweep {sweep_id} ended: 3 finished" in n
                                          for n in notifications(app)), what="its end")
        assert headline(app) == f"sweep {sweep_id}: 3 trial(s) (3 finished)"  # as saved
        await pilot.press("a")  # it has ended: nothing to attach to, said so
        await wait_for(pilot, lambda: any(f"Sweep {sweep_id} is not running in the "
                                          "background" in n for n in notifications(app)),
                       what="the refusal")
        assert not app.controller.sweeping
    assert seen.startswith(f"sweep {sweep_id}: ")
    assert [t["status"] for t in trial_files(runs)] == ["finished"] * 3
    assert live_sweeps(runs) == []


async def test_an_app_opened_with_attach_sweep_id_follows_it_and_x_stops_it(
        tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    sweep_id = await start_and_leave(runs, seeds=2, epochs=100)
    app = TuiCnnApp(tiny(runs), devices=FIXED_DEVICES, attach=f"sweep-{sweep_id}")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.controller.sweeping, what="attached")
        await wait_for(pilot, lambda: "running" in headline(app), what="its trial running")
        await pilot.press("x")
        await wait_for(pilot, lambda: not app.controller.sweeping, timeout=60,
                       what="the sweep to stop")
        await wait_for(pilot, lambda: any(f"Sweep {sweep_id} ended:" in n
                                          for n in notifications(app)), what="its end")
    states = [t["status"] for t in trial_files(runs)]
    assert "interrupted" in states and set(states) <= {"interrupted", "finished"}
    assert live_sweeps(runs) == []


async def test_the_palettes_attach_with_the_sweeps_list_focused_attaches_to_the_sweep(
        tmp_path: Path) -> None:
    """It acted on the run under the runs list's cursor (a trial's run: "not training")."""
    runs = tmp_path / "runs"
    spec = tiny_spec(runs, seeds=2, train_size=2000, epochs=100)
    child = spawn_sweep(spec, workers=1)  # the sweep's process, as the app starts it
    try:
        app = TuiCnnApp(tiny(runs), devices=FIXED_DEVICES)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: any(t["status"] == "running"
                                              for t in trial_files_or_none(runs)),
                           timeout=60, what="a trial running (its run listed)")
            await pilot.press("4")
            await wait_for(pilot, lambda: app.query_one(SweepsTable).row_count == 1,
                           what="the sweep listed")
            app.query_one(SweepsTable).focus()
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette),
                           what="the palette")
            await pilot.press(*"Runs: attach to the live")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.controller.sweeping, what="attached")
            assert any(f"Attached to sweep {spec.sweep_id()}" in n
                       for n in notifications(app))
            assert not any("not training" in n for n in notifications(app))
            await pilot.press("x")
            await wait_for(pilot, lambda: not app.controller.sweeping, timeout=60,
                           what="the sweep to stop")
        assert child.process.wait(timeout=30) == 0
    finally:
        child.process.kill()
        child.process.wait()


def trial_files_or_none(runs: Path) -> list[dict[str, object]]:
    return trial_files(runs) if list_sweeps(runs) else []


SWEEP_APP = textwrap.dedent("""
    import sys
    from tui_cnn.core.config import TrainConfig, preset
    from tui_cnn.core.sweep.grid import SweepSpec
    from tui_cnn.tui.app import TuiCnnApp
    from tui_cnn.tui.sweeps.work import SweepJob

    cfg = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=6,
                      train_size=2000, test_size=100, threads=1, runs_dir=sys.argv[1],
                      download=False)

    class AutoSweep(TuiCnnApp):
        def on_ready(self) -> None:
            spec = SweepSpec.build(cfg, [("seed", ["0", "1"])])
            self.controller.submit_sweep(SweepJob("hang-up", spec, workers=1))

    app = AutoSweep(cfg, devices=[("cpu", "cpu")])
    app.run(headless=True)
    sys.exit(app.return_code or 0)
""")


def test_a_hang_up_leaves_the_sweep_running_to_its_end(tmp_path: Path) -> None:
    script = tmp_path / "sweep_app.py"
    script.write_text(SWEEP_APP)
    runs = tmp_path / "runs"
    app = subprocess.Popen([sys.executable, str(script), str(runs)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (live_sweeps(runs) and list_sweeps(runs) and any(
                t["status"] == "running" for t in trial_files(runs))):
            assert time.monotonic() < deadline, "no trial started"
            assert app.poll() is None, app.stderr.read() if app.stderr else ""
            time.sleep(0.2)
        app.send_signal(signal.SIGHUP)
        assert app.wait(timeout=30) == 130
    finally:
        app.kill()
    [live] = live_sweeps(runs)  # the app is gone, the sweep runs on to its end
    deadline = time.monotonic() + 120
    while live_sweeps(runs):
        assert time.monotonic() < deadline, "the sweep did not end"
        time.sleep(0.2)
    assert [t["status"] for t in trial_files(runs)] == ["finished", "finished"]
    state = read_state(live.folder)
    assert state is not None and state.ended == "finished"


async def test_the_sweep_process_killed_under_the_app_is_said_and_r_resumes_it(
        tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    small = tiny_spec(runs, seeds=2, train_size=2000)
    spec = SweepSpec.build(small.base.replace(epochs=100), small.grid)
    app = TuiCnnApp(tiny(runs), devices=FIXED_DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        assert app.controller.submit_sweep(SweepJob("kill me", spec, workers=1))
        await wait_for(pilot, lambda: "running" in headline(app), timeout=60,
                       what="a trial running")
        [live] = live_sweeps(runs)
        os.kill(live.state.pid, signal.SIGKILL)
        await wait_for(pilot, lambda: not app.controller.sweeping, timeout=10,
                       what="the death seen")
        await wait_for(pilot, lambda: any(f"Sweep {spec.sweep_id()}: its process died"
                                          in n for n in notifications(app)), what="notice")
        assert "1 killed, 1 pending" in next(n for n in notifications(app) if "died" in n)
        assert [t["status"] for t in trial_files(runs)] == ["running"]  # as it was left
        assert list_sweeps(runs)[0].states(spec.trials())[0].status == "killed"  # read
        app.dialogs.rerun_sweep(spec.sweep_id())
        await wait_for(pilot, lambda: app.controller.sweeping, what="the re-run")
        await wait_for(pilot, lambda: "running" in headline(app), timeout=60,
                       what="the killed trial running again")
        await pilot.press("x")
        await wait_for(pilot, lambda: not app.controller.sweeping, timeout=60,
                       what="the re-run to stop")
    assert max(t["attempts"] for t in trial_files(runs)) == 2
