"""The sweep widgets: pure cells and rows, then the view mounted in a tiny App with Pilot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Static

from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.store import TrialState
from tui_cnn.core.sweep.summary import SweepReport, compare_groups, group_states
from tui_cnn.tui.sweeps.state import cells_from_progress, group_rows, trial_grid
from tui_cnn.tui.sweeps.view import (
    GroupTableWidget,
    SweepRerunRequested,
    SweepView,
    grid_table,
)

ACCS = {("cnn", "0"): 0.90, ("cnn", "1"): 0.91, ("cnn", "2"): 0.92,
        ("cnn-stride2", "0"): 0.93, ("cnn-stride2", "1"): 0.94, ("cnn-stride2", "2"): 0.95}
VALUES = {i: {"arch": arch, "seed": seed} for i, (arch, seed) in enumerate(ACCS)}


def states() -> list[TrialState]:
    return [TrialState(i, v, "finished", summary={
        "final_test_acc": ACCS[(v["arch"], v["seed"])],
        "best_test_acc": ACCS[(v["arch"], v["seed"])], "train_seconds": 10.0,
        "images_per_s": 1000.0}) for i, v in VALUES.items()]


def report() -> SweepReport:
    s = states()
    groups = group_states(s, ("arch", "seed"))
    grid = (("arch", ("cnn", "cnn-stride2")), ("seed", ("0", "1", "2")))
    return SweepReport("sw-test", grid, tuple(s), tuple(groups),
                       tuple(compare_groups(s, groups)))


def progress() -> SweepProgress:
    p = SweepProgress.of("sw-test", {i: f"arch={v['arch']} seed={v['seed']}"
                                     for i, v in VALUES.items()}, workers=2, skipped=(0,))
    p.update(1, "assigned", {"pid": 1})
    p.update(1, "started", {"run_id": "r1", "total_steps": 100})
    p.update(1, "step", {"step": 45, "total_steps": 100, "eta_s": 5.0})
    p.update(2, "assigned", {"pid": 2})
    p.update(2, "end", {"status": "killed", "reason": "signal 9"})
    return p


def text_of(renderable: object) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_grid_rows_are_groups_and_columns_seeds() -> None:
    grid = trial_grid(VALUES, cells_from_progress(progress()))
    assert grid.columns == ("seed=0", "seed=1", "seed=2")
    assert [label for label, _ in grid.rows] == ["cnn", "cnn-stride2"]
    cnn = grid.rows[0][1]
    assert [c.text if c else None for c in cnn] == ["✓", "▶ 45%", "✗ killed"]
    assert cnn[2] is not None and cnn[2].style == "bold red"


def test_group_rows_hold_the_hand_worked_interval() -> None:
    rows = group_rows(report())
    # mean 91.00, sd 1.00 (points), n 3: half-width 4.3027 / sqrt(3) = 2.48
    assert rows[0] == ("cnn", "3/3", "91.00 ± 2.48", "91.00 ± 2.48", "10.0 ± 0.0",
                       "1000 ± 0")
    assert rows[1][0] == "cnn-stride2" and rows[1][2] == "94.00 ± 2.48"


class _Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Message] = []

    def compose(self) -> ComposeResult:
        yield SweepView("sw-test", VALUES, id="sweep")

    def on_sweep_rerun_requested(self, message: SweepRerunRequested) -> None:
        self.seen.append(message)


async def test_sweep_view_shows_progress_then_report_and_asks_for_a_rerun() -> None:
    app = _Host()
    async with app.run_test(size=(110, 24)) as pilot:
        view = app.query_one(SweepView)
        view.show_progress(progress())
        await pilot.pause()
        headline = str(app.query_one("#sweep-headline", Static).content)
        assert headline.startswith("sweep sw-test: 2/6 done")
        assert "1 killed" in headline and "1 running" in headline
        view.show_report(report())
        await pilot.pause()
        groups = text_of(app.query_one("#sweep-groups", GroupTableWidget).content)
        assert "cnn-stride2 is 3.0 +/- 2.3 points higher than cnn (3 seeds each" in groups
        assert "91.00 ± 2.48" in groups
        grid = text_of(grid_table(trial_grid(VALUES, {})))
        assert "seed=2" in grid
        view.focus()
        await pilot.press("r")
        await pilot.pause()
    assert [m.sweep_id for m in app.seen if isinstance(m, SweepRerunRequested)] == ["sw-test"]


def test_sweep_view_snapshot(snap_compare: Callable[..., bool],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")
    live = progress()
    for trial in live.trials.values():
        trial.started_at = None  # no clock in the picture: the ETA reads --:--

    async def fill(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-dark"
        view = pilot.app.query_one(SweepView)
        view.show_report(report())
        view.show_progress(live)
        await pilot.pause()

    assert snap_compare(_Host(), terminal_size=(110, 16), run_before=fill)
