"""Steering a real run: a learning-rate change reaches the optimizer at the next step, is
recorded in steps.jsonl (and skipped by the metric readers), survives resume; a target
accuracy ends the run; config.json records the normalisation."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tui_cnn.core.config import ConfigError, TrainConfig, preset
from tui_cnn.core.datasets import load_config_arrays, normalisation
from tui_cnn.core.events import EpochMetrics, LrChanged, RunEnded, StepMetrics
from tui_cnn.core.history import saved_lr_changes, saved_metrics
from tui_cnn.core.parse import parse_field
from tui_cnn.core.report import finite_points
from tui_cnn.core.runs import read_jsonl
from tui_cnn.core.steer import Steering
from tui_cnn.core.train import run


def tiny(tmp_path: Path, **changes: object) -> TrainConfig:
    base = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=2,
                       batch_size=16, train_size=64, test_size=32, threads=1, log_every=1,
                       schedule="constant", runs_dir=str(tmp_path / "runs"), seed=3)
    return base.replace(**changes)


def test_lr_change_applies_at_the_next_step_and_is_recorded(tmp_path: Path) -> None:
    steering = Steering()
    events = []
    for event in run(tiny(tmp_path), threading.Event(), None, steering):
        events.append(event)
        if isinstance(event, StepMetrics) and event.step == 2:
            steering.request_lr("1e-3")  # from another thread in the app: same object
    steps = [e for e in events if isinstance(e, StepMetrics)]
    assert [s.lr for s in steps[:2]] == [4e-3, 4e-3]
    at = events.index(steps[1])
    change = events[at + 1]
    assert isinstance(change, LrChanged) and (change.step, change.lr) == (2, 1e-3)
    assert change.previous == pytest.approx(4e-3)
    assert events[at + 3] == steps[2] and steps[2].lr == pytest.approx(1e-3)  # next step
    assert all(s.lr == pytest.approx(1e-3) for s in steps[2:])
    ended = events[-1]
    assert isinstance(ended, RunEnded) and ended.status == "finished"
    run_dir = Path(ended.run_dir or "")
    rows = read_jsonl(run_dir / "steps.jsonl", [])
    assert rows[2] == {"kind": "lr", "epoch": 1, "step": 2, "lr": 1e-3,
                       "previous": pytest.approx(4e-3), "base_lr": 1e-3}
    metrics, _ = saved_metrics(run_dir)
    assert [m.step for m in metrics] == list(range(1, 9))  # the event row is not a step
    assert [c.lr for c in saved_lr_changes(run_dir)] == [1e-3]
    xs, _ = finite_points(rows, "step", "loss")
    assert xs == [float(s) for s in range(1, 9)]
    # resume keeps the steered base: epoch 3 trains at 1e-3, not the config's 4e-3
    resumed = list(run(tiny(tmp_path, epochs=3, resume_from=str(run_dir))))
    assert all(e.lr == pytest.approx(1e-3) for e in resumed if isinstance(e, StepMetrics))
    assert [c.step for c in saved_lr_changes(run_dir)] == [2]


def test_one_cycle_continues_from_the_new_value_in_the_loop(tmp_path: Path) -> None:
    steering = Steering()
    steps = []
    for event in run(tiny(tmp_path, schedule="onecycle", epochs=4), None, None, steering):
        if isinstance(event, StepMetrics):
            steps.append(event)
            if event.step == 8:
                steering.request_lr(2e-3)
    by_step = {s.step: s.lr for s in steps}
    assert by_step[9] == pytest.approx(2e-3)
    # 16 steps, warm-up 2: the factor at step s is (16 - s) / 14; the new base is
    # 2e-3 / factor(8) = 2e-3 * 14 / 8, so step 12 gets that x (16 - 11) / 14
    assert by_step[12] == pytest.approx(2e-3 * 14 / 8 * 5 / 14)


def test_target_accuracy_ends_the_run_finished(tmp_path: Path) -> None:
    events = list(run(tiny(tmp_path, epochs=5, target_acc=0.01)))
    epochs = [e for e in events if isinstance(e, EpochMetrics)]
    ended = events[-1]
    assert isinstance(ended, RunEnded) and ended.status == "finished"
    assert len(epochs) == 1 and ended.epochs_done == 1
    assert ended.reason.startswith("reached target accuracy 1% at epoch 1")
    status = json.loads((Path(ended.run_dir or "") / "status.json").read_text())
    assert status["status"] == "finished" and status["reason"] == ended.reason


def test_target_parsing_and_validation() -> None:
    assert parse_field("target_acc", "95%") == pytest.approx(0.95)
    assert parse_field("target_acc", "95") == pytest.approx(0.95)
    assert parse_field("target_acc", "0.9") == pytest.approx(0.9)
    assert parse_field("target_acc", "") is None
    with pytest.raises(ConfigError, match="target accuracy"):
        parse_field("target_acc", "150%")
    with pytest.raises(ConfigError, match="target accuracy"):
        parse_field("target_acc", "high")


def test_config_json_records_the_normalisation(tmp_path: Path) -> None:
    cfg = tiny(tmp_path, epochs=1)
    ended = list(run(cfg))[-1]
    assert isinstance(ended, RunEnded)
    record = json.loads((Path(ended.run_dir or "") / "config.json").read_text())
    mean, std = normalisation(load_config_arrays(cfg))
    assert record["normalisation"] == {"mean": list(mean), "std": list(std)}
    assert record["target_acc"] is None


def test_the_train_flag_reaches_the_config() -> None:
    from tui_cnn.cli import build_parser
    from tui_cnn.commands.train import config_from_args

    args = build_parser().parse_args(["train", "--target-acc", "97.5%"])
    assert config_from_args(args).target_acc == pytest.approx(0.975)
