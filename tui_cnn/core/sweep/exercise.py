"""The chapter's comparison exercises as sweeps: each variant over several seeds."""

from __future__ import annotations

from tui_cnn.core.config import ConfigError
from tui_cnn.core.exercises import Exercise
from tui_cnn.core.parse import field_text
from tui_cnn.core.sweep.grid import SweepSpec

EXERCISE_SEEDS = 3
"""Exercises 2 and 3 run as sweeps default to this many seeds per variant."""


def exercise_sweep(exercise: Exercise, seeds: int = EXERCISE_SEEDS) -> SweepSpec:
    """The exercise's variants (the fields its configs differ in) times ``seeds`` seeds."""
    if seeds < 1:
        raise ConfigError(f"seeds must be at least 1, got {seeds}")
    first = exercise.configs[0]
    grid: list[tuple[str, list[str]]] = []
    for name in ("arch", "dataset"):
        values = [field_text(name, getattr(cfg, name)) for cfg in exercise.configs]
        if len(set(values)) > 1:
            grid.append((name, values))
    start = first.seed
    grid.append(("seed", [str(start + i) for i in range(seeds)]))
    return SweepSpec.build(first, grid)
