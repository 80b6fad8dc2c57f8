"""What the comparison draws, read from run folders: each marked run's curves (test accuracy
per epoch, smoothed training loss per step) in its mark's colour. No Textual, no torch."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tui_cnn.core.runs import RunRecord, read_jsonl
from tui_cnn.render.marks import MarkColour
from tui_cnn.tui.training.series import Ema, Series


def legend_name(record: RunRecord, short_id: str) -> str:
    """``a1b2 cnn``: the run's short id (what the CLI takes) and its architecture."""
    arch = record.config.get("arch")
    name = str(arch.get("name", "?")) if isinstance(arch, dict) else "?"
    return f"{short_id} {name}"


def _number(value: object) -> float | None:
    """A finite number as a float; None for anything else (missing, text, NaN, inf)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


@dataclass(frozen=True)
class RunCurves:
    run_id: str
    short_id: str  # what the list and the CLI call it
    label: str  # legend_name
    colour: MarkColour
    planned_epochs: int
    test_acc: Series  # (epoch, fraction)
    train_loss: Series  # (epoch as a fraction, smoothed loss), bounded

    @property
    def last_epoch(self) -> float:
        ends = [s.xs[-1] for s in (self.test_acc, self.train_loss) if s.xs]
        return max([float(self.planned_epochs), *ends])


def load_curves(record: RunRecord, colour: MarkColour, short_id: str,
                cap: int = 300) -> RunCurves:
    """The run's curves; rows that are torn or not finite are skipped, never drawn."""
    acc = Series(cap)
    for row in record.epochs:
        epoch, test_acc = _number(row.get("epoch")), _number(row.get("test_acc"))
        if epoch is not None and test_acc is not None:
            acc.append(epoch, test_acc)
    loss, ema = Series(cap), Ema()
    for row in read_jsonl(record.path / "steps.jsonl", []):
        if "kind" in row:  # an event row (a learning-rate change), not metrics
            continue
        step, per_epoch, value = (_number(row.get(key))
                                  for key in ("step", "steps_per_epoch", "loss"))
        if step is None or value is None or per_epoch is None or per_epoch <= 0:
            continue
        smoothed = ema.update(value)
        if smoothed is not None:
            loss.append(step / per_epoch, smoothed)
    planned = record.config.get("epochs")
    return RunCurves(record.run_id, short_id, legend_name(record, short_id), colour,
                     planned if isinstance(planned, int) else len(record.epochs), acc, loss)
