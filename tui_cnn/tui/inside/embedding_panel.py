"""What the classifier sees: the 2-D embedding as a plotext scatter, one colour and
digit per class, and each class's accuracy beside it. Fed through ``show_embedding``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui_cnn.tui.inside.state import accuracy_lines

COLOURS = ("red", "green", "blue", "orange", "magenta", "cyan", "white", "red+", "green+",
           "blue+")
MAX_POINTS = 1500  # redraw cost grows with points (PITFALLS: ~0.5 s for 10,000)
EMPTY = "No embedding yet: pick a saved run."


@dataclass(frozen=True)
class EmbeddingData:
    points: np.ndarray  # (N, 2)
    labels: np.ndarray  # (N,) int
    classes: tuple[str, ...]
    accuracy: np.ndarray  # (classes,) fraction, nan for none
    counts: np.ndarray  # (classes,) int
    title: str  # e.g. "fc2 input after epoch 3 (PCA: 19% + 16% of variance)"


def marker(index: int) -> str:
    return str(index) if index < 10 else chr(ord("a") + index - 10)


class EmbeddingPanel(Horizontal):
    DEFAULT_CSS = """
    EmbeddingPanel { height: 1fr; }
    EmbeddingPanel > PlotextPlot { width: 1fr; }
    EmbeddingPanel > #accuracy { width: auto; min-width: 18; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.data: EmbeddingData | None = None

    def compose(self) -> ComposeResult:
        yield PlotextPlot()
        yield Static(EMPTY, id="accuracy")

    def show_embedding(self, data: EmbeddingData) -> None:
        self.data = data
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        step = max(1, len(data.labels) // MAX_POINTS)
        points, labels = data.points[::step], data.labels[::step]
        for c in range(len(data.classes)):
            pick = labels == c
            if pick.any():
                plt.scatter(points[pick, 0].tolist(), points[pick, 1].tolist(),
                            marker=marker(c), color=COLOURS[c % len(COLOURS)])
        plt.title(data.title)
        plot.refresh()
        lines = ["accuracy", *(f"{marker(i)} {line}" for i, line in enumerate(
            accuracy_lines(data.classes, data.accuracy, data.counts)))]
        self.query_one("#accuracy", Static).update("\n".join(lines))
