"""Read a saved run's config back, to carry it on or fork it."""

from __future__ import annotations

from pathlib import Path

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.runs import RunStoreError, find_run, read_json


def base_config(ref: str, runs_dir: str | None) -> tuple[TrainConfig, Path]:
    """The TrainConfig a saved run was started with, and the run's folder."""
    run_dir: Path = find_run(ref, runs_dir)
    problems: list[str] = []
    data = read_json(run_dir / "config.json", problems)
    if problems:
        raise RunStoreError(f"cannot resume {run_dir.name}: {'; '.join(problems)}")
    return TrainConfig.from_dict({**data, "resume_from": None}), run_dir
