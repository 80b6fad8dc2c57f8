"""Which saved run an exercise may reuse instead of training the same config again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.reuse import (
    NOT_COMPARED,
    reusable_run,
    reuse_line,
    same_training,
)
from tui_cnn.core.runs import read_run

pytest.importorskip("torch")

CFG = TrainConfig(arch=PRESETS["cnn-small"], dataset="synth-digits", epochs=1, seed=0,
                  train_size=300, test_size=100, batch_size=64, threads=1, download=False)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run trained by the real core: config.json as a run writes it."""
    from tui_cnn.core.train import run

    runs_dir = tmp_path_factory.mktemp("runs")
    ended = list(run(CFG.replace(runs_dir=str(runs_dir))))[-1]
    assert ended.status == "finished", ended.reason  # type: ignore[union-attr]
    return runs_dir


def edit(path: Path, name: str, **changes: object) -> None:
    data = json.loads((path / name).read_text())
    (path / name).write_text(json.dumps({**data, **changes}))


def copy_run(saved: Path, tmp_path: Path) -> Path:
    import shutil

    runs = tmp_path / "runs"
    shutil.copytree(saved, runs)
    return runs


def test_a_finished_run_with_the_same_training_is_found(saved: Path) -> None:
    # threads, device, runs dir, log cadence and the preset's name do not change the result
    wanted = CFG.replace(runs_dir=str(saved), threads=None, device="cpu", log_every=7,
                         arch=PRESETS["cnn-small"].__class__(
                             **{**PRESETS["cnn-small"].to_dict(), "name": "custom"}))
    record = reusable_run(wanted)
    assert record is not None and record.state == "finished"
    line = reuse_line(record)
    assert line.startswith(f"reusing run {record.run_id}, finished 20")


@pytest.mark.parametrize("change", [
    {"seed": 1}, {"epochs": 2}, {"lr": 0.001}, {"batch_size": 32}, {"train_size": 299},
    {"arch": PRESETS["cnn"]}, {"dataset": "synth-shapes", "arch": PRESETS["cnn-small"]},
    {"label_smoothing": 0.0}, {"augment": "none"}, {"optimizer": "sgd"},
    {"target_acc": 0.5}, {"precision": "fp32"},
])
def test_a_change_that_trains_differently_is_not_the_same(saved: Path,
                                                          change: dict[str, object]) -> None:
    assert reusable_run(CFG.replace(runs_dir=str(saved), **change)) is None


def test_augment_auto_is_the_augmentation_it_resolves_to(saved: Path) -> None:
    assert reusable_run(CFG.replace(runs_dir=str(saved), augment="shift")) is not None


@pytest.mark.parametrize("status", ["stopped", "interrupted", "failed", "killed"])
def test_a_run_that_did_not_finish_is_not_reused(saved: Path, tmp_path: Path,
                                                 status: str) -> None:
    runs = copy_run(saved, tmp_path)
    [run_dir] = [p for p in runs.iterdir() if p.is_dir()]
    edit(run_dir, "status.json", status=status)
    assert reusable_run(CFG.replace(runs_dir=str(runs))) is None


def test_a_run_still_marked_running_by_a_dead_process_is_not_reused(saved: Path,
                                                                     tmp_path: Path) -> None:
    runs = copy_run(saved, tmp_path)
    [run_dir] = [p for p in runs.iterdir() if p.is_dir()]
    edit(run_dir, "status.json", status="running", pid=2**22 + 12345)
    assert read_run(run_dir).state == "killed"
    assert reusable_run(CFG.replace(runs_dir=str(runs))) is None


def test_a_run_without_its_checkpoint_or_with_damaged_files_is_not_reused(
        saved: Path, tmp_path: Path) -> None:
    runs = copy_run(saved, tmp_path)
    [run_dir] = [p for p in runs.iterdir() if p.is_dir()]
    (run_dir / "model.pt").unlink()
    assert reusable_run(CFG.replace(runs_dir=str(runs))) is None


def test_a_run_steered_or_carried_on_is_not_reused(saved: Path, tmp_path: Path) -> None:
    runs = copy_run(saved, tmp_path)
    [run_dir] = [p for p in runs.iterdir() if p.is_dir()]
    with open(run_dir / "steps.jsonl", "a") as handle:
        handle.write(json.dumps({"kind": "lr", "epoch": 1, "step": 2, "lr": 0.01,
                                 "previous": 0.004, "base_lr": 0.01}) + "\n")
    assert reusable_run(CFG.replace(runs_dir=str(runs))) is None
    runs = copy_run(saved, tmp_path / "again")
    [run_dir] = [p for p in runs.iterdir() if p.is_dir()]
    edit(run_dir, "config.json", carried_on_at=[1])
    assert reusable_run(CFG.replace(runs_dir=str(runs))) is None


def test_a_folder_dataset_is_never_reused() -> None:
    folder = CFG.replace(dataset="folder", data_dir="/tmp/x")
    assert not same_training(folder, folder)


def test_the_fields_left_out_are_documented() -> None:
    assert {"threads", "device", "runs_dir", "log_every", "keep_checkpoints"} <= set(
        NOT_COMPARED)


def test_the_newest_identical_run_is_chosen(saved: Path, tmp_path: Path) -> None:
    runs = copy_run(saved, tmp_path)
    [first] = [p for p in runs.iterdir() if p.is_dir()]
    import shutil

    newer = runs / (first.name[:-4] + "beef")
    shutil.copytree(first, newer)
    created = json.loads((first / "config.json").read_text())["created"]
    edit(newer, "config.json", created=created + 60, run_id=newer.name)
    record = reusable_run(CFG.replace(runs_dir=str(runs)))
    assert record is not None and record.run_id == newer.name


def test_a_run_really_carried_on_is_not_reused(saved: Path, tmp_path: Path) -> None:
    from tui_cnn.core.train import run

    runs = copy_run(saved, tmp_path)
    [run_dir] = [p for p in runs.iterdir() if p.is_dir()]
    longer = CFG.replace(runs_dir=str(runs), epochs=2)
    ended = list(run(longer.replace(resume_from=str(run_dir))))[-1]
    assert ended.status == "finished" and ended.epochs_done == 2  # type: ignore[union-attr]
    assert json.loads((run_dir / "config.json").read_text())["carried_on_at"] == [1]
    assert reusable_run(longer) is None
