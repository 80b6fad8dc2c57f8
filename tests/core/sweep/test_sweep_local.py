"""Sweeps run for real in worker processes: skip finished trials, a SIGKILLed worker, stop."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.runs import list_runs, read_run
from tui_cnn.core.sweep.curves import group_curves
from tui_cnn.core.sweep.grid import SweepSpec, parse_grid_arg
from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.runner import LocalBackend, plan_sweep, run_sweep
from tui_cnn.core.sweep.summary import sweep_report

pytestmark = pytest.mark.slow  # each spawns workers that import torch and train


def base(tmp_path: Path, **changes: object) -> TrainConfig:
    return TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=1,
                       train_size=256, test_size=128, threads=1, log_every=2,
                       runs_dir=str(tmp_path)).replace(**changes)


def test_two_trials_run_and_a_rerun_skips_them(tmp_path: Path) -> None:
    spec = SweepSpec.build(base(tmp_path), [parse_grid_arg("seed=0,1")])
    plan = plan_sweep(spec)
    assert len(plan.to_run) == 2
    logs = tmp_path / "logs"
    logs.mkdir()
    progress = run_sweep(plan, LocalBackend(workers=2, threads=1, log_dir=str(logs)),
                         threading.Event())
    assert progress.counts() == {"finished": 2}
    assert progress.devices == ["cpu"]  # what the trials said when they started
    assert sorted(p.name for p in logs.iterdir()) == ["worker-0.log", "worker-1.log"]
    runs = list_runs(tmp_path)
    tags = sorted(str(r.config.get("sweep")) for r in runs if r.run_id not in ("sweeps", "logs"))
    assert tags == [f"{spec.sweep_id()}/0", f"{spec.sweep_id()}/1"]
    assert all(r.state == "finished" for r in runs if r.run_id not in ("sweeps", "logs"))
    report = sweep_report(plan.store)
    assert [t.status for t in report.trials] == ["finished", "finished"]
    assert report.groups[0].metrics["final_test_acc"].n == 2
    curves = group_curves(plan.store)  # read back from the two run folders
    assert [(c.label, c.epochs, c.n) for c in curves] == [("all", (1,), (2,))]
    finals = sorted(s.summary["final_test_acc"] for s in report.trials)
    assert (curves[0].low[0], curves[0].high[0]) == pytest.approx(tuple(finals))
    again = plan_sweep(spec)  # the same command again: nothing left to do
    assert again.to_run == [] and again.skipped == (0, 1)
    assert run_sweep(again, LocalBackend(2, 1), threading.Event()).counts() == {"skipped": 2}
    assert len([r for r in list_runs(tmp_path) if r.run_id not in ("sweeps", "logs")]) == 2


def test_sigkilled_worker_marks_its_trial_killed_others_go_on_and_rerun_redoes_it(
        tmp_path: Path) -> None:
    spec = SweepSpec.build(base(tmp_path, epochs=3, train_size=512), [
        parse_grid_arg("seed=0,1")])
    killed: list[int] = []

    def kill_first(progress: SweepProgress, index: int) -> None:
        trial = progress.trials[index]
        if index == 0 and trial.status == "running" and not killed and trial.pid:
            killed.append(trial.pid)
            os.kill(trial.pid, signal.SIGKILL)

    plan = plan_sweep(spec)
    progress = run_sweep(plan, LocalBackend(workers=1, threads=1), threading.Event(),
                         kill_first)
    assert killed
    assert progress.trials[0].status == "killed"
    assert "killed by signal 9" in progress.trials[0].reason
    assert progress.trials[1].status == "finished"  # a fresh worker took it
    state = plan.store.read_trial(plan.trials[0])
    assert state.status == "killed" and state.run_id
    assert read_run(tmp_path / state.run_id).state == "killed"  # the folder says so too
    again = plan_sweep(spec)
    assert [t.index for t in again.to_run] == [0]
    assert run_sweep(again, LocalBackend(1, 1), threading.Event()).counts() == {
        "finished": 1, "skipped": 1}
    assert plan.store.read_trial(plan.trials[0]).attempts == 2


def test_stop_interrupts_every_running_trial(tmp_path: Path) -> None:
    spec = SweepSpec.build(base(tmp_path, epochs=20, train_size=512),
                           [parse_grid_arg("seed=0,1,2")])
    stop = threading.Event()

    def stop_when_both_run(progress: SweepProgress, index: int) -> None:
        if sum(t.status == "running" for t in progress.trials.values()) == 2:
            stop.set()

    plan = plan_sweep(spec)
    progress = run_sweep(plan, LocalBackend(workers=2, threads=1), stop, stop_when_both_run)
    statuses = sorted(t.status for t in progress.trials.values())
    assert statuses == ["interrupted", "interrupted", "pending"]
    for state in plan.store.states(plan.trials)[:2]:
        assert state.status == "interrupted"
        assert state.run_id and read_run(tmp_path / state.run_id).state == "interrupted"
