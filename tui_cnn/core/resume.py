"""Carry a saved run on from its last checkpoint: weights, optimiser, counters, folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from tui_cnn.core.checkpoint import load_saved_dict
from tui_cnn.core.config import ConfigError
from tui_cnn.core.runs import RunStoreError, RunWriter, atomic_write_bytes, read_json, read_jsonl

if TYPE_CHECKING:
    from tui_cnn.core.session import Session


def restore_into(session: Session, run_dir: Path) -> None:
    missing = "the run has no finished epoch to resume from"
    weights = load_saved_dict(run_dir / "model.pt", missing)
    state = load_saved_dict(run_dir / "resume.pt", missing)
    epoch = int(state.get("epoch", 0))
    if epoch >= session.cfg.epochs:
        raise ConfigError(f"run {run_dir.name} already has {epoch} epoch(s); ask for more "
                          f"than {epoch} with --epochs to carry it on")
    try:
        session.model.load_state_dict(weights)
        session.optimizer.load_state_dict(state["optimizer"])
    except (RuntimeError, KeyError, ValueError) as exc:
        raise RunStoreError(f"checkpoint in {run_dir} does not fit this architecture: "
                            f"{str(exc).splitlines()[0]}") from exc
    session.start_epoch = epoch + 1
    session.epochs_done = epoch
    session.global_step = int(state.get("global_step", 0))
    session.test_accs = [float(a) for a in state.get("test_accs", [])]
    session.train_seconds = float(state.get("train_seconds", 0.0))
    session._resumed_train_seconds = session.train_seconds
    session.train_images = int(state.get("train_images", 0))
    session.writer = RunWriter.reopen(run_dir)
    config = read_json(run_dir / "config.json", [])
    session.writer.write_json("config.json", {**config, "epochs": session.cfg.epochs})
    _drop_rows_after(run_dir / "steps.jsonl", "step", session.global_step)
    _drop_rows_after(run_dir / "epochs.jsonl", "epoch", epoch)
    session.write_status("running", "resumed")


def _drop_rows_after(path: Path, key: str, last: int) -> None:
    """Forget metrics logged after the checkpoint (the steps a killed run will redo)."""
    rows = read_jsonl(path, [])
    kept = [row for row in rows if isinstance(row.get(key), int) and row[key] <= last]
    payload = b"".join((json.dumps(row, sort_keys=True) + "\n").encode() for row in kept)
    atomic_write_bytes(path, payload)
