"""Training loss per logged step (smoothed) and test loss per epoch."""

from __future__ import annotations

from textual_plotext.plot import Plot

from tui_cnn.core.events import EpochMetrics, StepMetrics
from tui_cnn.tui.training.series import Ema, Series
from tui_cnn.tui.widgets.chart import LINE, MetricChart, padded_range


class LossChart(MetricChart):
    """x is in epochs (step / steps per epoch), so steps and epochs share the axis."""

    whole_epoch_ticks = True

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.train = Series()
        self.test = Series()
        self.ema = Ema()

    @property
    def steps(self) -> list[float]:
        return self.train.xs

    @property
    def train_loss(self) -> list[float]:
        """Smoothed training loss at the kept steps."""
        return self.train.ys

    @property
    def epochs(self) -> list[float]:
        return self.test.xs

    @property
    def test_loss(self) -> list[float]:
        return self.test.ys

    def reset(self, epochs: int) -> None:
        self.train.clear()
        self.test.clear()
        self.ema.reset()
        self.marks.clear()
        self.x_max = float(max(1, epochs))
        self.mark_dirty()

    def add_step(self, event: StepMetrics) -> None:
        smoothed = self.ema.update(event.loss)
        if smoothed is not None:
            self.train.append(event.step / max(1, event.steps_per_epoch), smoothed)
            self.mark_dirty()

    def add_epoch(self, event: EpochMetrics) -> None:
        self.test.append(float(event.epoch), event.test_loss)
        self.mark_dirty()

    def draw(self, plt: Plot, limit: int) -> None:
        self.set_title(plt, f"loss by epoch   {LINE} train (smoothed)   o test",
                       f"loss by epoch  {LINE} train  o test", "loss by epoch")
        train_xs, train_ys = self.train.points(limit)
        test_xs, test_ys = self.test.points(limit)
        if train_ys or test_ys:  # a row of room below the lowest point and above the highest:
            # plotext's own range put the test points on the frame's bottom row
            low, high = padded_range(train_ys + test_ys, self.plot_rows)
            self.set_y_range(plt, low, high, bottom_label=0.0)
        if train_xs:
            plt.plot(train_xs, train_ys, marker="braille", color="cyan")
        if test_xs:
            plt.scatter(test_xs, test_ys, marker="o", color="orange")
