"""Exercises 2 and 3 as sweeps: the variants they compare, three seeds each by default."""

from __future__ import annotations

import pytest

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.exercises import exercises
from tui_cnn.core.sweep.exercise import exercise_sweep


def test_exercise_sweeps_grid_the_compared_field_and_three_seeds() -> None:
    ex = exercises(TrainConfig(train_size=256), present=lambda name: False)
    two, three = exercise_sweep(ex[1]), exercise_sweep(ex[2], seeds=2)
    assert two.grid == (("arch", ("cnn", "cnn-stride2")), ("seed", ("0", "1", "2")))
    assert three.grid == (("dataset", ("synth-digits", "synth-shapes")), ("seed", ("0", "1")))
    assert two.size == 6 and two.base.epochs == 3 and two.base.train_size == 256
    assert exercise_sweep(ex[0]).grid == (("seed", ("0", "1", "2")),)
    with pytest.raises(ConfigError):
        exercise_sweep(ex[1], seeds=0)
