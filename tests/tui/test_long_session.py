"""Long sessions: many start/stop cycles and very long runs stay bounded."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tui_cnn.core.config import PRESETS
from tui_cnn.core.events import StepMetrics
from tui_cnn.core.live.registry import live_runs
from tui_cnn.core.runfiles import pid_alive
from tui_cnn.core.runs import list_runs
from tui_cnn.tui.messages import CoreEvents

from .conftest import AppFactory
from .helpers import wait_for

pytest.importorskip("torch")

CYCLES = 50


def resident_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * 4096 / 2**20


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
async def test_fifty_start_stop_cycles_leak_no_threads_or_memory(
        make_app: AppFactory, tmp_path: Path) -> None:
    """In-process training (core.train.run as the runner), so that 50 cycles take seconds;
    the next test does a few cycles through training processes."""
    from tui_cnn.core.train import run

    app = make_app(runner_=run, arch=PRESETS["cnn-small"], epochs=100, log_every=1,
                   train_size=256, test_size=64)
    threads_after: list[int] = []
    memory_after: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        for _cycle in range(CYCLES):
            await pilot.press("t")
            await wait_for(pilot, lambda: app.session is not None and app.session.started,
                           timeout=60, what="the run to start")
            await pilot.press("x")
            await wait_for(pilot, lambda: app.session is not None and app.session.done.is_set()
                           and not app.training, timeout=60, what="the run to stop")
            threads_after.append(threading.active_count())
            memory_after.append(resident_mib())
        loss = app.training_view.loss_chart
        assert len(loss.steps) <= 400
        # Short-lived readers (e.g. the Filters view's checkpoint reads) may still be
        # finishing: a leak is a count that stays up, so let them end first.
        await wait_for(pilot, lambda: threading.active_count() <= min(threads_after),
                       timeout=30, what=f"threads to settle: {threads_after}")
    runs = list_runs(tmp_path / "runs")
    assert len(runs) == CYCLES and all(r.state == "stopped" for r in runs)
    assert max(threads_after) <= min(threads_after) + 3, threads_after  # bounded, no growth
    growth = memory_after[-1] - memory_after[9]
    assert growth < 40, f"resident memory grew {growth:.0f} MiB over 40 cycles: {memory_after}"


async def test_start_stop_cycles_through_training_processes_leave_none_behind(
        make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(runner_=None, arch=PRESETS["cnn-small"], epochs=100, log_every=1,
                   train_size=256, test_size=64)
    pids, threads_after = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        for _cycle in range(4):
            await pilot.press("t")
            await wait_for(pilot, lambda: app.session is not None and app.session.started,
                           timeout=60, what="the run to start")
            [live] = live_runs(tmp_path / "runs")
            pids.append(live.state.pid)
            await pilot.press("x")
            await wait_for(pilot, lambda: app.session is not None and app.session.done.is_set()
                           and not app.training, timeout=60, what="the run to stop")
            threads_after.append(threading.active_count())
    assert max(threads_after) <= min(threads_after) + 3, threads_after
    runs = list_runs(tmp_path / "runs")
    assert len(runs) == 4 and all(r.state == "stopped" for r in runs)
    assert not live_runs(tmp_path / "runs")
    deadline = time.monotonic() + 15  # each leaves once its run is saved
    while [pid for pid in pids if pid_alive(pid)]:
        assert time.monotonic() < deadline, "a training process was left"
        time.sleep(0.1)


async def test_a_run_of_many_thousand_steps_keeps_the_charts_bounded(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        total = 20_000
        batch = tuple(
            StepMetrics(epoch=1 + s // 1000, step=s, total_steps=total, epoch_step=s % 1000,
                        steps_per_epoch=1000, loss=2.0 / (1 + s / 500), accuracy=0.5, lr=1e-3,
                        images_per_s=3000.0, elapsed_s=s / 30, eta_s=(total - s) / 30)
            for s in range(1, total + 1))
        for start in range(0, total, 500):
            app.post_message(CoreEvents(batch[start:start + 500]))
            await pilot.pause()
        loss = app.training_view.loss_chart
        await wait_for(pilot, lambda: loss.train.points(1000)[0][-1] == total / 1000,
                       what="the last step in the chart")  # x is in epochs
        assert len(loss.steps) <= 400 and len(loss.train_loss) == len(loss.steps)
        assert loss.steps[0] == pytest.approx(1 / 1000)
