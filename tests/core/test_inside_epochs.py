"""Per-epoch checkpoints: saved, pruned by the keep policy, and any kept epoch reloaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import ConfigError, TrainConfig, preset
from tui_cnn.core.inside.epochs import (
    checkpoint_path,
    kept_epochs,
    load_epoch_model,
    save_epoch_checkpoint,
)
from tui_cnn.core.models import build_model
from tui_cnn.core.parse import parse_field
from tui_cnn.core.runs import RunStoreError


def fake_run(tmp_path: Path, epochs: int) -> Path:
    """A run folder as the session writes it, with ``epochs`` epochs recorded."""
    cfg = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=epochs)
    run = tmp_path / "20261201-000000-cnn-small-synth-digits-abcd"
    run.mkdir()
    (run / "config.json").write_text(json.dumps(cfg.to_dict()))
    (run / "epochs.jsonl").write_text("".join(json.dumps({"epoch": e}) + "\n"
                                              for e in range(1, epochs + 1)))
    return run


def model_after(epoch: int) -> torch.nn.Sequential:
    info = dataset_info("synth-digits")
    model = build_model(preset("cnn-small"), info.shape, info.num_classes)
    with torch.no_grad():
        model.conv1.bias.fill_(float(epoch))  # marks which epoch the weights are from
    return model


@pytest.mark.parametrize(("keep", "left"), [("all", [1, 2, 3, 4]), ("last", [4]),
                                            ("2", [3, 4])])
def test_the_keep_policy_prunes_older_epochs(tmp_path: Path, keep: str, left: list) -> None:
    run = fake_run(tmp_path, 4)
    for epoch in range(1, 5):
        path = save_epoch_checkpoint(run, epoch, model_after(epoch), keep)
        assert path == checkpoint_path(run, epoch) == run / "checkpoints" / f"epoch-{epoch}.pt"
    assert kept_epochs(run) == left
    state = torch.load(run / "checkpoints" / "epoch-4.pt", weights_only=True)
    assert float(state["conv1.bias"][0]) == 4.0


def test_any_kept_epoch_reloads_and_a_missing_one_is_one_line(tmp_path: Path) -> None:
    run = fake_run(tmp_path, 3)
    for epoch in (1, 2):
        save_epoch_checkpoint(run, epoch, model_after(epoch), "all")
    torch.save(model_after(3).state_dict(), run / "model.pt")  # the last epoch: model.pt
    for epoch in (1, 2, 3, None):
        loaded = load_epoch_model(run, epoch)
        want = 3 if epoch is None else epoch
        assert loaded.epoch == want and not loaded.model.training
        assert float(loaded.model.conv1.bias[0].detach()) == float(want)
    checkpoint_path(run, 1).unlink()
    with pytest.raises(RunStoreError, match=r"no checkpoint for epoch 1 \(epochs with one: "
                                            r"2, 3\); train with --keep-checkpoints all"):
        load_epoch_model(run, 1)
    checkpoint_path(run, 2).write_bytes(b"not a checkpoint")
    with pytest.raises(RunStoreError, match="damaged"):
        load_epoch_model(run, 2)


def test_keep_checkpoints_is_validated_and_round_trips() -> None:
    assert TrainConfig().keep_checkpoints == "last"
    cfg = TrainConfig(keep_checkpoints="3")
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    assert parse_field("keep-checkpoints", " all ") == "all"
    for bad in ("0", "some", "-1", "2.5"):
        with pytest.raises(ConfigError, match="keep checkpoints must be all, last or"):
            TrainConfig(keep_checkpoints=bad)
