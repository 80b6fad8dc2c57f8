"""Every Event dataclass (core/events.py) to a JSON object and back, numpy arrays and the
run's TrainConfig included: one line of a run's ``events.jsonl``.

``{"type": "StepMetrics", "epoch": 1, ...}``; an array is ``{"__array__": {"dtype",
"shape", "data" (base64 of its C-order bytes)}}``, a config ``{"__config__": {...}}``, a
tuple a list (every sequence field of an event is a tuple). A line the stream could not
have written raises :class:`CodecError`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from typing import Any

import numpy as np

from tui_cnn.core import events
from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.events import Event

EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (
        events.DataProgress, events.RunStarted, events.StepMetrics, events.EpochMetrics,
        events.FilterSnapshot, events.TestPredictions, events.LayerStatsReport,
        events.LrChanged, events.ControlNote, events.RunEnded)}
ARRAY, CONFIG, FLOAT = "__array__", "__config__", "__float__"


class CodecError(ValueError):
    """A stream line that is not an encoded event."""


def _encode_value(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return {ARRAY: {"dtype": data.dtype.str, "shape": list(data.shape),
                        "data": base64.b64encode(data.tobytes()).decode("ascii")}}
    if isinstance(value, TrainConfig):
        return {CONFIG: value.to_dict()}
    if isinstance(value, tuple):
        return [_encode_value(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return {FLOAT: repr(value)}  # nan, inf: JSON has no literal for them
    return value


def encode(event: Event) -> dict[str, Any]:
    """``event`` as a JSON-ready object."""
    row: dict[str, Any] = {"type": type(event).__name__}
    for f in dataclasses.fields(event):
        row[f.name] = _encode_value(getattr(event, f.name))
    return row


def encode_line(event: Event) -> bytes:
    """One line of events.jsonl, newline included."""
    return (json.dumps(encode(event), separators=(",", ":"), allow_nan=False)
            + "\n").encode()


def _decode_array(spec: Any) -> np.ndarray:
    try:
        dtype = np.dtype(spec["dtype"])
        shape = tuple(int(n) for n in spec["shape"])
        raw = base64.b64decode(spec["data"], validate=True)
        if dtype.hasobject:
            raise TypeError("object arrays are not data")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    except (KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"bad array: {exc}") from None


def _decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode_value(v) for v in value)
    if isinstance(value, dict) and len(value) == 1:
        if ARRAY in value:
            return _decode_array(value[ARRAY])
        if CONFIG in value and isinstance(value[CONFIG], dict):
            try:
                return TrainConfig.from_dict(value[CONFIG])
            except (ConfigError, TypeError) as exc:
                raise CodecError(f"bad config: {exc}") from None
        if FLOAT in value and value[FLOAT] in ("nan", "inf", "-inf"):
            return float(value[FLOAT])
    if isinstance(value, dict):
        raise CodecError("an object where an event has none")
    return value


def decode(row: Any) -> Event:
    """The event ``row`` (as :func:`encode` made it) stands for."""
    if not isinstance(row, dict) or row.get("type") not in EVENT_TYPES:
        raise CodecError("not an event (no known 'type')")
    cls = EVENT_TYPES[row["type"]]
    names = {f.name for f in dataclasses.fields(cls)}
    try:
        event: Event = cls(**{k: _decode_value(v) for k, v in row.items() if k in names})
    except TypeError as exc:
        raise CodecError(f"bad {row['type']}: {exc}") from None
    return event


def decode_line(line: bytes | str) -> Event:
    try:
        row = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CodecError(f"not JSON: {exc}") from None
    return decode(row)
