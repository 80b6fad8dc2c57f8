"""A saved run's metrics read back as the events the training loop yielded, so a face can
draw them as it drew them live (the curves of a run carried on, say)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import TypeVar

from tui_cnn.core.events import EpochMetrics, LrChanged, StepMetrics
from tui_cnn.core.runs import read_jsonl
from tui_cnn.core.steer import is_event_row, lr_changes

T = TypeVar("T", StepMetrics, EpochMetrics)


def _rows(path: Path, kind: type[T]) -> list[T]:
    """The whole rows of a metrics file as events; rows that do not fit are skipped."""
    names = [f.name for f in fields(kind)]
    events = []
    for row in read_jsonl(path, []):
        if is_event_row(row):  # a learning-rate change, say: not metrics
            continue
        try:
            events.append(kind(**{name: row[name] for name in names}))
        except (KeyError, TypeError):
            continue
    return events


def saved_metrics(run_dir: Path) -> tuple[list[StepMetrics], list[EpochMetrics]]:
    """The run's step and epoch metrics up to its last saved epoch: steps past it are left
    out (a resumed run does them again)."""
    epochs = _rows(run_dir / "epochs.jsonl", EpochMetrics)
    last_step = epochs[-1].step if epochs else 0
    steps = [s for s in _rows(run_dir / "steps.jsonl", StepMetrics) if s.step <= last_step]
    return steps, epochs


def saved_lr_changes(run_dir: Path) -> list[LrChanged]:
    """The learning-rate changes recorded in the run's steps.jsonl, up to its last saved
    epoch (as saved_metrics)."""
    epochs = _rows(run_dir / "epochs.jsonl", EpochMetrics)
    last_step = epochs[-1].step if epochs else 0
    rows = read_jsonl(run_dir / "steps.jsonl", [])
    return [c for c in lr_changes(rows) if c.step <= last_step]
