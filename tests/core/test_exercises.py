"""Forks (one setting changed, same seed) and the chapter's exercises as data."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui_cnn.core.compare import differences
from tui_cnn.core.config import PRESETS, ConfigError, TrainConfig
from tui_cnn.core.exercises import (
    FORK_FIELDS,
    exercises,
    field_value,
    fork_config,
    parse_value,
    show_value,
)

BASE = TrainConfig(dataset="synth-digits", epochs=2, seed=1234, train_size=600, test_size=200,
                   runs_dir="/tmp/runs", resume_from="/tmp/runs/old")


def changed(a: TrainConfig, b: TrainConfig) -> dict[str, tuple[object, ...]]:
    return differences([a.to_dict(), b.to_dict()])


@pytest.mark.parametrize(("name", "text", "key"), [
    ("lr", "0.01", "lr"),
    ("epochs", "5", "epochs"),
    ("optimizer", "sgd", "optimizer"),
    ("arch.downsample", "stride", "arch.downsample"),
    ("arch.conv_channels", "16, 32", "arch.conv_channels"),
    ("arch.batch_norm", "yes", "arch.batch_norm"),
    ("dataset", "synth-shapes", "dataset"),
    ("train_size", "", "train_size"),
])
def test_fork_changes_exactly_one_field_and_keeps_the_seed(name: str, text: str,
                                                           key: str) -> None:
    fork = fork_config(BASE, name, parse_value(name, text))
    assert list(changed(BASE.replace(resume_from=None), fork)) == [key]
    assert fork.seed == BASE.seed
    assert fork.resume_from is None
    assert show_value(field_value(fork, name)) == text.replace(" ", "")


def test_fork_to_another_preset_changes_only_the_architecture() -> None:
    fork = fork_config(BASE, "arch", "cnn-stride2")
    assert fork.arch == PRESETS["cnn-stride2"]
    assert fork.replace(arch=BASE.arch, resume_from=BASE.resume_from) == BASE


@pytest.mark.parametrize(("name", "text", "says"), [
    ("lr", "fast", "expected"),
    ("lr", "0", "learning rate"),
    ("lr", "0.004", "already"),
    ("arch.kernel_size", "4", "kernel size"),
    ("arch.conv_channels", "8,8,8,8,8,8", "too small to pool"),  # 28x28 halves to 0
    ("arch", "resnet", "unknown architecture"),
])
def test_a_bad_fork_says_why(name: str, text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        fork_config(BASE, name, parse_value(name, text))


def test_the_seed_is_not_a_fork_field() -> None:
    assert "seed" not in FORK_FIELDS
    with pytest.raises(ConfigError, match="cannot change 'seed'"):
        fork_config(BASE, "seed", 7)


def test_exercises_use_built_in_sets_offline_and_the_same_budget() -> None:
    one, two, three = exercises(BASE, present=lambda name: False)
    assert [e.number for e in (one, two, three)] == [1, 2, 3]
    assert one.shows_filters and not two.shows_filters
    assert one.configs[0].arch == PRESETS["cnn"] and one.configs[0].dataset == "synth-digits"
    maxpool, stride = two.configs
    # (the comparison leaves arch.description out)
    assert list(changed(maxpool, stride)) == ["arch.name", "arch.downsample"]
    assert maxpool.seed == stride.seed and maxpool.epochs == stride.epochs
    digits, shapes = three.configs
    assert list(changed(digits, shapes)) == ["dataset"]
    assert shapes.dataset == "synth-shapes"
    for cfg in (*one.configs, *two.configs, *three.configs):
        assert (cfg.train_size, cfg.test_size, cfg.runs_dir) == (600, 200, "/tmp/runs")
        assert cfg.resume_from is None and cfg.lr == TrainConfig().lr


def test_exercises_use_the_real_sets_when_on_disk() -> None:
    three = exercises(BASE, present=lambda name: True)[2]
    assert [cfg.dataset for cfg in three.configs] == ["mnist", "cifar10"]


def test_every_exercise_has_its_question_and_our_text() -> None:
    for exercise in exercises(BASE, present=lambda name: False):
        assert exercise.question.endswith((".", "?"))
        assert len(exercise.look_for) > 200


def test_exercises_do_not_import_torch() -> None:
    code = ("import sys; from tui_cnn.core.exercises import exercises; "
            "from tui_cnn.core.config import TrainConfig; exercises(TrainConfig()); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_exercise_3_says_what_stands_in_for_what() -> None:
    """Issue 20, item 10: offline it trained synth-shapes under the title "MNIST vs
    CIFAR-10" and spoke of colour photos."""
    offline = exercises(BASE, present=lambda name: False)[2]
    assert offline.title == ("built-in digits vs built-in colour shapes "
                             "(stand-ins for the sets not on disk)")
    assert "not photos" in offline.look_for and "CIFAR-10 objects vary" not in offline.look_for
    real = exercises(BASE, present=lambda name: True)[2]
    assert real.title == "MNIST vs CIFAR-10, same CNN" and "CIFAR-10 objects" in real.look_for
