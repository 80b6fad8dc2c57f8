"""A real local Ray (``ray.init(num_cpus=2)``) runs a 2-trial sweep; no mock of Ray.

Not marked slow: it takes about 9 s here, and CI must test the Ray path.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tui_cnn.core.config import ConfigError, TrainConfig, preset
from tui_cnn.core.runs import read_run
from tui_cnn.core.sweep.grid import SweepSpec, parse_grid_arg
from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.ray_backend import RayBackend, check_address
from tui_cnn.core.sweep.runner import plan_sweep, run_sweep
from tui_cnn.core.sweep.summary import sweep_report

pytest.importorskip("ray")


def test_local_ray_runs_two_trials_and_brings_the_runs_home(tmp_path: Path) -> None:
    base = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=1,
                       train_size=256, test_size=128, threads=1, log_every=2,
                       runs_dir=str(tmp_path))
    spec = SweepSpec.build(base, [parse_grid_arg("seed=0,1")])
    plan = plan_sweep(spec)
    progress = run_sweep(plan, RayBackend(None, num_cpus=2), threading.Event())
    assert progress.counts() == {"finished": 2}
    for state in plan.store.states(plan.trials):
        record = read_run(tmp_path / str(state.run_id))  # written here, from the task's bytes
        assert record.state == "finished" and not record.problems
        assert record.config["sweep"] == f"{spec.sweep_id()}/{state.index}"
        assert (record.path / "model.pt").stat().st_size > 1000
        assert len(record.epochs) == 1
    report = sweep_report(plan.store)
    assert report.groups[0].metrics["final_test_acc"].n == 2
    assert plan_sweep(spec).to_run == []


def test_unreachable_address_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="cannot reach a Ray cluster at 127.0.0.1:1"):
        check_address("127.0.0.1:1")
    with pytest.raises(ConfigError, match="HOST:PORT"):
        check_address("nonsense")


def test_a_trial_no_node_can_place_is_refused_not_queued_for_ever(tmp_path: Path) -> None:
    """A real local Ray with 2 CPUs and no GPU: half a GPU per trial had Ray queue every
    task and wait, saying nothing (200 s until killed). Now one error, and Ray is shut."""
    import ray

    base = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=1,
                       train_size=64, test_size=32, threads=1, runs_dir=str(tmp_path))
    plan = plan_sweep(SweepSpec.build(base, [parse_grid_arg("seed=0")]))
    backend = RayBackend(None, num_cpus=2, gpus_per_trial=0.5)
    with pytest.raises(ConfigError, match=r"has 0 GPU\(s\) in all: no trial can get the "
                                          r"0.5 that --gpus-per-trial asks for"):
        run_sweep(plan, backend, threading.Event())
    assert not ray.is_initialized()
    fits = RayBackend(None, num_cpus=2, cpus_per_trial=2)
    fits.check_fits({"CPU": 2.0})
    with pytest.raises(ConfigError, match="has 2 CPU"):
        RayBackend(None, num_cpus=2, cpus_per_trial=3).check_fits({"CPU": 2.0})


@pytest.mark.slow
def test_stop_reaches_the_ray_tasks_and_their_interrupted_runs_come_home(
        tmp_path: Path) -> None:
    base = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=30,
                       train_size=512, test_size=128, threads=1, log_every=2,
                       runs_dir=str(tmp_path))
    spec = SweepSpec.build(base, [parse_grid_arg("seed=0,1,2")])
    plan = plan_sweep(spec)
    stop = threading.Event()

    def stop_once_both_train(progress: SweepProgress, index: int) -> None:
        if sum(1 for t in progress.trials.values() if t.step > 0) == 2:
            stop.set()

    progress = run_sweep(plan, RayBackend(None, num_cpus=2), stop, stop_once_both_train)
    statuses = sorted(t.status for t in progress.trials.values())
    assert statuses == ["interrupted", "interrupted", "pending"]  # live steps came through
    for state in plan.store.states(plan.trials):
        if state.status == "interrupted":
            record = read_run(tmp_path / str(state.run_id))
            assert record.state == "interrupted" and record.config["sweep"].endswith(
                f"/{state.index}")
