"""The Training view's charts as a learner reads them (issue 20, item 7): whole epochs on the
x axis, room above the best accuracy, and both the train and the test markers after every
epoch, checked in the drawn text."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import pytest

from tui_cnn.core.events import EpochMetrics, Event, StepMetrics
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.widgets.chart import MetricChart, epoch_ticks, nice_ticks

from .conftest import AppFactory

STEPS = 100  # per epoch
TEST_ACC = (0.975, 0.9895, 0.992)  # what the learner saw: every test point on the top line
TRAIN_ACC = (0.93, 0.986, 0.990)


def trained(epochs: int = 3) -> Iterator[Event]:
    """A run's steps and epochs as the chapter's CNN gives them on MNIST."""
    for epoch in range(1, epochs + 1):
        for at in range(1, STEPS + 1, 5):
            step = (epoch - 1) * STEPS + at
            yield StepMetrics(epoch, step, epochs * STEPS, at, STEPS,
                              2.3 * math.exp(-step / 20) + 0.02,
                              0.99 - 0.9 * math.exp(-step / 15), 0.004, 3000.0, 1.0, 1.0)
        yield EpochMetrics(epoch, epochs, epoch * STEPS, 0.05, TRAIN_ACC[epoch - 1], 0.04,
                           TEST_ACC[epoch - 1], 1.0, 0.1, 3000.0, 1.0)


def drawn(chart: MetricChart) -> list[str]:
    """The chart's lines as drawn now (title, frame, rows, tick labels)."""
    return chart.render().plain.splitlines()  # type: ignore[union-attr]


def plot_rows(lines: list[str]) -> list[str]:
    """The rows inside the frame."""
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    return lines[top + 1:bottom]


async def feed(app: TuiCnnApp, epochs: int = 3) -> None:
    view = app.training_view
    view.reset(epochs)
    for event in trained(epochs):
        view.on_run_event(event)
    view.flush()  # what the redraw timer does


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_accuracy_chart_is_readable_after_three_epochs(make_app: AppFactory,
                                                             size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        if size[0] < 100:
            await pilot.press("s")  # the panel hidden, as make_room does when a run starts
        await feed(app)
        await pilot.pause()
        lines = drawn(app.training_view.acc_chart)
        rows = plot_rows(lines)
        plot = "\n".join(rows)
        assert plot.count("o") == 3, plot  # test accuracy after each epoch
        assert plot.count("x") == 3, plot  # train accuracy too: none hidden under a test mark
        assert "o" not in rows[0] and "x" not in rows[0], "headroom above the best epoch"
        best = next(i for i, row in enumerate(rows) if "o" in row)
        first = max(i for i, row in enumerate(rows) if "o" in row)
        if size[1] >= 40:  # 80x24 leaves the chart 5 rows: 2% a row
            assert first - best >= 2, "97.5% and 99.2% must be rows apart"
        labels = lines[-1].split()
        assert labels == ["0", "1", "2", "3"], lines[-1]
        y_labels = [float(m) for m in re.findall(r"^\s*([\d.]+)┤", plot, re.M)]
        assert y_labels and max(y_labels) <= 100.0


async def test_loss_chart_counts_whole_epochs(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await feed(app)
        await pilot.pause()
        assert drawn(app.training_view.loss_chart)[-1].split() == ["0", "1", "2", "3"]


async def test_before_the_first_epoch_ends_the_axes_still_count_epochs(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.training_view
        view.reset(3)
        for event in list(trained(1))[:10]:
            view.on_run_event(event)
        view.flush()
        await pilot.pause()
        lines = drawn(view.acc_chart)
        assert lines[-1].split() == ["0", "1", "2", "3"]
        assert "⠤" in "".join(plot_rows(lines)) or any(
            "\u2800" <= c <= "\u28ff" for c in "".join(plot_rows(lines)))


def test_epoch_ticks_are_whole_and_fit() -> None:
    assert epoch_ticks(3, 80) == [0, 1, 2, 3]
    ticks = epoch_ticks(50, 60)
    assert ticks[0] == 0 and ticks[-1] <= 50 and len(ticks) <= 60 // 5
    assert all(isinstance(t, int) for t in ticks)
    assert epoch_ticks(1, 10) == [0, 1]


def test_nice_ticks_stay_in_range() -> None:
    ticks = nice_ticks(92.2, 99.98, 5)
    assert ticks[0] >= 92.2 and ticks[-1] <= 99.98 and 2 <= len(ticks) <= 5
    step = ticks[1] - ticks[0]
    assert all(abs((b - a) - step) < 1e-9 for a, b in zip(ticks, ticks[1:], strict=False))


def inside_frame(row: str) -> str:
    """A plot row without its y label and the frame's sides."""
    return re.split(r"[┤│]", row, maxsplit=1)[1].rstrip("│")


def points_on(row: str) -> str:
    """The marks and curve dots a plot row holds (braille blanks and spaces left out)."""
    return "".join(c for c in inside_frame(row) if c not in " \u2800")


async def rows_after_three_epochs(make_app: AppFactory, size: tuple[int, int],
                                  chart: str) -> list[str]:
    """The plot rows of the Training view's ``chart`` ("loss_chart", "acc_chart") after
    :func:`trained`'s three epochs (the setup panel hidden below 100 columns)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        if size[0] < 100:
            await pilot.press("s")
        await feed(app)
        await pilot.pause()
        return plot_rows(drawn(getattr(app.training_view, chart)))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_loss_chart_keeps_its_points_off_the_frame(make_app: AppFactory,
                                                         size: tuple[int, int]) -> None:
    """The lowest loss (the test points, 0.04 after every epoch) and the highest (the first
    smoothed step) sit a row inside the frame, not on its bottom and top rows."""
    rows = await rows_after_three_epochs(make_app, size, "loss_chart")
    assert "".join(map(inside_frame, rows)).count("o") == 3, "\n".join(rows)
    assert points_on(rows[-1]) == "", "\n".join(rows)  # the bottom row: empty
    assert points_on(rows[0]) == "", "\n".join(rows)  # the top row: empty
    assert any("o" in row for row in rows[1:-1])
    y_labels = [float(m) for m in re.findall(r"^\s*(-?[\d.]+)┤", "\n".join(rows), re.M)]
    assert y_labels and min(y_labels) >= 0.0, "no negative loss labelled"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_accuracy_marks_stay_off_the_bottom_row(make_app: AppFactory,
                                                      size: tuple[int, int]) -> None:
    rows = await rows_after_three_epochs(make_app, size, "acc_chart")
    assert not set("ox") & set(inside_frame(rows[-1])), "\n".join(rows)
