"""The app stays up on every fault class of issue 18: damaged values in run files, files
that are not files, run folders deleted while listed, a run another process trains, a
resume that would change what a run is, and out-of-range values in a run's config."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tui_cnn.core.runlock import RunLock
from tui_cnn.tui.dialogs.resume import ResumeScreen
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.runs.runs_view import RunsView

from .conftest import AppFactory
from .helpers import notifications, screen_text, wait_for
from .runstore import write_run

SIZE = (120, 40)
GOOD = "20251124-160000-cnn-synth-digits-a1b2"
BAD_TIME = "20251124-161000-cnn-synth-digits-c3d4"  # created 1e300, pid 10**30
BAD_ARCH = "20251124-162000-cnn-synth-digits-e5f6"  # arch "cnn-small", a FIFO for steps
HUGE = "20251124-163000-cnn-synth-digits-0a0b"  # a 52 GB network


def _edit(path: Path, **changes: object) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    for run_id in (GOOD, BAD_TIME, BAD_ARCH, HUGE):
        write_run(root, run_id)
    _edit(root / BAD_TIME / "config.json", created=1e300)
    _edit(root / BAD_TIME / "status.json", pid=10**30, status="running")
    _edit(root / BAD_ARCH / "config.json", arch="cnn-small")
    (root / BAD_ARCH / "steps.jsonl").unlink()
    os.mkfifo(root / BAD_ARCH / "steps.jsonl")
    arch = {"name": "huge", "conv_channels": [1024] * 6, "kernel_size": 7,
            "downsample": "none", "hidden": [16384] * 6}
    config = json.loads((root / HUGE / "config.json").read_text())
    del config["params"], config["macs"]
    (root / HUGE / "config.json").write_text(json.dumps({**config, "arch": arch}))
    return root


async def _open(pilot: Pilot[Any], view: RunsView, run_id: str) -> None:
    await pilot.press("escape", "4")
    await wait_for(pilot, lambda: view.table.row_count, what="the runs listed")
    view.table.move_cursor(row=view.table.shown.index(run_id))
    view.table.focus()
    await pilot.pause()


def _detail(view: RunsView) -> str:
    return str(view.query_one("#runs-detail").render())


async def test_damaged_runs_are_listed_and_f_r_i_on_them_keep_the_app_up(
        make_app: AppFactory, damaged: Path) -> None:
    app = make_app(runner_=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(RunsView)
        await _open(pilot, view, BAD_ARCH)
        assert sorted(view.table.shown) == sorted([GOOD, BAD_TIME, BAD_ARCH, HUGE])
        assert "config.json: arch must be an object" in _detail(view)
        assert "steps.jsonl" not in _detail(view)  # the listing reads no steps
        await pilot.press("enter")  # selected: its curves read the FIFO without hanging
        await pilot.pause()
        for key in ("f", "R"):
            await pilot.press(key)
            await pilot.pause()
        assert sum("arch must be an object" in n for n in notifications(app)) == 2
        await pilot.press("i")
        filters = app.query_one(FiltersView)
        await wait_for(pilot, lambda: "arch must be an object" in screen_text(app),
                       what="the filters view's message")
        assert filters.is_on_screen and app.is_running
        await _open(pilot, view, BAD_TIME)
        assert "created must be between" in _detail(view)
        assert any("(damaged)" in cell for cell in view.table.cells[BAD_TIME])


async def test_a_network_too_big_is_refused_with_its_count(make_app: AppFactory,
                                                            damaged: Path) -> None:
    app = make_app(runner_=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(RunsView)
        await _open(pilot, view, HUGE)
        await pilot.press("i")
        await wait_for(pilot, lambda: "the network has 14,752,734,218" in screen_text(app),
                       what="the parameter count")
        assert app.is_running


async def test_run_folders_deleted_while_listed_are_dropped(make_app: AppFactory,
                                                            damaged: Path) -> None:
    app = make_app(runner_=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(RunsView)
        await _open(pilot, view, BAD_TIME)
        await pilot.press("enter")  # selected, then gone
        shutil.rmtree(damaged / BAD_TIME)
        shutil.rmtree(damaged / HUGE)
        await pilot.press("r")
        await wait_for(pilot, lambda: BAD_TIME not in view.table.shown, what="dropped")
        assert sorted(view.table.shown) == sorted([GOOD, BAD_ARCH]) and app.is_running
        shutil.rmtree(damaged)  # the whole runs folder
        await pilot.press("r")
        await wait_for(pilot, lambda: not view.table.shown, what="an empty list")
        assert app.is_running


async def test_a_run_another_process_trains_is_not_carried_on(make_app: AppFactory,
                                                             tmp_path: Path) -> None:
    root = tmp_path / "runs"
    write_run(root, GOOD)
    lock = RunLock.acquire(root / GOOD)  # held, as by another `tui-cnn train --resume`
    app = make_app(runner_=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(RunsView)
            await _open(pilot, view, GOOD)
            await pilot.press("R")
            await wait_for(pilot, lambda: isinstance(app.screen, ResumeScreen),
                           what="the dialog")
            await pilot.press("1", "enter")
            await wait_for(pilot, lambda: any("being trained by process" in n
                                              for n in notifications(app)),
                           what="the refusal")
            assert app.is_running
    finally:
        lock.release()
