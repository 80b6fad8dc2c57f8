"""Snapshots of the Inside view over a small real run trained in the fixture (the same
seed, one thread: the same weights every time). Regenerate with ``--snapshot-update``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.inside.inside_view import InsideView
from tui_cnn.tui.messages import InspectRequested

from .conftest import AppFactory
from .helpers import wait_for
from .inside_runs import train
from .test_snapshots import settle

pytest.importorskip("torch")
Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def pinned_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train(tmp_path_factory.mktemp("inside-snap"), "snapshot-run")


def opened(run: Path, keys: tuple[str, ...], done: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TuiCnnApp)
        await settle(pilot)
        await pilot.press("escape")
        app.post_message(InspectRequested(run))
        await pilot.pause(0.2)
        await pilot.press("5", *keys)
        status = app.query_one("#inside-status", Static)
        view = app.query_one(InsideView)
        await wait_for(pilot, lambda: done in str(status.render()) and view.series.steps,
                       what=done)
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause(0.1)

    return run_before


@pytest.mark.slow
def test_inside_top_patches_80x24(snap_compare: Snap, make_app: AppFactory,
                                  run_dir: Path) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24),
                        run_before=opened(run_dir, ("l",), "conv2 after epoch 2"))


@pytest.mark.slow
def test_inside_where_it_looks_120x40(snap_compare: Snap, make_app: AppFactory,
                                      run_dir: Path) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40),
                        run_before=opened(run_dir, ("k", "m", "m"), "test image 1 of 120, gradcam"))


@pytest.mark.slow
def test_inside_layer_statistics_120x40(snap_compare: Snap, make_app: AppFactory,
                                        run_dir: Path) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40),
                        run_before=opened(run_dir, ("g",), "g: next statistic"))
