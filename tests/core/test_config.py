"""Every config field is validated with a message that names it."""

from __future__ import annotations

import math

import pytest

from tui_cnn.core.config import ArchSpec, ConfigError, TrainConfig, preset


@pytest.mark.parametrize(("changes", "message"), [
    ({"epochs": 0}, "epochs must be between 1"),
    ({"epochs": 10**9}, "epochs must be between 1 and 1,000"),
    ({"epochs": 2.5}, "epochs must be a whole number"),
    ({"batch_size": -3}, "batch size must be between 1"),
    ({"lr": 0.0}, "learning rate must be a number in"),
    ({"lr": math.nan}, "learning rate"),
    ({"lr": math.inf}, "learning rate"),
    ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
    ({"dataset": "imagenet"}, "unknown dataset 'imagenet'"),
    ({"device": ""}, "device must be"),
    ({"threads": 0}, "threads must be between 1"),
    ({"train_size": 0}, "train size must be between 1"),
    ({"augment": "rotate"}, "unknown augmentation"),
    ({"label_smoothing": 1.0}, "label smoothing"),
    ({"precision": "fp16"}, "unknown precision 'fp16'"),
    ({"epochs": True}, "epochs must be a whole number"),
])
def test_bad_values_are_refused_with_a_clear_message(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**changes)


@pytest.mark.parametrize(("changes", "message"), [
    ({"conv_channels": (0, 4)}, "conv channels must be between 1"),
    ({"kernel_size": 4}, "kernel size must be 1, 3, 5 or 7"),
    ({"downsample": "avg"}, "downsampling must be one of"),
    ({"dropout": 1.0}, "dropout must be in"),
    ({"hidden": (128, -1)}, "hidden units must be between 1"),
])
def test_bad_arch_specs_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ArchSpec(**changes)


def test_round_trip_through_dict() -> None:
    cfg = TrainConfig(arch=preset("cnn-stride2"), dataset="cifar10", epochs=7, seed=3)
    again = TrainConfig.from_dict(cfg.to_dict())
    assert again == cfg
    assert again.arch.downsample == "stride"


def test_unknown_preset_lists_choices() -> None:
    with pytest.raises(ConfigError, match="choose one of: cnn, cnn-stride2, mlp"):
        preset("resnet")


def test_auto_augmentation_follows_the_dataset() -> None:
    assert TrainConfig(dataset="cifar10").augmentation == "shift-flip"
    assert TrainConfig(dataset="mnist").augmentation == "shift"
    assert TrainConfig(dataset="mnist", augment="none").augmentation == "none"
