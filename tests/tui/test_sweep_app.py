"""Sweeps in the app: a real tiny sweep through the run controller (worker processes), shown
live in the Runs view; stop, quit and re-run; the exercises dialog's "with N seeds"; a
snapshot of the Runs view with a saved sweep."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.sweep.grid import SweepSpec
from tui_cnn.core.sweep.store import SweepStore, TrialState, list_sweeps
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.dialogs.exercises import ExerciseScreen
from tui_cnn.tui.sweeps.panel import SweepsPanel, SweepsTable
from tui_cnn.tui.sweeps.view import SweepView
from tui_cnn.tui.sweeps.work import SweepJob

from .conftest import AppFactory
from .helpers import footer_keys, notifications, screen_text, wait_for
from .runstore import write_run


def tiny_spec(runs: Path, seeds: int = 2, train_size: int = 256, epochs: int = 1) -> SweepSpec:
    base = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=epochs,
                       train_size=train_size, test_size=128, log_every=2, threads=1,
                       download=False, runs_dir=str(runs))
    return SweepSpec.build(base, [("seed", [str(s) for s in range(seeds)])])


def trial_files(runs: Path) -> list[dict[str, Any]]:
    folder = list_sweeps(runs)[0].path / "trials"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def text_of(renderable: object) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def headline(app: TuiCnnApp) -> str:
    return str(app.query_one("#sweep-headline", Static).content)


@pytest.mark.slow
async def test_a_real_sweep_runs_in_workers_shows_live_and_refuses_a_run_beside_it(
        make_app: AppFactory, config: TrainConfig) -> None:
    runs = Path(str(config.runs_dir))
    app = make_app()
    seen: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        # trials of ~1 s (4 epochs of 2,048 images): a 256-image trial could end between
        # two progress posts (0.25 s apart), and "running" was never shown
        job = SweepJob("tiny", tiny_spec(runs, train_size=2048, epochs=4), workers=1)
        assert app.controller.submit_sweep(job)
        await wait_for(pilot, lambda: app.active_view() == "runs", what="the Runs view")
        await wait_for(pilot, lambda: "running" in headline(app), what="a trial running")
        seen.append(headline(app))
        seen.append(app.status.sweep_text)  # the status line says the sweep, not a run
        assert f"state {seen[-1]}" in str(app.status.render())
        assert str(app.status.render()).startswith("device cpu  state sweep")  # not "auto"
        await pilot.press("t")  # a single run beside the sweep: refused
        await pilot.pause()
        assert any("already going" in n for n in notifications(app))
        assert app.session is None
        await wait_for(pilot, lambda: not app.controller.sweeping, timeout=120,
                       what="the sweep to end")
        await wait_for(pilot, lambda: "2 finished" in headline(app), what="the final grid")
        assert app.status.sweep_text == "" and app.status.shown_state == "idle"  # back
        grid = text_of(app.query_one("#sweep-grid", Static).content)
        assert grid.count("✓") == 2 and "seed=0" in grid and "seed=1" in grid
        groups = text_of(app.query_one("#sweep-groups", Static).content)
        assert "all        2/2" in groups or " 2/2 " in groups
        table = app.query_one(SweepsTable)
        assert table.row_count == 1
        assert job.progress is not None and job.progress.counts() == {"finished": 2}
        assert [t["status"] for t in trial_files(runs)] == ["finished", "finished"]
        # r on the sweep: nothing left to do, both trials skipped
        table.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: any("2 skipped" in n for n in notifications(app)),
                       timeout=60, what="the re-run to skip both trials")
    assert seen[0].startswith(f"sweep {job.sweep_id}: 0/2 done (1 pending, 1 running)")
    assert seen[1] == f"sweep {job.sweep_id} 0/2 trials (1 running)"
    log_dir = list_sweeps(runs)[0].path / "logs"
    assert list(log_dir.glob("worker-*.log"))  # the workers wrote there, not to the terminal


@pytest.mark.slow
async def test_x_stops_every_trial_and_r_runs_them_again(make_app: AppFactory,
                                                         config: TrainConfig) -> None:
    runs = Path(str(config.runs_dir))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        # 8 epochs (~3 s a trial): x must find one still training (one epoch took 0.3 s)
        job = SweepJob("stop me", tiny_spec(runs, train_size=4096, epochs=8), workers=2)
        app.controller.submit_sweep(job)
        await wait_for(pilot, lambda: "running" in headline(app), timeout=60,
                       what="a trial running")
        await pilot.pause()
        keys_shown = footer_keys(app)
        assert "x" in keys_shown and "space" not in keys_shown  # a sweep does not pause
        await pilot.press("x")
        await wait_for(pilot, lambda: not app.controller.sweeping, timeout=60,
                       what="the sweep to stop")
        states = [t["status"] for t in trial_files(runs)]
        assert states and all(s in ("interrupted", "finished") for s in states)
        assert "interrupted" in states
        app.query_one(SweepsPanel).query_one(SweepsTable).focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: app.controller.sweeping, what="the re-run to start")
        await wait_for(pilot, lambda: not app.controller.sweeping, timeout=120,
                       what="the re-run to end")
    assert [t["status"] for t in trial_files(runs)] == ["finished", "finished"]
    assert max(t["attempts"] for t in trial_files(runs)) == 2


@pytest.mark.slow
async def test_quitting_during_a_sweep_saves_every_trial(make_app: AppFactory,
                                                         config: TrainConfig) -> None:
    runs = Path(str(config.runs_dir))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        # trials that last (about 20 s each): one 8,192-image epoch took under a second, so
        # on a fast machine both had finished before the dialog's s stopped them
        app.controller.submit_sweep(SweepJob("quit", tiny_spec(runs, train_size=8192,
                                                               epochs=30), workers=2))
        await wait_for(pilot, lambda: "running" in headline(app), timeout=60,
                       what="a trial running")
        await pilot.press("q")  # asks: stop every trial, or leave the sweep running
        await wait_for(pilot, lambda: "Quit while sweep" in screen_text(app), what="dialog")
        await pilot.press("s")
        await wait_for(pilot, lambda: not app.is_running, timeout=30, what="the app to quit")
    assert {t["status"] for t in trial_files(runs)} <= {"interrupted", "finished"}
    assert "interrupted" in {t["status"] for t in trial_files(runs)}


@pytest.mark.slow
async def test_the_exercises_dialog_starts_a_sweep_with_n_seeds(make_app: AppFactory,
                                                                config: TrainConfig) -> None:
    app = make_app(train_size=256, test_size=128)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="dialog")
        await pilot.press("s")
        text = str(app.screen.query_one("#exercise-sweep", Static).content)
        assert "one run" in text  # exercise 1 is highlighted: not a comparison
        await pilot.press("down")
        text = str(app.screen.query_one("#exercise-sweep", Static).content)
        assert "3 seeds" in text and "6 trials" in text  # the default, for exercise 2
        await pilot.press("minus", "2")
        await wait_for(pilot, lambda: app.controller.sweeping, what="the sweep to start")
        job = app.controller.sweep
        assert job is not None
        assert job.spec.grid == (("arch", ("cnn", "cnn-stride2")), ("seed", ("0", "1")))
        await pilot.press("x")
        await wait_for(pilot, lambda: not app.controller.sweeping, timeout=60,
                       what="the sweep to stop")


def saved_sweep(runs: Path) -> str:
    """A finished 2x2 sweep written by hand (fixed accuracies): what the snapshot shows."""
    base = TrainConfig(epochs=3, train_size=600, test_size=200, runs_dir=str(runs))
    spec = SweepSpec.build(base, [("arch", ["cnn", "cnn-stride2"]), ("seed", ["0", "1"])])
    store = SweepStore.create(spec, runs)
    accs = {0: (0.90, 0.95, 0.970), 1: (0.91, 0.95, 0.975),
            2: (0.88, 0.93, 0.960), 3: (0.89, 0.94, 0.962)}
    for trial in spec.trials():
        run_id = f"20251125-0000{trial.index}0-sweep-trial-{trial.index}"
        write_run(runs, run_id, arch=trial.config.arch.name, accs=accs[trial.index],
                  created=1_764_000_000.0 + trial.index)
        final = accs[trial.index][-1]
        store.write_trial(TrialState(trial.index, dict(trial.values), "finished",
                                     run_id=run_id, attempts=1, summary={
                                         "final_test_acc": final, "best_test_acc": final,
                                         "train_seconds": 6.0, "images_per_s": 3000.0}))
    return store.sweep_id


def test_runs_view_with_a_sweep_snapshot(snap_compare: Callable[..., bool],
                                         make_app: AppFactory, config: TrainConfig,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")
    sweep_id = saved_sweep(Path(str(config.runs_dir)))

    async def show(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TuiCnnApp)
        app.theme = "textual-dark"
        await pilot.press("s", "4")  # the setup panel out of the way, then the Runs view
        await wait_for(pilot, lambda: app.query_one(SweepView).sweep_id == sweep_id,
                       what="the sweep shown")
        panel = app.query_one(SweepsPanel)
        panel.scroll_visible(animate=False, top=True)
        panel.query_one(SweepsTable).focus()
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause(0.1)

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=show)
