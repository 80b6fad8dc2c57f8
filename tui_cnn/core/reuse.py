"""A saved run that already trained what is asked for, so an exercise need not train it again.

Two configs train the same run when every field that changes what training computes is equal
(:data:`COMPARED`, with ``augment`` as the augmentation it resolves to and the architecture
by its numbers, not its preset's name). Left out (:data:`NOT_COMPARED`): where and how fast it
runs, and how much it writes; the device is among them, so a run trained on another device
(or one whose ``precision: auto`` resolved differently there) counts as the same run.

A saved run is reusable only if it trained straight through as its config says: status
``finished`` (not stopped, interrupted, failed or killed), every epoch done (a target accuracy
may end a run early), its checkpoint there, no damaged file, no learning rate changed while it
trained, and never carried on (a run carried on trained its first epochs on a shorter
schedule). A run on your own image folder is never reused: its images may have changed.
Pure Python over the run store: no torch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from tui_cnn.core.config import ArchSpec, ConfigError, TrainConfig
from tui_cnn.core.events import RunEnded
from tui_cnn.core.runs import RunRecord, list_runs, read_jsonl
from tui_cnn.core.steer import lr_changes

COMPARED = ("dataset", "epochs", "batch_size", "lr", "optimizer", "momentum", "weight_decay",
            "schedule", "seed", "train_size", "test_size", "augmentation", "label_smoothing",
            "precision", "target_acc")
"""The TrainConfig fields (``augmentation``: ``augment`` resolved) two identical runs share,
besides the architecture's numbers (:data:`ARCH_COMPARED`)."""

ARCH_COMPARED = ("conv_channels", "kernel_size", "downsample", "hidden", "batch_norm",
                 "dropout")
"""The ArchSpec fields that make the network; its name and description only label it."""

NOT_COMPARED = ("device", "threads", "runs_dir", "data_dir", "download", "log_every",
                "keep_checkpoints", "resume_from", "sweep", "arch.name", "arch.description")
"""Fields that do not change the result: where the data and runs live, the device and
threads, how often steps are logged and checkpoints kept, a sweep's tag. (``data_dir`` only
finds the same checked files for the catalog's sets; a folder run is never reused.)"""

CARRIED_ON_KEY = "carried_on_at"
"""config.json's list of the epochs after which a run was carried on (core.resume)."""


def training_key(cfg: TrainConfig) -> tuple[Any, ...]:
    """What ``cfg`` trains, as one comparable value."""
    arch: ArchSpec = cfg.arch
    return (tuple(getattr(cfg, name) for name in COMPARED),
            tuple(getattr(arch, name) for name in ARCH_COMPARED))


def same_training(a: TrainConfig, b: TrainConfig) -> bool:
    """``a`` and ``b`` train the same run (never for an image folder, whose files change)."""
    if "folder" in (a.dataset, b.dataset):
        return False
    return training_key(a) == training_key(b)


def saved_config(record: RunRecord) -> TrainConfig | None:
    """The config the run saved, or None if it is missing or not valid."""
    if not record.config:
        return None
    try:
        return TrainConfig.from_dict({**record.config, "resume_from": None})
    except (ConfigError, TypeError, ValueError):
        return None


def trained_straight_through(record: RunRecord, cfg: TrainConfig) -> bool:
    """Finished every epoch of ``cfg`` with its checkpoint, files whole, never steered or
    carried on."""
    return (record.state == "finished" and not record.damaged
            and len(record.epochs) == cfg.epochs
            and (record.path / "model.pt").is_file()
            and not record.config.get(CARRIED_ON_KEY)
            and not lr_changes(read_jsonl(record.path / "steps.jsonl", [])))


def reusable_run(cfg: TrainConfig,
                 records: Sequence[RunRecord] | None = None) -> RunRecord | None:
    """The newest saved run in ``cfg.runs_dir`` (or among ``records``, newest first: a
    list read once for several configs) that trained exactly what ``cfg`` asks for (see
    the module's docstring), or None."""
    if cfg.runs_dir == "":  # runs are not saved: nothing to reuse
        return None
    for record in list_runs(cfg.runs_dir) if records is None else records:
        saved = saved_config(record)
        if saved is not None and same_training(saved, cfg) and trained_straight_through(
                record, saved):
            return record
    return None


def finished_at(record: RunRecord) -> float:
    """When the run wrote its last status (its end), else when it started."""
    updated = record.status.get("updated")
    if isinstance(updated, (int, float)) and updated > 0:
        return float(updated)
    try:
        return os.stat(record.path / "status.json").st_mtime
    except OSError:
        return record.started


def reuse_line(record: RunRecord) -> str:
    """``reusing run <id>, finished 2026-12-01 11:40`` (local time)."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(finished_at(record)))
    return f"reusing run {record.run_id}, finished {when}"


def saved_end(record: RunRecord) -> RunEnded:
    """The end of a saved run as its status.json tells it: what a plan records for a run
    it reused instead of training."""
    status = record.status

    def number(key: str) -> float | None:
        value = status.get(key)
        return float(value) if isinstance(value, (int, float)) else None

    def whole(key: str) -> int:
        value = status.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    return RunEnded(record.state, str(status.get("reason") or ""), record.run_id,
                    str(record.path), whole("epochs_done") or len(record.epochs),
                    whole("steps_done"), number("final_test_acc"),
                    number("best_test_acc") or record.best_test_acc,
                    number("train_seconds") or 0.0, number("images_per_s") or 0.0,
                    whole("params"))
