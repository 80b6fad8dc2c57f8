"""How training moves each layer: one statistic (weight norm, gradient norm or update/weight
ratio) per layer against the step, charted as the reports come, the newest values in a
line, and a histogram of every weight tensor after the chosen epoch. Fed through
``show_series`` and ``show_histograms``."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui_cnn.tui.inside.embedding_panel import COLOURS
from tui_cnn.tui.inside.view_state import STAT_TITLES, LayerSeries, histogram_line

MAX_POINTS = 400  # per line; more cannot be seen in a terminal chart
NO_HISTOGRAMS = "Weight histograms come with the chosen epoch's checkpoint."


def thinned(steps: list[int], values: np.ndarray) -> tuple[list[int], np.ndarray]:
    every = max(1, len(steps) // MAX_POINTS)
    return steps[::every], values[::every]


class LayerStatsPanel(Vertical):
    DEFAULT_CSS = """
    LayerStatsPanel { height: auto; }
    LayerStatsPanel > PlotextPlot { height: 12; }
    LayerStatsPanel > Static { height: auto; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.stat = "weight_norm"
        self.histograms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.histogram_note = NO_HISTOGRAMS

    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="layers-chart")
        yield Static(id="layers-latest", markup=False)
        yield Static(NO_HISTOGRAMS, id="layers-histograms", markup=False)

    def on_mount(self) -> None:
        self.query_one(PlotextPlot).theme = "auto"

    def show_series(self, series: LayerSeries, stat: str) -> None:
        """Chart ``stat`` for every layer of ``series``."""
        self.stat = stat
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        values = series.series(stat)
        steps, values = thinned(series.steps, values)
        for j, name in enumerate(series.layers):
            column = values[:, j]
            keep = np.isfinite(column)
            if keep.any():
                plt.plot([s for s, k in zip(steps, keep, strict=True) if k],
                         column[keep].tolist(), label=name, color=COLOURS[j % len(COLOURS)],
                         marker="braille")
        plt.title(f"{STAT_TITLES[stat]} per layer (g: next statistic)")
        plt.xlabel("step")
        plot.refresh()
        self.query_one("#layers-latest", Static).update(series.latest_line(stat))

    def show_histograms(self, histograms: dict[str, tuple[np.ndarray, np.ndarray]],
                        note: str) -> None:
        self.histograms, self.histogram_note = histograms, note
        self._draw_histograms()

    def on_resize(self) -> None:
        self._draw_histograms()

    def _draw_histograms(self) -> None:
        width = max(30, self.size.width or 80)
        if not self.histograms:
            text = self.histogram_note
        else:
            lines = [histogram_line(name.removesuffix(".weight"), counts, edges, width)
                     for name, (counts, edges) in self.histograms.items()]
            text = "\n".join([self.histogram_note, *lines])
        self.query_one("#layers-histograms", Static).update(text)
