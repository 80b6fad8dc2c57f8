"""A PlotextPlot that draws its series only when asked, at the width it is drawn at."""

from __future__ import annotations

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


class MetricChart(PlotextPlot):
    """Base for the training charts: subclasses keep bounded series and implement
    :meth:`draw`; :meth:`flush` (called on a timer) refreshes only when data changed.

    A hidden chart is not redrawn. When it is shown again, its last drawing is shown at
    once and the new data a frame later: a plotext build costs 10-20 ms, which the key
    that switched views would otherwise wait for.
    """

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

    def draw(self, plt: Plot, limit: int) -> None:
        """Plot the series, each thinned to at most ``limit`` points."""
        raise NotImplementedError
