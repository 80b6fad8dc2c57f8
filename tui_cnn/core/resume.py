"""Carry a saved run on from its last checkpoint: read what it had, and tidy its folder.

``read_checkpoint`` returns what was saved; the Session applies it to its own model and
optimiser (this module knows nothing of the Session).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from tui_cnn.core import runfile_checks, runfiles
from tui_cnn.core.atomic import atomic_write_bytes, atomic_write_json
from tui_cnn.core.catalog import DatasetInfo
from tui_cnn.core.checkpoint import load_saved_dict, load_state_dict, run_dataset
from tui_cnn.core.config import MAX_EPOCHS, ConfigError
from tui_cnn.core.reuse import CARRIED_ON_KEY
from tui_cnn.core.runfiles import RunFileError
from tui_cnn.core.runs import RunStoreError


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


def _counter(state: dict[str, Any], key: str, check: Callable[[object], str | None],
             default: Any, path: Path) -> Any:
    value = state.get(key, default)
    problem = check(value)
    if problem:
        raise RunFileError(path, f"{key} {problem}")
    return value


def _accs(state: dict[str, Any], path: Path) -> list[float]:
    accs = state.get("test_accs", [])
    if not isinstance(accs, list) or len(accs) > MAX_EPOCHS:
        raise RunFileError(path, f"test_accs must be a list of accuracies, got {accs!r:.40}")
    for acc in accs:
        problem = runfile_checks.number(acc, 0.0, 1.0)
        if problem:
            raise RunFileError(path, f"test_accs {problem}")
    return [float(a) for a in accs]


def _optimizer(state: dict[str, Any], path: Path) -> dict[str, Any]:
    optimizer = state.get("optimizer")
    if not isinstance(optimizer, dict):
        raise RunFileError(path, "holds no optimiser state")
    groups = optimizer.get("param_groups")
    if not isinstance(optimizer.get("state"), dict) or not isinstance(groups, list) \
            or not groups or not all(isinstance(g, dict) for g in groups):
        raise RunFileError(path, "holds a damaged optimiser state (no state and param_groups)")
    return optimizer


def read_checkpoint(run_dir: Path, epochs: int) -> Restored:
    """The checkpoint in ``run_dir``, to carry on to ``epochs`` epochs in all; every
    counter checked (RunFileError naming resume.pt and the value)."""
    weights = load_state_dict(run_dir / "model.pt")
    state_path = run_dir / "resume.pt"
    state = load_saved_dict(state_path)
    whole, number = runfile_checks.whole, runfile_checks.number
    epoch = _counter(state, "epoch", lambda v: whole(v, 0, MAX_EPOCHS), 0, state_path)
    if epoch >= epochs:
        raise ConfigError(f"run {run_dir.name} already has {epoch} epoch(s); ask for more "
                          f"than {epoch} with --epochs to carry it on")
    count = runfile_checks.MAX_COUNT
    return Restored(
        weights, _optimizer(state, state_path), epoch,
        _counter(state, "global_step", lambda v: whole(v, 0, count), 0, state_path),
        _accs(state, state_path),
        float(_counter(state, "train_seconds", lambda v: number(v, 0, runfile_checks.MAX_TIME), 0.0,
                       state_path)),
        _counter(state, "train_images", lambda v: whole(v, 0, count), 0, state_path),
        float(_counter(state, "base_lr", lambda v: number(v, 0, 10), 0.0, state_path)) or None)


def check_same_data(run_dir: Path, now: DatasetInfo) -> None:
    """RunStoreError if the data to carry on with has other classes or another image shape
    than the run was trained on (an image folder changed since): the checkpoint then
    cannot fit, and "does not fit this architecture" blamed the wrong thing."""
    was = run_dataset(run_dir)
    if was.classes != now.classes:
        raise RunStoreError(
            f"run {run_dir.name} was trained on {was.num_classes} classes "
            f"({', '.join(was.classes)}) and its data now has {now.num_classes} "
            f"({', '.join(now.classes)}): a resumed run trains on the classes it began with; "
            "put the folder back, or train a new run on it")
    if was.shape != now.shape:
        raise RunStoreError(f"run {run_dir.name} was trained on {'x'.join(map(str, was.shape))}"
                            f" images and its data is now {'x'.join(map(str, now.shape))}")


def reopen_folder(run_dir: Path, restored: Restored, epochs: int) -> None:
    """The run folder as the checkpoint left it: config.json asks for ``epochs`` epochs
    and lists the epoch carried on from (``carried_on_at``: such a run is never reused as
    one trained straight through, core.reuse), and metrics logged after the checkpoint
    (the steps a killed run will redo) are gone."""
    config = runfiles.load_object(run_dir / "config.json")  # checked by read_config first
    carried = config.get(CARRIED_ON_KEY)
    carried = [*carried, restored.epoch] if isinstance(carried, list) else [restored.epoch]
    atomic_write_json(run_dir / "config.json",
                      {**config, "epochs": epochs, CARRIED_ON_KEY: carried})
    _drop_rows_after(run_dir / "steps.jsonl", "step", restored.global_step)
    _drop_rows_after(run_dir / "epochs.jsonl", "epoch", restored.epoch, whole_from_one=True)


def _drop_rows_after(path: Path, key: str, last: int, *, whole_from_one: bool = False) -> None:
    """``path`` without its rows past ``last``, and without its torn lines (what a kill
    mid-write leaves, past the checkpoint) unless ``whole_from_one`` and the rows kept
    miss one of 1..last: then a torn line may be the only record of an epoch before the
    checkpoint, so every line that is not a row stays as it is (the run stays marked
    damaged rather than losing it unseen)."""
    rows = runfiles.load_rows(path)[0]  # RunFileError (nothing written) if unreadable
    kept_rows = [row for row in rows if isinstance(row.get(key), int) and row[key] <= last]
    whole = set(range(1, last + 1)) <= {row[key] for row in kept_rows}
    if not whole_from_one or whole or not path.exists():
        payload = b"".join((json.dumps(row, sort_keys=True) + "\n").encode()
                           for row in kept_rows)
        atomic_write_bytes(path, payload)
        return
    kept = [line.rstrip(b"\r") + b"\n"
            for line in runfiles.read_regular(path, runfiles.JSONL_LIMIT).splitlines()
            if line.strip() and not _row_after(line, key, last)]
    atomic_write_bytes(path, b"".join(kept))


def _row_after(line: bytes, key: str, last: int) -> bool:
    try:
        row = json.loads(line)
    except (ValueError, RecursionError):
        return False  # torn: kept
    return isinstance(row, dict) and isinstance(row.get(key), int) and row[key] > last
