"""Train and test accuracy per epoch, with the running training accuracy between."""

from __future__ import annotations

from textual_plotext.plot import Plot

from tui_cnn.core.events import EpochMetrics, StepMetrics
from tui_cnn.tui.training.series import Ema, Series
from tui_cnn.tui.widgets.chart import LINE, MetricChart, padded_range


def percent(values: list[float]) -> list[float]:
    return [100.0 * value for value in values]


class AccuracyChart(MetricChart):
    """Accuracies are kept as fractions and drawn in percent."""

    whole_epoch_ticks = True

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.running = Series()
        self.train = Series()
        self.test = Series()
        self.ema = Ema()

    @property
    def epochs(self) -> list[float]:
        return self.test.xs

    @property
    def test_acc(self) -> list[float]:
        return self.test.ys

    @property
    def train_acc(self) -> list[float]:
        return self.train.ys

    def reset(self, epochs: int) -> None:
        for series in (self.running, self.train, self.test):
            series.clear()
        self.ema.reset()
        self.marks.clear()
        self.x_max = float(max(1, epochs))
        self.mark_dirty()

    def add_step(self, event: StepMetrics) -> None:
        smoothed = self.ema.update(event.accuracy)
        if smoothed is not None:
            self.running.append(event.step / max(1, event.steps_per_epoch), smoothed)
            self.mark_dirty()

    def add_epoch(self, event: EpochMetrics) -> None:
        self.train.append(float(event.epoch), event.train_acc)
        self.test.append(float(event.epoch), event.test_acc)
        self.mark_dirty()

    def shown_values(self, limit: int) -> list[float]:
        """The accuracies (%) the y axis must show: once an epoch has ended, its train and
        test marks and the running line after the first epoch (the first epoch's climb
        from chance would squeeze the marks into one row: the loss chart shows it);
        before, the running line."""
        marks = percent(self.train.ys + self.test.ys)
        xs, ys = self.running.points(limit)
        later = [y for x, y in zip(xs, percent(ys), strict=True) if x >= 1.0]
        return marks + later if marks else percent(ys)

    def draw(self, plt: Plot, limit: int) -> None:
        self.set_title(plt, f"accuracy % by epoch   {LINE} train (running)   x train   o test",
                       f"accuracy % by epoch  {LINE} x train  o test",
                       f"accuracy %  {LINE} x train  o test", "accuracy % by epoch")
        columns = self.size.width
        values = self.shown_values(limit)
        if values:
            low, high = padded_range(values, self.plot_rows, floor=0.0)
            columns = self.set_y_range(plt, low, high, top_label=100.0)
        xs, ys = self.running.points(limit)
        if xs:
            plt.plot(xs, percent(ys), marker="braille", color="cyan")
        # the train mark one column left of its epoch: on the test mark's cell (the two
        # are often a fraction of a percent apart) it would be drawn over
        shift = self.x_max / max(1, columns - 1)
        for series, marker, color, dx in ((self.train, "x", "cyan", shift),
                                          (self.test, "o", "orange", 0.0)):
            xs, ys = series.points(limit)
            if xs:
                plt.scatter([x - dx for x in xs], percent(ys), marker=marker, color=color)
