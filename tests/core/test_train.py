"""The training loop on data it makes: events in order, loss falls, stop/pause honoured."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.events import (
    DataProgress,
    EpochMetrics,
    FilterSnapshot,
    LayerStatsReport,
    RunEnded,
    RunStarted,
    StepMetrics,
    TestPredictions,
)
from tui_cnn.core.runs import read_run
from tui_cnn.core.train import run


def tiny(tmp_path: Path, **changes: object) -> TrainConfig:
    base = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=2,
                       batch_size=32, train_size=1200, test_size=400, threads=1,
                       log_every=5, runs_dir=str(tmp_path))
    return base.replace(**changes)


def test_events_come_in_order_and_loss_falls(tmp_path: Path) -> None:
    events = list(run(tiny(tmp_path)))
    kinds = [type(e).__name__ for e in events]
    first_started = kinds.index("RunStarted")
    assert all(k == "DataProgress" for k in kinds[:first_started])
    assert isinstance(events[-1], RunEnded) and kinds.count("RunEnded") == 1
    epochs = [e for e in events if isinstance(e, EpochMetrics)]
    assert [e.epoch for e in epochs] == [1, 2]
    initial = events[first_started + 1]  # the untrained filters come first, as epoch 0
    assert isinstance(initial, FilterSnapshot) and initial.epoch_end and initial.epoch == 0
    for epoch in epochs:  # each epoch's metrics: filters, then the test predictions
        snapshot, predictions = events[events.index(epoch) + 1: events.index(epoch) + 3]
        assert isinstance(snapshot, FilterSnapshot) and snapshot.epoch_end
        assert snapshot.weights.shape == (8, 1, 3, 3)
        assert isinstance(predictions, TestPredictions) and predictions.epoch == epoch.epoch
        assert predictions.labels.shape == predictions.predicted.shape == (400,)
        accuracy = float((predictions.labels == predictions.predicted).mean())
        assert accuracy == pytest.approx(epoch.test_acc)
    steps = [e for e in events if isinstance(e, StepMetrics)]
    assert [s.step for s in steps] == sorted(s.step for s in steps)
    assert steps[-1].step == steps[-1].total_steps == 2 * 38
    assert steps[-1].loss < steps[0].loss * 0.7
    assert epochs[-1].test_acc > 0.6
    end = events[-1]
    assert end.status == "finished" and end.best_test_acc == max(e.test_acc for e in epochs)


def test_run_folder_holds_config_metrics_and_a_plain_state_dict(tmp_path: Path) -> None:
    end = list(run(tiny(tmp_path, epochs=1)))[-1]
    assert isinstance(end, RunEnded) and end.run_dir
    record = read_run(Path(end.run_dir))
    assert record.state == "finished" and not record.problems
    assert [e["epoch"] for e in record.epochs] == [1]
    state = torch.load(Path(end.run_dir) / "model.pt", weights_only=True)
    assert set(state) >= {"conv1.weight", "conv1.bias", "fc2.weight"}
    assert record.config["params"] == 26_698


def test_reported_loss_is_plain_cross_entropy_like_test_loss(tmp_path: Path) -> None:
    """Trained with label smoothing 0.5 the objective is at least the targets' entropy,
    1.68 on 10 classes; the reported training loss is the plain cross-entropy, which a
    model that learned anything brings below it, as it does test_loss."""
    events = list(run(tiny(tmp_path, label_smoothing=0.5, epochs=3, runs_dir="")))
    floor = -(0.55 * math.log(0.55) + 9 * 0.05 * math.log(0.05))
    epoch = [e for e in events if isinstance(e, EpochMetrics)][-1]
    assert epoch.test_acc > 0.6
    assert epoch.train_loss < floor - 0.1
    assert abs(epoch.train_loss - epoch.test_loss) < 0.5


def test_same_seed_same_losses(tmp_path: Path) -> None:
    def losses() -> list[float]:
        cfg = tiny(tmp_path, epochs=1, train_size=320, runs_dir="")
        return [e.loss for e in run(cfg) if isinstance(e, StepMetrics)]

    assert losses() == losses()


def test_stop_is_honoured_within_one_batch(tmp_path: Path) -> None:
    stop = threading.Event()
    seen: list[object] = []
    for event in run(tiny(tmp_path, log_every=1), stop):
        seen.append(event)
        if isinstance(event, StepMetrics) and event.step == 3:
            stop.set()
    end = seen[-1]
    assert isinstance(end, RunEnded)
    assert end.status == "stopped" and end.steps_done == 3
    assert read_run(Path(end.run_dir or "")).state == "stopped"


def test_pause_blocks_until_cleared(tmp_path: Path) -> None:
    pause = threading.Event()
    gen = run(tiny(tmp_path, log_every=1, epochs=1), pause=pause)
    for event in gen:
        if isinstance(event, StepMetrics):
            break
    pause.set()
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(next(gen)))
    worker.start()
    worker.join(0.5)
    assert worker.is_alive() and not got  # paused: no next step
    pause.clear()
    worker.join(10)
    assert isinstance(got[0], (StepMetrics, FilterSnapshot, LayerStatsReport))
    gen.close()


def test_huge_learning_rate_diverges_and_is_saved(tmp_path: Path) -> None:
    cfg = tiny(tmp_path, optimizer="sgd", lr=10.0, momentum=0.99, schedule="constant",
               arch=preset("mlp"), log_every=2, epochs=1)
    end = list(run(cfg))[-1]
    assert isinstance(end, RunEnded) and end.status == "diverged"
    assert "smaller learning rate" in end.reason
    assert read_run(Path(end.run_dir or "")).state == "diverged"


def test_out_of_memory_is_reported_with_the_batch_size(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tui_cnn.core import session

    def boom(self: object, x: torch.Tensor, y: torch.Tensor) -> None:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(session.Session, "step", boom)
    end = list(run(tiny(tmp_path, batch_size=64)))[-1]
    assert isinstance(end, RunEnded) and end.status == "failed"
    assert "out of memory" in end.reason and "batch size 64" in end.reason


def test_mlp_filters_are_image_shaped(tmp_path: Path) -> None:
    cfg = tiny(tmp_path, arch=preset("mlp"), epochs=1, runs_dir="")
    snaps = [e for e in run(cfg) if isinstance(e, FilterSnapshot) and e.epoch_end]
    assert snaps[0].weights.shape == (128, 1, 28, 28)
    assert np.isfinite(snaps[0].weights).all()


def test_data_progress_then_started_reports_sizes(tmp_path: Path) -> None:
    events = list(run(tiny(tmp_path, epochs=1, runs_dir="")))
    assert isinstance(events[0], DataProgress)
    started = next(e for e in events if isinstance(e, RunStarted))
    assert (started.train_size, started.test_size) == (1200, 400)
    assert started.steps_per_epoch == 38 and started.params == 26_698


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_both_precisions_learn_and_keep_fp32_weights(tmp_path: Path, precision: str) -> None:
    events = list(run(tiny(tmp_path, precision=precision, runs_dir="")))
    final = [e for e in events if isinstance(e, EpochMetrics)][-1]
    assert final.test_acc > 0.6
    snapshot = [e for e in events if isinstance(e, FilterSnapshot)][-1]
    assert snapshot.weights.dtype == np.float32  # autocast never changes the weights


def test_auto_precision_is_fp32_where_bf16_is_not_native() -> None:
    from tui_cnn.core.optim import use_bf16

    assert not use_bf16("fp32", torch.device("cpu"))
    assert use_bf16("bf16", torch.device("cpu"))
    assert not use_bf16("auto", torch.device("mps"))


def test_the_precision_note_says_what_was_picked_and_why() -> None:
    from tui_cnn.core.optim import precision_note

    cpu, cuda, mps = torch.device("cpu"), torch.device("cuda"), torch.device("mps")
    assert precision_note("fp32", False, cpu) == "fp32 (asked for)"
    assert precision_note("bf16", True, cpu) == "bf16 autocast (asked for)"
    assert precision_note("auto", True, cpu) == "bf16 autocast (this CPU has native bf16)"
    assert precision_note("auto", False, cpu) == "fp32 (this CPU has no native bf16)"
    assert precision_note("auto", True, cuda) == "bf16 autocast (the GPU has bf16)"
    assert precision_note("auto", False, mps).startswith("fp32 (bf16 autocast is used on cpu")
