"""A sweep's group curves: per group, the mean test accuracy by epoch with its min-max band,
each group in its own colour (the colour of its name in the chart's title)."""

from __future__ import annotations

from textual_plotext.plot import Plot

from tui_cnn.core.sweep.curves import GroupCurve
from tui_cnn.render.marks import MARK_COLOURS
from tui_cnn.tui.runs.compare_chart import y_range
from tui_cnn.tui.widgets.chart import MetricChart


def group_colours(curves: list[GroupCurve]) -> list[tuple[int, int, int]]:
    """plotext colours (RGB), one per group, in the table's order."""
    return [MARK_COLOURS[i % len(MARK_COLOURS)].plot for i in range(len(curves))]


class GroupCurvesChart(MetricChart):
    """Mean (line and dots) and min-max band (dotted lines) of each group, in percent."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.curves: list[GroupCurve] = []

    def show(self, curves: list[GroupCurve]) -> None:
        self.curves = curves
        self.x_max = max([1.0, *(float(c.epochs[-1]) for c in curves if c.epochs)])
        self.mark_dirty()
        self.flush()

    def draw(self, plt: Plot, limit: int) -> None:
        names = " · ".join(f"{c.label} (n {max(c.n)})" for c in self.curves)
        self.set_title(plt, f"group mean test acc % by epoch, band min-max: {names}",
                       "group mean test acc %, band min-max", "group test acc %")
        shown: list[float] = []
        for curve, colour in zip(self.curves, group_colours(self.curves), strict=True):
            xs = [float(e) for e in curve.epochs]
            mean = [100 * v for v in curve.mean]
            low, high = [100 * v for v in curve.low], [100 * v for v in curve.high]
            if any(h > lo for h, lo in zip(high, low, strict=True)):
                plt.plot(xs, low, marker="dot", color=colour)
                plt.plot(xs, high, marker="dot", color=colour)
            plt.plot(xs, mean, marker="braille", color=colour)
            plt.scatter(xs, mean, marker="o", color=colour)
            shown += low + high
        if shown:
            plt.ylim(*y_range(shown, 0.0, 100.0))
