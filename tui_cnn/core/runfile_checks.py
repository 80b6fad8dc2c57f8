"""The value checks of run files, and which check each field of each file gets.

Each check takes a value as JSON decoded it (anything) and returns what is wrong with it,
or None: a type, a finite number, a range. The tables name the checks of config.json's
extra fields, status.json's summary and each metrics line (epochs, steps, layers);
core.runfiles applies them and raises RunFileError with the file's name. No torch at
import.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from tui_cnn.core.config import MAX_EPOCHS

MAX_PID = 2**31 - 1
MAX_TIME = 1e11  # seconds since 1970: the year 5138
MAX_COUNT = 10**15


def describe(value: object) -> str:
    """``value`` as a problem names it: short, whatever its type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return repr(value) if len(repr(value)) <= 24 else f"a {len(str(value))}-digit number"
    if isinstance(value, str):
        return repr(value[:30])
    return {"list": "a list", "dict": "an object"}.get(type(value).__name__,
                                                        type(value).__name__)


def whole(value: object, low: int, high: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number, got {describe(value)}"
    if not low <= value <= high:
        return f"must be between {low:,} and {high:,}, got {describe(value)}"
    return None


def number(value: object, low: float, high: float, *, finite: bool = True) -> str | None:
    """A number in [low, high]; with ``finite=False`` NaN and infinities pass too (a loss
    that diverged is a fact worth keeping, not damage)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, got {describe(value)}"
    if not math.isfinite(value):
        return None if not finite else f"must be a finite number, got {value!r}"
    if not low <= value <= high:
        return f"must be between {low:g} and {high:g}, got {describe(value)}"
    return None


def text(value: object, longest: int = 4096) -> str | None:
    if not isinstance(value, str):
        return f"must be text, got {describe(value)}"
    return None if len(value) <= longest else f"is {len(value):,} characters long"


def optional(check: Callable[[object], str | None]) -> Callable[[object], str | None]:
    return lambda value: None if value is None else check(value)


def _shape(value: object) -> str | None:
    if not isinstance(value, list) or len(value) != 3:
        return f"must be a list of 3 sizes (C, H, W), got {describe(value)}"
    return next((p for p in (whole(v, 1, 4096) for v in value) if p), None)


def _classes(value: object) -> str | None:
    if not isinstance(value, list) or not 2 <= len(value) <= 1000:
        return f"must be a list of 2 to 1,000 class names, got {describe(value)}"
    return next((f"names {p}" for p in (text(v, 200) for v in value) if p), None)


Checks = dict[str, Callable[[object], str | None]]

CONFIG_EXTRA: Checks = {
    "run_id": lambda v: text(v, 300), "created": lambda v: number(v, 0, MAX_TIME),
    "params": lambda v: whole(v, 0, MAX_COUNT), "macs": lambda v: whole(v, 0, MAX_COUNT),
    "device_resolved": text, "device_name": text, "precision_resolved": text,
    "train_size_actual": lambda v: whole(v, 0, 10**9),
    "test_size_actual": lambda v: whole(v, 0, 10**9),
    "input_shape": _shape, "classes": _classes,
}
ARCH_TEXT = ("name", "description", "downsample")
SUMMARY: Checks = {
    "status": lambda v: text(v, 40), "reason": text,
    "pid": optional(lambda v: whole(v, 1, MAX_PID)),
    "updated": lambda v: number(v, 0, MAX_TIME),
    "epochs_done": lambda v: whole(v, 0, MAX_EPOCHS),
    "steps_done": lambda v: whole(v, 0, MAX_COUNT),
    "final_test_acc": optional(lambda v: number(v, 0, 1)),
    "best_test_acc": optional(lambda v: number(v, 0, 1)),
    "train_seconds": lambda v: number(v, 0, MAX_TIME),
    "images_per_s": lambda v: number(v, 0, 1e12), "params": lambda v: whole(v, 0, MAX_COUNT),
}


EPOCH_ROW: Checks = {
    "epoch": lambda v: whole(v, 0, MAX_EPOCHS), "epochs": lambda v: whole(v, 1, MAX_EPOCHS),
    "step": lambda v: whole(v, 0, MAX_COUNT),
    "train_loss": lambda v: number(v, 0, math.inf, finite=False),
    "test_loss": lambda v: number(v, 0, math.inf, finite=False),
    "train_acc": lambda v: number(v, 0, 1), "test_acc": lambda v: number(v, 0, 1),
    "seconds": lambda v: number(v, 0, MAX_TIME), "eval_seconds": lambda v: number(v, 0, MAX_TIME),
    "images_per_s": lambda v: number(v, 0, 1e12), "elapsed_s": lambda v: number(v, 0, MAX_TIME),
}
STEP_ROW: Checks = {
    "epoch": lambda v: whole(v, 0, MAX_EPOCHS), "step": lambda v: whole(v, 0, MAX_COUNT),
    "total_steps": lambda v: whole(v, 0, MAX_COUNT), "epoch_step": lambda v: whole(v, 0, MAX_COUNT),
    "steps_per_epoch": lambda v: whole(v, 1, MAX_COUNT),
    "loss": lambda v: number(v, 0, math.inf, finite=False),
    "accuracy": lambda v: number(v, 0, 1), "lr": lambda v: number(v, 0, 1e3),
    "images_per_s": lambda v: number(v, 0, 1e12), "elapsed_s": lambda v: number(v, 0, MAX_TIME),
    "eta_s": lambda v: number(v, 0, 1e15),
}


def _layers(value: object) -> str | None:
    if not isinstance(value, dict):
        return f"must be an object of layers, got {describe(value)}"
    for stats in value.values():
        if not isinstance(stats, dict):
            return f"holds {describe(stats)}, not a layer's statistics"
        for v in stats.values():
            if v is not None and number(v, 0, math.inf, finite=False):
                return f"holds {describe(v)}, not a statistic"
    return None


LAYER_ROW: Checks = {"step": lambda v: whole(v, 0, MAX_COUNT),
                     "epoch": lambda v: whole(v, 0, MAX_EPOCHS), "layers": _layers}
ROW_CHECKS: dict[str, Checks] = {"epochs.jsonl": EPOCH_ROW, "steps.jsonl": STEP_ROW,
                                 "layers.jsonl": LAYER_ROW}
REQUIRED: dict[str, tuple[str, ...]] = {"epochs.jsonl": ("epoch",), "steps.jsonl": ("step",),
                                        "layers.jsonl": ("step",)}


def row_problem(name: str, row: object) -> str | None:
    """Why one JSON line of a metrics file cannot be used (None if it can)."""
    if not isinstance(row, dict):
        return f"holds {describe(row)}, not an object"
    missing = [k for k in REQUIRED.get(name, ()) if k not in row]
    if missing:
        return f"has no {missing[0]}"
    for key, check in ROW_CHECKS.get(name, {}).items():
        if key in row:
            problem = check(row[key])
            if problem:
                return f"{key} {problem}"
    return None
