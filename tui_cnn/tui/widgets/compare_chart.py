"""Selected runs' curves on shared axes, each run in its own colour, with a legend."""

from __future__ import annotations

from textual_plotext.plot import Plot

from tui_cnn.tui.widgets.accuracy_chart import percent
from tui_cnn.tui.widgets.chart import MetricChart
from tui_cnn.tui.widgets.compare_data import RunCurves

MODES = ("accuracy", "loss")


class CompareChart(MetricChart):
    """Test accuracy per epoch (``accuracy``) or smoothed training loss (``loss``); x is in
    epochs for both, from 0 to the longest run."""

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
        plt.title("test accuracy % by epoch  (v: training loss)")
        for curve in self.curves:
            xs, ys = curve.test_acc.points(limit)
            if not xs:
                continue
            colour = curve.colour.plot
            plt.plot(xs, percent(ys), label=curve.label, marker="braille", color=colour)
            plt.scatter(xs, percent(ys), marker="o", color=colour)

    def _draw_loss(self, plt: Plot, limit: int) -> None:
        plt.title("training loss (smoothed) by epoch  (v: test accuracy)")
        for curve in self.curves:
            xs, ys = curve.train_loss.points(limit)
            if xs:
                plt.plot(xs, ys, label=curve.label, marker="braille", color=curve.colour.plot)
