"""Every run writes TensorBoard event files: read back with TensorBoard's own reader,
they hold the expected tags at the run's steps; `export --tensorboard` writes the same
for a run saved without them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tui_cnn.cli import main
from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.events import RunEnded
from tui_cnn.core.tboard import filter_grid
from tui_cnn.core.train import run

accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def events_in(folder: Path) -> accumulator.EventAccumulator:
    files = sorted(folder.glob("events.out.tfevents.*"))
    assert files, f"no event file in {folder}"
    acc = accumulator.EventAccumulator(str(folder), size_guidance={"histograms": 0,
                                                                  "images": 0, "scalars": 0})
    acc.Reload()
    return acc


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    cfg = TrainConfig(arch=PRESETS["cnn-small"], dataset="synth-digits", epochs=2,
                      train_size=256, test_size=128, batch_size=32, log_every=2, threads=1,
                      device="cpu", runs_dir=str(root))
    ended = [e for e in run(cfg) if isinstance(e, RunEnded)][0]
    assert ended.status == "finished" and ended.run_dir
    return Path(ended.run_dir)


def test_a_run_writes_scalars_histograms_filters_and_hparams(saved_run: Path) -> None:
    acc = events_in(saved_run / "tb")
    tags = acc.Tags()
    steps = [json.loads(line)["step"] for line in (saved_run / "steps.jsonl").open()]
    assert [e.step for e in acc.Scalars("train/loss")] == steps  # every report, in order
    assert {"train/accuracy", "train/lr", "train/images_per_s", "test/accuracy",
            "test/loss"} <= set(tags["scalars"])
    epochs = [json.loads(line) for line in (saved_run / "epochs.jsonl").open()]
    test = acc.Scalars("test/accuracy")
    assert [e.step for e in test] == [row["step"] for row in epochs]
    assert [round(e.value, 6) for e in test] == [round(row["test_acc"], 6) for row in epochs]
    assert {"weights/conv1", "weights/conv2", "weights/fc1", "weights/fc2"} <= set(
        tags["histograms"])
    assert [e.step for e in acc.Histograms("weights/conv1")] == [1, 2]
    assert [e.step for e in acc.Images("filters/layer1")] == [1, 2]
    hparams = saved_run / "tb" / "hparams"
    assert hparams.is_dir() and list(hparams.glob("events.out.tfevents.*"))


def test_export_writes_them_for_a_run_saved_without(saved_run: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / saved_run.name
    shutil.copytree(saved_run, old)
    shutil.rmtree(old / "tb")
    assert main(["export", str(old), "--tensorboard"]) == 0
    assert f"{old / 'tb'}" in capsys.readouterr().out
    acc = events_in(old / "tb")
    assert [e.step for e in acc.Scalars("test/accuracy")] == [
        e.step for e in events_in(saved_run / "tb").Scalars("test/accuracy")]
    assert [e.step for e in acc.Images("filters/layer1")] == [1, 2]
    files = sorted(p.name for p in (old / "tb").iterdir())
    assert main(["export", str(old), "--tensorboard"]) == 0  # again: nothing added
    assert "its event files are there already; nothing added" in capsys.readouterr().out
    assert sorted(p.name for p in (old / "tb").iterdir()) == files
    again = events_in(old / "tb")  # each point once, not twice
    assert len(again.Scalars("test/accuracy")) == len(acc.Scalars("test/accuracy")) == 2


def test_filter_grid_scales_each_filter_and_tiles_a_square() -> None:
    import numpy as np

    weights = np.zeros((5, 1, 3, 3))
    weights[0, 0, 0, 0] = 2.0
    weights[1, 0, 1, 1] = -0.5
    grid = filter_grid(weights)
    assert grid.shape == (3, 2 * 4 + 1, 3 * 4 + 1)  # 5 tiles in 3 columns, 1-pixel gaps
    assert grid[0, 1, 1] == 1.0 and grid[0, 1, 2] == 0.5  # largest |w| -> 1, zero -> 0.5
    assert grid[0, 2, 6] == 0.0  # the second filter's -0.5 is its largest |w|: -> 0
