"""Marked runs' curves on shared axes, each run in its mark's colour: the colour of its ● in
the runs list and of its column in the comparison table. The Runs view's heading over the
chart says what it shows and names the runs (plotext's own legend sat in the plot's top-left
corner, over the curves that end near 100%, and its title cannot colour a name)."""

from __future__ import annotations

from textual_plotext.plot import Plot

from tui_cnn.tui.runs.compare_data import RunCurves
from tui_cnn.tui.training.accuracy_chart import percent
from tui_cnn.tui.widgets.chart import MetricChart

MODES = ("accuracy", "loss")


class CompareChart(MetricChart):
    """Test accuracy per epoch (``accuracy``) or smoothed training loss (``loss``); x is in
    epochs for both, from 0 to the longest run, ticked at whole epochs (plotext's own
    ticks read 0.00 0.50 1.00 ...)."""

    whole_epoch_ticks = True

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.curves: list[RunCurves] = []
        self.mode = MODES[0]

    def show(self, curves: list[RunCurves]) -> None:
        self.curves = curves
        self.x_max = max([1.0, *(c.last_epoch for c in curves)])
        self.mark_dirty()
        self.flush()

    def next_mode(self) -> str:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.mark_dirty()
        self.flush()
        return self.mode

    def draw(self, plt: Plot, limit: int) -> None:
        if self.mode == "accuracy":
            self._draw_accuracy(plt, limit)
        else:
            self._draw_loss(plt, limit)

    def _draw_accuracy(self, plt: Plot, limit: int) -> None:
        points = [(c, *c.test_acc.points(limit)) for c in self.curves]
        points = [(c, xs, percent(ys)) for c, xs, ys in points if xs]
        # Every line before any marker: a braille line drawn later would hide the markers
        # of the runs drawn before it where they share a cell.
        for curve, xs, ys in points:
            plt.plot(xs, ys, marker="braille", color=curve.colour.plot)
        for curve, xs, ys in points:
            plt.scatter(xs, ys, marker="o", color=curve.colour.plot)
        if points:
            plt.ylim(*y_range([y for _, _, ys in points for y in ys], 0.0, 100.0))

    def _draw_loss(self, plt: Plot, limit: int) -> None:
        shown: list[float] = []
        for curve in self.curves:
            xs, ys = curve.train_loss.points(limit)
            if xs:
                plt.plot(xs, ys, marker="braille", color=curve.colour.plot)
                shown += ys
        if shown:
            plt.ylim(*y_range(shown, 0.0, None))


def y_range(values: list[float], low: float, high: float | None) -> tuple[float, float]:
    """The values' span with a little room, kept within [low, high]: one value (a single
    epoch) gets a readable range instead of plotext's guess."""
    pad = max(1e-3, 0.05 * (max(values) - min(values)), 0.02 * abs(max(values)))
    top = max(values) + pad
    return max(low, min(values) - pad), top if high is None else min(high, top)
