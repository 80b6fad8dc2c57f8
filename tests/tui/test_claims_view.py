"""The Claims view: every claim listed with its state; enter runs the selected one through
the run controller; the verdict shows and is kept; x stops the lab."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from tui_cnn.cli import main
from tui_cnn.core.claims.ids import CLAIM_INFO
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.claims.claims_view import ClaimsView

from .conftest import AppFactory
from .helpers import wait_for

Snap = Callable[..., bool]


def cell(view: ClaimsView, claim_id: str, column: str) -> str:
    return str(view.table.get_cell(claim_id, column))


def detail(view: ClaimsView) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(view.query_one("#claims-detail", Static).content)
    return console.export_text()


async def test_enter_runs_the_selected_claim_and_the_verdict_is_kept(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape", "7")
        view = app.query_one(ClaimsView)
        assert view.table.row_count == len(CLAIM_INFO)
        assert all(cell(view, i.id, "verdict") == "not run" for i in CLAIM_INFO)
        assert "enter runs this claim" in detail(view)
        await pilot.press("enter")  # the cursor starts on 6.1-dense
        await wait_for(pilot, lambda: cell(view, "6.1-dense", "verdict") == "holds",
                       what="the verdict")
        assert cell(view, "6.1-dense", "key") == "100,352"
        await wait_for(pilot, lambda: not app.training, what="the job to end")
        assert "100,480 with the 128 biases" in detail(view)
        await pilot.press("1")  # the view lets go: the focus must not pull the tab back
        assert app.query_one("TabbedContent").active == "training"  # type: ignore[attr-defined]
    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape", "7")
        view = again.query_one(ClaimsView)
        assert cell(view, "6.1-dense", "verdict") == "holds"  # a finished lab reopens
        assert cell(view, "6.2-sharing", "verdict") == "not run"


async def test_a_claim_that_trains_is_stopped_with_x_and_training_is_refused_meanwhile(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape", "7")
        view = app.query_one(ClaimsView)
        for _ in range(9):  # to 6.5-edges
            await pilot.press("down")
        assert view.current == "6.5-edges"
        await pilot.press("enter")
        await wait_for(pilot, lambda: cell(view, "6.5-edges", "verdict") == "running",
                       what="the claim to start")
        assert app.training
        await pilot.press("t")  # a run cannot start while the lab trains
        assert app.controller.session is None
        await pilot.press("x")
        await wait_for(pilot, lambda: not app.training, timeout=60, what="the lab to stop")
        assert cell(view, "6.5-edges", "verdict") == "stopped"  # it has no verdict yet
        assert "stopped: enter (or a) runs the claims again" in str(
            view.query_one("#claims-progress", Static).content)
        # the Training view shows no run, so it says nothing of stopping one
        assert "Stopping" not in app.training_view.progress.shown


def test_claims_view_80x24(snap_compare: Snap, make_app: AppFactory, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")
    app: TuiCnnApp = make_app()
    assert main(["claims", "--only", "6.4-count", "--only", "6.2-sharing",
                 "--runs-dir", str(app.config.runs_dir)]) == 0

    async def open_claims(pilot: Pilot[Any]) -> None:
        app.theme = "textual-dark"
        await pilot.press("escape", "7")
        app.query_one(ClaimsView).table.move_cursor(row=6)  # 6.4-count
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_claims)
