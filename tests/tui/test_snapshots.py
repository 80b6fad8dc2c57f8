"""Snapshots of the main screen. Deterministic: fixed devices, pinned theme and colour
environment, the preview loaded before the picture, no notifications on screen.

Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and commit them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.setup.dataset_preview import DatasetPreview

from .conftest import AppFactory
from .helpers import footer_keys, wait_for

Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def pinned_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")


async def settle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, TuiCnnApp)
    app.theme = "textual-dark"
    await wait_for(pilot, lambda: app.query_one(DatasetPreview).images is not None,
                   what="the dataset preview")
    await pilot.pause(0.2)


async def after_a_run(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, TuiCnnApp)
    await settle(pilot)
    await pilot.press("t")
    await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                   what="the run to end")
    await wait_for(pilot, lambda: "t" in footer_keys(app),
                   what="the footer's keys for no run going")
    view = app.training_view
    await wait_for(pilot, lambda: not (view.loss_chart.dirty or view.acc_chart.dirty),
                   what="the charts' redraw timer to draw the last data")
    await pilot.pause(0.3)
    app.clear_notifications()
    await pilot.pause(0.1)


def test_main_screen_80x24(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=settle)


def test_main_screen_120x40(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=settle)


def test_after_a_run_120x40(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=after_a_run)


def test_no_color_80x24(snap_compare: Snap, make_app: AppFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=after_a_run)
