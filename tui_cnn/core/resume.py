"""Carry a saved run on from its last checkpoint: read what it had, and tidy its folder.

``read_checkpoint`` returns what was saved; the Session applies it to its own model and
optimiser (this module knows nothing of the Session).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from tui_cnn.core.checkpoint import load_saved_dict
from tui_cnn.core.config import ConfigError
from tui_cnn.core.runs import (
    RunStoreError,
    atomic_write_bytes,
    atomic_write_json,
    read_json,
    read_jsonl,
)

MISSING = "the run has no finished epoch to resume from"


@dataclass(frozen=True)
class Restored:
    """A run's last checkpoint: weights, optimiser state and counters."""

    weights: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    epoch: int
    global_step: int
    test_accs: list[float]
    train_seconds: float
    train_images: int
    base_lr: float | None = None  # the steered base learning rate (core.steer), if saved


def _number(state: dict[str, Any], key: str, kind: type, default: Any, path: Path) -> Any:
    try:
        return kind(state.get(key, default))
    except (TypeError, ValueError):
        raise RunStoreError(f"{path} holds a bad {key}: {state.get(key)!r}") from None


def read_checkpoint(run_dir: Path, epochs: int) -> Restored:
    """The checkpoint in ``run_dir``, to carry on to ``epochs`` epochs in all."""
    weights = load_saved_dict(run_dir / "model.pt", MISSING)
    state_path = run_dir / "resume.pt"
    state = load_saved_dict(state_path, MISSING)
    epoch = _number(state, "epoch", int, 0, state_path)
    if epoch >= epochs:
        raise ConfigError(f"run {run_dir.name} already has {epoch} epoch(s); ask for more "
                          f"than {epoch} with --epochs to carry it on")
    optimizer = state.get("optimizer")
    if not isinstance(optimizer, dict):
        raise RunStoreError(f"{state_path} holds no optimiser state")
    accs = state.get("test_accs", [])
    return Restored(weights, optimizer, epoch, _number(state, "global_step", int, 0, state_path),
                    [float(a) for a in accs] if isinstance(accs, list) else [],
                    _number(state, "train_seconds", float, 0.0, state_path),
                    _number(state, "train_images", int, 0, state_path),
                    _number(state, "base_lr", float, 0.0, state_path) or None)


def reopen_folder(run_dir: Path, restored: Restored, epochs: int) -> None:
    """The run folder as the checkpoint left it: config.json asks for ``epochs`` epochs,
    and metrics logged after the checkpoint (the steps a killed run will redo) are gone."""
    config = read_json(run_dir / "config.json", [])
    atomic_write_json(run_dir / "config.json", {**config, "epochs": epochs})
    _drop_rows_after(run_dir / "steps.jsonl", "step", restored.global_step)
    _drop_rows_after(run_dir / "epochs.jsonl", "epoch", restored.epoch)


def _drop_rows_after(path: Path, key: str, last: int) -> None:
    rows = read_jsonl(path, [])
    kept = [row for row in rows if isinstance(row.get(key), int) and row[key] <= last]
    payload = b"".join((json.dumps(row, sort_keys=True) + "\n").encode() for row in kept)
    atomic_write_bytes(path, payload)
