"""A PlotextPlot that draws its series only when asked, at the width it is drawn at."""

from __future__ import annotations

from textual.app import RenderResult
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

POINTS_PER_CELL = 2
"""Braille lines have two dots per cell across; more points than that cannot be seen."""


class MetricChart(PlotextPlot):
    """Base for the training charts: subclasses keep bounded series and implement
    :meth:`draw`; :meth:`flush` (called on a timer) refreshes only when data changed."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.theme = "auto"  # follows the app's theme; plotext's own themes ignore it
        self.dirty = False
        self.x_max = 1.0  # epochs in the run: the x axis always spans the whole run
        self.renders = 0

    def mark_dirty(self) -> None:
        self.dirty = True

    def flush(self) -> None:
        """Redraw if the data changed since the last redraw."""
        if self.dirty:
            self.dirty = False
            self.refresh()

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        plt.xlim(0, self.x_max)
        self.draw(plt, max(2, POINTS_PER_CELL * self.size.width))
        self.renders += 1
        return super().render()

    def draw(self, plt: Plot, limit: int) -> None:
        """Plot the series, each thinned to at most ``limit`` points."""
        raise NotImplementedError
