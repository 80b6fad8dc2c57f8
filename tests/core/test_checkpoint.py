"""A saved run's model comes back from config.json + model.pt; bad files fail clearly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.checkpoint import (
    first_layer_weights,
    layer_weights,
    load_run_model,
)
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.events import RunEnded
from tui_cnn.core.models import build_model
from tui_cnn.core.runs import RunStoreError
from tui_cnn.core.train import run


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    cfg = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=1,
                      train_size=1000, test_size=300, threads=1, device="cpu",
                      runs_dir=str(root))
    ended = [e for e in run(cfg) if isinstance(e, RunEnded)][0]
    assert ended.status == "finished" and ended.run_dir
    return Path(ended.run_dir)


@pytest.fixture
def run_copy(saved_run: Path, tmp_path: Path) -> Path:
    target = tmp_path / saved_run.name
    shutil.copytree(saved_run, target)
    return target


def test_model_pt_is_a_plain_state_dict_that_fits_the_builder(saved_run: Path) -> None:
    state = torch.load(saved_run / "model.pt", weights_only=True)
    config = json.loads((saved_run / "config.json").read_text())
    spec = TrainConfig.from_dict(config).arch
    info = dataset_info(config["dataset"])
    model = build_model(spec, info.shape, info.num_classes)
    model.load_state_dict(state, strict=True)  # raises on any missing or extra key


def test_load_run_model_gives_the_saved_weights_on_cpu_in_eval(saved_run: Path) -> None:
    model, cfg, table, epochs = load_run_model(saved_run)
    saved = torch.load(saved_run / "model.pt", weights_only=True)
    assert cfg.arch.name == "cnn-small" and cfg.dataset == "synth-digits"
    assert [e["epoch"] for e in epochs] == [1]
    assert not model.training
    assert table.params == sum(p.numel() for p in model.parameters())
    for name, tensor in model.state_dict().items():
        assert tensor.device.type == "cpu"
        assert torch.equal(tensor, saved[name])
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_layer_weights_by_number(saved_run: Path) -> None:
    model, _, table, _ = load_run_model(saved_run)
    name, w1 = layer_weights(model, 1, table.input_shape)
    assert (name, w1.shape) == ("conv1", (8, 1, 3, 3))
    name, w2 = layer_weights(model, 2, table.input_shape)
    assert (name, w2.shape) == ("conv2", (16, 8, 3, 3))
    np.testing.assert_array_equal(w1, first_layer_weights(model, table.input_shape))
    with pytest.raises(ValueError, match="2 conv layer"):
        layer_weights(model, 3, table.input_shape)


def test_mlp_first_layer_is_reshaped_to_image_templates() -> None:
    model = build_model(preset("mlp"), (3, 32, 32), 10)
    weights = first_layer_weights(model, (3, 32, 32))
    assert weights.shape == (128, 3, 32, 32)
    np.testing.assert_array_equal(weights[5].ravel(), model.fc1.weight[5].detach().numpy())
    assert layer_weights(model, 1, (3, 32, 32))[0] == "fc1"
    with pytest.raises(ValueError, match="layer 1 only"):
        layer_weights(model, 2, (3, 32, 32))


def test_missing_model_pt_names_the_file(run_copy: Path) -> None:
    (run_copy / "model.pt").unlink()
    with pytest.raises(RunStoreError, match=r"model\.pt is missing"):
        load_run_model(run_copy)


def test_corrupt_model_pt_names_the_file(run_copy: Path) -> None:
    (run_copy / "model.pt").write_bytes(b"this is not a checkpoint")
    with pytest.raises(RunStoreError, match=r"model\.pt cannot be read .*damaged"):
        load_run_model(run_copy)


def test_checkpoint_of_another_architecture_is_refused(run_copy: Path) -> None:
    config = json.loads((run_copy / "config.json").read_text())
    config["arch"] = preset("cnn").to_dict()
    (run_copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(RunStoreError, match=r"does not fit the run's architecture \(cnn\)"):
        load_run_model(run_copy)


@pytest.mark.parametrize("content", ["{not json", '{"dataset": "imagenet"}'])
def test_bad_config_json_names_the_file(run_copy: Path, content: str) -> None:
    (run_copy / "config.json").write_text(content)
    with pytest.raises(RunStoreError, match=r"config\.json"):
        load_run_model(run_copy)
