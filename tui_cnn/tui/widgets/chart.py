"""A PlotextPlot that draws its series only when asked, at the width it is drawn at."""

from __future__ import annotations

import math
from typing import Any

from textual.app import RenderResult
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

LINE = "⠤⠤"
"""How a braille line is named in a chart's title, which holds its legend: plotext's legend
sits in the plot's top-left corner, where a rising accuracy curve runs (at 80x24 it
covered three of the plot's five rows)."""

TITLE_MARGIN = 8
"""Columns of a chart that its title cannot use: the y axis's labels and the frame."""

POINTS_PER_CELL = 2
"""Braille lines have two dots per cell across; more points than that cannot be seen."""

CELLS_PER_X_TICK = 5
"""Columns per epoch label at the least, so that labels such as ``120`` stay apart."""

ROWS_PER_Y_TICK = 2
"""Rows per y label at the least."""

FRAME_ROWS = 4
"""Rows of a chart outside its plot: title, the frame's top and bottom, the x labels."""


def epoch_ticks(epochs: float, columns: int) -> list[int]:
    """Whole epochs from 0 to ``epochs`` to label an x axis ``columns`` wide: every one, or
    every 2nd, 5th, 10th, ... where they would crowd."""
    last = max(1, int(epochs))
    room = max(2, columns // CELLS_PER_X_TICK)
    step = next(s for m in (1, 10, 100, 1000) for s in (m, 2 * m, 5 * m)
                if last // s + 1 <= room or s >= last)
    return list(range(0, last + 1, step))


def nice_ticks(low: float, high: float, most: int) -> list[float]:
    """At most ``most`` (>= 2) evenly spaced round values within [low, high]: steps of 1, 2,
    2.5 or 5 times a power of ten."""
    span = max(high - low, 1e-9)
    for power in range(math.floor(math.log10(span / max(2, most))) - 1, 12):
        for mantissa in (1.0, 2.0, 2.5, 5.0):
            step = mantissa * 10.0**power
            first = math.ceil(low / step - 1e-9)
            ticks = [round((first + i) * step, 9)
                     for i in range(int((high - first * step) / step + 1e-9) + 1)]
            if len(ticks) <= max(2, most):
                return ticks
    return [low, high]


def tick_label(value: float) -> str:
    return f"{value:g}"


def padded_range(values: list[float], rows: int, floor: float | None = None) -> tuple[
        float, float]:
    """The span of ``values`` with about a row of room above and below (``rows``: the
    plot's height), not below ``floor``: the highest and lowest points sit inside the
    frame, not on it."""
    low, high = min(values), max(values)
    span = max(high - low, 0.5)
    pad = span / max(1, rows - 2)
    low, high = low - pad, high + pad
    return (low if floor is None else max(floor, low)), high


class MetricChart(PlotextPlot):
    """Base for the training charts: subclasses keep bounded series and implement
    :meth:`draw`; :meth:`flush` (called on a timer) refreshes only when data changed.

    A hidden chart is not redrawn. When it is shown again, its last drawing is shown at
    once and the new data a frame later: a plotext build costs 10-20 ms, which the key
    that switched views would otherwise wait for.
    """

    whole_epoch_ticks = False
    """Label the x axis (epochs) with whole epochs rather than plotext's fractions."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.theme = "auto"  # follows the app's theme; plotext's own themes ignore it
        self.dirty = False
        self.x_max = 1.0  # epochs in the run: the x axis always spans the whole run
        self.renders = 0
        self._drawn: tuple[Any, RenderResult] | None = None  # (size and theme, drawing)
        self.marks: list[float] = []  # x (epochs) where the learning rate was changed

    def add_mark(self, x: float) -> None:
        """A vertical marker at ``x``: the learning rate changed there (core.steer)."""
        self.marks.append(x)
        self.mark_dirty()

    def mark_dirty(self) -> None:
        self.dirty = True

    def flush(self) -> None:
        """Redraw if the data changed since the last redraw and the chart is shown."""
        if self.dirty and self.is_on_screen:
            self.dirty = False
            self._drawn = None
            self.refresh()

    def render(self) -> RenderResult:
        key = (self.size, self.app.theme)
        if self._drawn is not None and self._drawn[0] == key:
            if self.dirty:  # shown again after new data came: draw it next frame
                self.call_after_refresh(self.flush)
            return self._drawn[1]
        self.dirty = False
        plt = self.plt
        plt.clear_figure()
        plt.xlim(0, self.x_max)
        if self.whole_epoch_ticks:
            ticks = epoch_ticks(self.x_max, self.size.width - TITLE_MARGIN)
            plt.xticks([float(tick) for tick in ticks], [str(tick) for tick in ticks])
        self.draw(plt, max(2, POINTS_PER_CELL * self.size.width))
        for x in self.marks:
            plt.vline(x, "red")
        self.renders += 1
        drawing = super().render()
        self._drawn = (key, drawing)
        return drawing

    def set_title(self, plt: Plot, *candidates: str) -> None:
        """The first of ``candidates`` that fits the chart's width (plotext leaves out a
        title that does not fit); the last one in any case."""
        room = self.size.width - TITLE_MARGIN
        plt.title(next((t for t in candidates if len(t) <= room), candidates[-1]))

    @property
    def plot_rows(self) -> int:
        """Rows inside the frame."""
        return max(1, self.size.height - FRAME_ROWS)

    def set_y_range(self, plt: Plot, low: float, high: float,
                    top_label: float | None = None,
                    bottom_label: float | None = None) -> int:
        """Limit the y axis to [low, high], labelled with round values (none above
        ``top_label`` or below ``bottom_label``); the columns left for the plot inside the
        frame."""
        plt.ylim(low, high)
        ticks = nice_ticks(max(low, bottom_label if bottom_label is not None else low),
                           min(high, top_label if top_label is not None else high),
                           max(2, self.plot_rows // ROWS_PER_Y_TICK))
        labels = [tick_label(tick) for tick in ticks]
        plt.yticks(ticks, labels)
        return self.size.width - max(map(len, labels), default=0) - 2  # the ┤ and the │

    def draw(self, plt: Plot, limit: int) -> None:
        """Plot the series, each thinned to at most ``limit`` points."""
        raise NotImplementedError
