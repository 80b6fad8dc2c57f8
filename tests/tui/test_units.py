"""Pure helpers: field parsing, bounded series, smoothing, the event pump."""

from __future__ import annotations

import math

import pytest

from tui_cnn.core.config import ConfigError
from tui_cnn.core.events import DataProgress, EpochMetrics, RunEnded, StepMetrics
from tui_cnn.tui import session as tui_session
from tui_cnn.tui.messages import CoreEvents
from tui_cnn.tui.session import pump
from tui_cnn.tui.setup import fields
from tui_cnn.tui.training.run_progress import duration
from tui_cnn.tui.training.series import Ema, Series, thinned


def step(n: int, loss: float = 1.0) -> StepMetrics:
    return StepMetrics(1, n, 100, n, 100, loss, 0.5, 1e-3, 100.0, 1.0, 2.0)


def test_fields_parse_and_explain() -> None:
    assert fields.conv_channels("32, 64") == (32, 64)
    assert fields.conv_channels("  ") == ()
    assert fields.hidden_units("128 64") == (128, 64)
    assert fields.learning_rate("1e-3") == 0.001
    assert fields.batch_size("1_024") == 1024
    with pytest.raises(ConfigError, match="batch size must be a whole number, got 'abc'"):
        fields.batch_size("abc")
    with pytest.raises(ConfigError, match="conv channels must be between 1 and 1,024"):
        fields.conv_channels("32,0")
    with pytest.raises(ConfigError, match="learning rate must be a finite number"):
        fields.learning_rate("nan")
    with pytest.raises(ConfigError, match="dropout must be in"):
        fields.dropout("1.5")
    with pytest.raises(ConfigError, match="epochs must be between"):
        fields.epochs("0")


def test_series_stays_bounded_and_keeps_the_latest_point() -> None:
    series = Series(cap=50)
    for i in range(10_000):
        series.append(float(i), float(i))
    assert len(series) <= 50
    xs, ys = series.points(limit=20)
    assert len(xs) == 20 and xs[0] == 0.0 and xs[-1] == 9999.0
    assert xs == sorted(xs)


def test_series_drops_non_finite_values() -> None:
    series = Series()
    for y in (1.0, math.nan, math.inf, 2.0):
        series.append(1.0, y)
    assert series.ys == [1.0, 2.0]


def test_thinned_keeps_ends() -> None:
    xs = [float(i) for i in range(7)]
    assert thinned(xs, xs, 3) == ([0.0, 3.0, 6.0], [0.0, 3.0, 6.0])
    assert thinned(xs[:2], xs[:2], 10) == ([0.0, 1.0], [0.0, 1.0])


def test_ema_is_unbiased_at_the_start_and_skips_nan() -> None:
    ema = Ema(beta=0.9)
    assert ema.update(math.nan) is None
    assert ema.update(2.0) == pytest.approx(2.0)
    assert ema.update(math.nan) == pytest.approx(2.0)
    assert ema.update(2.0) == pytest.approx(2.0)


def test_pump_batches_steps_but_never_drops_or_reorders() -> None:
    now = [0.0]
    posted: list[CoreEvents] = []
    epoch = EpochMetrics(1, 1, 5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.1, 100.0, 1.0)
    end = RunEnded("finished", "", "r", None, 1, 5, 0.5, 0.5, 1.0, 100.0, 10)
    events = [DataProgress("generate", "x"), step(1), step(2), step(3), epoch, step(4), end]

    def clock() -> float:
        now[0] += 0.05
        return now[0]

    pump(events, posted.append, interval=0.25, clock=clock)  # type: ignore[arg-type]
    flat = [event for message in posted for event in message.events]
    assert flat == events
    assert len(posted) < len(events)
    assert posted[-1].events[-1] is end


def test_duration() -> None:
    assert duration(62) == "1:02"
    assert duration(3723) == "1:02:03"
    assert duration(math.nan) == "-"
    assert duration(math.inf) == "-"


def test_freeze_after_first_step_passes_events_through_and_freezes_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(tui_session, "freeze_imported_objects", lambda: calls.append(1))
    progress = DataProgress(stage="load", message="reading", done=1, total=2)
    steps = [step(i) for i in range(1, 4)]
    events = [progress, *steps]
    seen: list[object] = []
    for event in tui_session.freeze_after_first_step(events):
        seen.append(event)
        if event is progress:
            assert calls == []  # not before the first step
    assert seen == events and calls == [1]


def test_top_bars_say_what_a_sure_answer_reads() -> None:
    """Issue 20, item 7: a correct '4' at 57.4% from a 99% model read as doubt. With label
    smoothing 0.1 on ten classes a trained model aims at 91% for the true class (measured
    on a quick-lab CNN, 99.2% test accuracy: median top probability of correct answers
    88.6%, 8% of them below 60%), so the bars say so."""
    from tui_cnn.tui.filters.activations_render import sure_reads, top_bars

    assert sure_reads(0.1, 10) == pytest.approx(0.91)
    classes = [str(i) for i in range(10)]
    text = top_bars([(4, 0.574), (9, 0.2), (7, 0.1)], classes, 4, smoothing=0.1).plain
    assert "57.4% ✓" in text and "label smoothing 0.1" in text and "≈91%, not 100%" in text
    assert "not calibrated" in top_bars([(4, 0.9)], classes, 4).plain


async def test_the_app_spaces_full_collections() -> None:
    """Key presses' slow tail was a full collection twice a second (benchmarks.detach)."""
    import gc

    from tui_cnn.core.config import TrainConfig
    from tui_cnn.core.perf import FULL_COLLECTION_EVERY
    from tui_cnn.tui.app import TuiCnnApp

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        app = TuiCnnApp(TrainConfig(runs_dir=""), devices=[("cpu", "cpu")])
        async with app.run_test(size=(80, 24)):
            assert gc.get_threshold()[2] == FULL_COLLECTION_EVERY
    finally:
        gc.set_threshold(*before)


def test_the_sweep_status_names_the_trials_devices_once_they_start() -> None:
    from tui_cnn.core.sweep.progress import SweepProgress
    from tui_cnn.tui.sweeps.state import SweepStatus

    progress = SweepProgress.of("sw-1", {0: "seed=0", 1: "seed=1", 2: "seed=2"}, workers=2)
    status = SweepStatus("sw-1", "auto").moved(progress)
    assert status.device == "auto"  # nothing started: the sweep's own setting
    progress.update(0, "started", {"run_id": "a", "total_steps": 10, "device": "cuda:1"})
    progress.update(1, "started", {"run_id": "b", "total_steps": 10, "device": "cuda:0"})
    progress.update(2, "started", {"run_id": "c", "total_steps": 10})  # an older worker
    status = status.moved(progress)
    assert (status.device, status.running, status.text) == \
        ("cuda:0, cuda:1", 3, "sweep sw-1 0/3 trials (3 running)")


@pytest.mark.parametrize(("status", "expected"), [
    ("starting", "planning its trials"),  # a resumed sweep's skipped trials not counted yet
    ("running", "2/6 trials done"), ("stopping", "2/6 trials done")])
def test_attaching_says_how_far_the_sweep_is(status: str, expected: str) -> None:
    from tui_cnn.tui.sweeps.state import trials_done

    assert trials_done(status, 2, 6) == expected
