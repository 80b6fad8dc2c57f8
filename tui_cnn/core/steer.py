"""Steering a run while it trains: a new learning rate, a target accuracy, one more epoch.

The app (or a signal) writes requests into a thread-safe ``Steering``; the training loop
takes them at the next step (``take_lr``) or epoch end (``reached_target``,
``take_extra_epochs``). ``rescaled_base`` makes the schedule continue from the new value:
the loop sets ``lr = base * lr_factor(step)``, so the base becomes ``new / factor(step)``
and the one-cycle shape carries on from where it is, at the new height.
No Textual; torch only through the optimizer/scheduler objects passed in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from tui_cnn.core.config import ConfigError
from tui_cnn.core.events import LrChanged
from tui_cnn.core.parse import parse_field

LR_KIND = "lr"
"""steps.jsonl holds one StepMetrics per line, and event rows marked ``{"kind": ...}``: a
learning-rate change is ``{"kind": "lr", "epoch", "step", "lr", "previous", "base_lr"}``
(the change applies from step ``step + 1`` on). Readers of metrics skip rows with a kind."""


class Steering:
    """Requests from another thread, each taken once by the training loop."""

    def __init__(self, target_acc: float | None = None) -> None:
        self._lock = threading.Lock()
        self._lr: float | None = None
        self._extra = 0
        self.target_acc = check_target(target_acc)

    def request_lr(self, text: str | float) -> float:
        """Validate and queue a learning rate (ConfigError says why it is refused)."""
        value = parse_field("lr", str(text))
        with self._lock:
            self._lr = value
        return float(value)

    def take_lr(self) -> float | None:
        """The learning rate asked for since the last call, if any (then forgotten)."""
        with self._lock:
            value, self._lr = self._lr, None
        return value

    def request_target(self, target: float | None) -> None:
        with self._lock:
            self.target_acc = check_target(target)

    def reached_target(self, test_acc: float) -> bool:
        with self._lock:
            return self.target_acc is not None and test_acc >= self.target_acc

    def request_extra_epoch(self, count: int = 1) -> None:
        with self._lock:
            self._extra += count

    def take_extra_epochs(self) -> int:
        with self._lock:
            extra, self._extra = self._extra, 0
        return extra


def check_target(target: float | None) -> float | None:
    if target is not None and not 0.0 < float(target) <= 1.0:
        raise ConfigError(f"target accuracy must be in (0, 1], got {target!r}")
    return None if target is None else float(target)


def rescaled_base(new_lr: float, step: int, total: int, schedule: str) -> float:
    """The base learning rate that gives ``new_lr`` at ``step`` under ``schedule``.

    At the very end of a one-cycle run the factor is 0; then the run continues at
    ``new_lr`` flat (base = new_lr), which is what asking for it there means.
    """
    from tui_cnn.core.optim import lr_factor  # torch: only where a run trains

    factor = lr_factor(step, total, schedule)
    return new_lr / factor if factor > 1e-12 else new_lr


def apply_lr_change(optimizer: Any, new_lr: float, scheduler: Any | None = None) -> None:
    """Set every parameter group's lr to ``new_lr`` now; a torch LR scheduler's
    ``base_lrs`` are scaled by the same ratio so its schedule continues from the new value."""
    for i, group in enumerate(optimizer.param_groups):
        old = float(group["lr"])
        group["lr"] = new_lr
        if scheduler is not None and old > 0:
            scheduler.base_lrs[i] *= new_lr / old
            if "initial_lr" in group:
                group["initial_lr"] *= new_lr / old


# -- what the training loop calls ------------------------------------------------------------

def steering_for(target_acc: float | None, steering: Steering | None) -> Steering:
    """The run's Steering: the one given (its target set from the config if it has none)."""
    if steering is None:
        return Steering(target_acc)
    if steering.target_acc is None and target_acc is not None:
        steering.request_target(target_acc)
    return steering


def lr_change(steering: Steering, *, base_lr: float, current_lr: float, epoch: int,
              step: int, total: int, schedule: str) -> LrChanged | None:
    """The change asked for since the last step, if any, as the event the loop yields; its
    ``base_lr`` is what the schedule is multiplied by from the next step on."""
    new = steering.take_lr()
    if new is None:
        return None
    return LrChanged(epoch=epoch, step=step, lr=float(new), previous=float(current_lr),
                     base_lr=rescaled_base(float(new), step, total, schedule))


def lr_row(change: LrChanged) -> dict[str, Any]:
    """The steps.jsonl row that records ``change``."""
    return {"kind": LR_KIND, "epoch": change.epoch, "step": change.step, "lr": change.lr,
            "previous": change.previous, "base_lr": change.base_lr}


def is_event_row(row: dict[str, Any]) -> bool:
    """An event row of steps.jsonl (not a StepMetrics)."""
    return "kind" in row


def lr_changes(rows: Iterable[dict[str, Any]]) -> list[LrChanged]:
    """The learning-rate changes recorded among steps.jsonl ``rows``; torn rows skipped."""
    found = []
    for row in rows:
        if row.get("kind") != LR_KIND:
            continue
        try:
            found.append(LrChanged(int(row["epoch"]), int(row["step"]), float(row["lr"]),
                                   float(row.get("previous", 0.0)),
                                   float(row.get("base_lr", row["lr"]))))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def target_reason(steering: Steering, test_acc: float, epoch: int) -> str | None:
    """Why the run ends now, when this epoch's test accuracy reached the target."""
    target = steering.target_acc
    if target is None or not steering.reached_target(test_acc):
        return None
    return (f"reached target accuracy {100 * target:g}% at epoch {epoch} "
            f"(test accuracy {100 * test_acc:.2f}%)")
