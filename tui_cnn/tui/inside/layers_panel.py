"""How training moves each layer: one statistic (weight norm, gradient norm or update/weight
ratio) per layer against the step, charted as the reports come, the newest values in a
line, and a histogram of every weight tensor after the chosen epoch. Fed through
``show_series`` and ``show_histograms``."""

from __future__ import annotations

import numpy as np
from rich.text import Text
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


RICH_COLOURS = {"orange": "dark_orange", "red+": "bright_red", "green+": "bright_green",
                "blue+": "bright_blue"}
"""plotext colour names Rich spells otherwise."""


def legend_line(series: LayerSeries, stat: str) -> Text:
    """The newest value per layer, each layer's name in its line's colour: the chart's key
    (plotext's own legend sat over the curves, in the plot's top-left corner)."""
    rows = series.rows[stat]
    if not rows:
        return Text(series.latest_line(stat))
    line = Text(f"step {series.steps[-1]:,}:")
    for j, (name, value) in enumerate(zip(series.layers, rows[-1].tolist(), strict=True)):
        colour = COLOURS[j % len(COLOURS)]
        line.append("  ━ ", style=RICH_COLOURS.get(colour, colour))
        line.append(name, style=RICH_COLOURS.get(colour, colour))
        line.append(f" {value:.3g}")
    return line


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
        for j in range(len(series.layers)):
            column = values[:, j]
            keep = np.isfinite(column)
            if keep.any():
                plt.plot([s for s, k in zip(steps, keep, strict=True) if k],
                         column[keep].tolist(), color=COLOURS[j % len(COLOURS)],
                         marker="braille")
        plt.title(f"{STAT_TITLES[stat]} per layer (g: next statistic)")
        plt.xlabel("step")
        plot.refresh()
        self.query_one("#layers-latest", Static).update(legend_line(series, stat))

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
