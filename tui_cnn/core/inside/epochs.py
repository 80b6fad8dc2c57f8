"""A checkpoint per epoch: ``checkpoints/epoch-E.pt`` (a plain state_dict, read back with
``torch.load(weights_only=True)``) with a keep policy, and any kept epoch's model rebuilt.

Keep policy (``TrainConfig.keep_checkpoints``): ``all`` keeps every epoch, ``last`` only the
newest, ``N`` the newest N. The run's ``model.pt`` (the last epoch) answers for the last
recorded epoch even when no per-epoch file was kept.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import nn

from tui_cnn.core.atomic import atomic_write_bytes
from tui_cnn.core.checkpoint import built_model, load_problem, load_state_dict, run_dataset
from tui_cnn.core.config import TrainConfig, check_keep
from tui_cnn.core.layers import LayerTable
from tui_cnn.core.runs import RunStoreError, read_config, read_jsonl, read_run

FOLDER = "checkpoints"
_NAME = re.compile(r"^epoch-(\d+)\.pt$")


def checkpoint_path(run_dir: Path, epoch: int) -> Path:
    return Path(run_dir) / FOLDER / f"epoch-{epoch}.pt"


def kept_epochs(run_dir: Path) -> list[int]:
    """The epochs with a file in ``checkpoints/``, ascending."""
    try:
        names = [p.name for p in (Path(run_dir) / FOLDER).iterdir()]
    except OSError:
        return []
    return sorted(int(m.group(1)) for m in map(_NAME.match, names) if m)


def keep_count(keep: str) -> int | None:
    """How many of the newest epochs ``keep`` keeps (None: all)."""
    check_keep(keep)
    if keep == "all":
        return None
    return 1 if keep == "last" else int(keep)


def save_epoch_checkpoint(run_dir: Path, epoch: int, model: nn.Module,
                          keep: str = "last") -> Path:
    """Write epoch ``epoch``'s weights atomically, then delete what ``keep`` does not keep."""
    count = keep_count(keep)
    path = checkpoint_path(run_dir, epoch)
    path.parent.mkdir(parents=True, exist_ok=True)
    weights = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    buffer = io.BytesIO()
    torch.save(weights, buffer)
    atomic_write_bytes(path, buffer.getvalue())
    prune(run_dir, count)
    return path


def prune(run_dir: Path, count: int | None) -> list[int]:
    """Delete all but the newest ``count`` epoch files (None: keep all); the deleted epochs."""
    epochs = kept_epochs(run_dir)
    if count is None or len(epochs) <= count:
        return []
    gone = epochs[:len(epochs) - count]
    for epoch in gone:
        checkpoint_path(run_dir, epoch).unlink(missing_ok=True)
    return gone


class LoadedEpoch(NamedTuple):
    model: nn.Sequential  # eval mode, on the CPU
    config: TrainConfig
    table: LayerTable
    epoch: int
    epochs: list[dict[str, Any]]  # epochs.jsonl rows


def recorded_epochs(run_dir: Path) -> list[int]:
    """The epochs epochs.jsonl records, and the last status.json counts: a torn line of
    epochs.jsonl must not make a run with a model look as if it had finished no epoch."""
    record = read_run(Path(run_dir))  # epochs.jsonl and status.json, each read once
    done = {int(r["epoch"]) for r in record.epochs if isinstance(r.get("epoch"), int)}
    counted = record.status.get("epochs_done")
    if isinstance(counted, int) and not isinstance(counted, bool) and counted >= 1:
        done.add(counted)
    return sorted(done)


def _weights_file(run_dir: Path, epoch: int, done: list[int]) -> Path:
    per_epoch = checkpoint_path(run_dir, epoch)
    if per_epoch.is_file():
        return per_epoch
    if done and epoch == done[-1] and (Path(run_dir) / "model.pt").is_file():
        return Path(run_dir) / "model.pt"
    kept = sorted(set(kept_epochs(run_dir)) | ({done[-1]} if done else set()))
    listed = ", ".join(map(str, kept)) or "none"
    raise RunStoreError(f"run {Path(run_dir).name} has no checkpoint for epoch {epoch} "
                        f"(epochs with one: {listed}); train with --keep-checkpoints all "
                        "to keep every epoch")


def load_epoch_model(run_dir: str | Path, epoch: int | None = None) -> LoadedEpoch:
    """The run's model after ``epoch`` (None: the last recorded epoch)."""
    run_dir = Path(run_dir)
    cfg = read_config(run_dir)
    rows = read_jsonl(run_dir / "epochs.jsonl", [])
    done = recorded_epochs(run_dir)
    if epoch is None:
        if not done:
            raise RunStoreError(f"run {run_dir.name} finished no epoch, so it has no model")
        epoch = done[-1]
    path = _weights_file(run_dir, epoch, done)
    info = run_dataset(run_dir)
    model, table = built_model(cfg, info, run_dir / "config.json")
    try:
        model.load_state_dict(load_state_dict(path), strict=True)
    except (RuntimeError, ValueError) as exc:
        raise RunStoreError(f"{path} does not fit the run's architecture "
                            f"({cfg.arch.name}): {load_problem(exc)}") from None
    model.eval()
    return LoadedEpoch(model, cfg, table, epoch, rows)
