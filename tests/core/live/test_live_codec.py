"""The event codec: every event type survives a trip through one JSON line."""

from __future__ import annotations

import dataclasses
import math
import typing

import numpy as np
import pytest

from tui_cnn.core import events as ev
from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.live.codec import EVENT_TYPES, CodecError, decode_line, encode_line

CFG = TrainConfig(arch=PRESETS["cnn-small"], epochs=2, threads=1, target_acc=0.9)
EXAMPLES: list[ev.Event] = [
    ev.DataProgress("download", "MNIST 40%", 4, 10),
    ev.RunStarted("r1", "/tmp/r1", CFG, 26698, 123456, "cpu", "AMD EPYC", 1,
                  "synth-digits", 600, 200, (1, 28, 28), tuple("0123456789"), 19, 38, 2),
    ev.StepMetrics(1, 5, 38, 5, 19, 2.25, 0.125, 4e-3, 3210.5, 0.4, 12.0),
    ev.EpochMetrics(1, 2, 19, 1.5, 0.5, 1.25, 0.6, 1.0, 0.1, 3000.0, 1.1),
    ev.FilterSnapshot(1, 19, "features.0",
                      np.random.default_rng(0).normal(size=(8, 1, 3, 3)).astype(np.float32),
                      epoch_end=True),
    ev.TestPredictions(1, np.arange(200, dtype=np.int64) % 10,
                       np.arange(200, dtype=np.int64)[::-1] % 10),
    ev.LayerStatsReport(1, 10, ("features.0", "head.0"), np.array([1.0, 2.0]),
                        np.array([0.1, float("nan")]), np.array([1e-3, 2e-3])),
    ev.LrChanged(1, 10, 1e-3, 4e-3, 1.2e-3),
    ev.ControlNote(3, "lr", True, "learning rate 0.001 from the next step", 1e-3),
    ev.RunEnded("finished", "all epochs done", "r1", "/tmp/r1", 2, 38, 0.6, 0.61, 2.0,
                3000.0, 26698),
    ev.RunEnded("diverged", "loss is nan", "r2", None, 0, 3, None, None, float("inf"),
                float("nan"), 1),
]


def same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=True))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


def test_every_event_type_has_an_example_and_a_codec_entry() -> None:
    union = set(typing.get_args(ev.Event))
    assert union == set(EVENT_TYPES.values())
    assert union == {type(e) for e in EXAMPLES}


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_round_trip_keeps_every_field(event: ev.Event) -> None:
    line = encode_line(event)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    back = decode_line(line)
    assert type(back) is type(event)
    for f in dataclasses.fields(event):
        assert same(getattr(event, f.name), getattr(back, f.name)), f.name


@pytest.mark.parametrize("line", [
    b"not json", b"[1, 2]", b'{"type": "Nope"}', b'{"type": "StepMetrics", "epoch": 1}',
    b'{"type": "FilterSnapshot", "epoch": 1, "step": 1, "layer": "x", '
    b'"weights": {"__array__": {"dtype": "<f4", "shape": [5], "data": "AAAA"}}}',
    b'{"type": "RunStarted", "config": {"__config__": {"epochs": -1}}}',
])
def test_lines_that_are_not_events_raise_codec_error(line: bytes) -> None:
    with pytest.raises(CodecError):
        decode_line(line)
