"""A few sample images of the chosen dataset, drawn with half blocks (or shades)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from rich.text import Text
from textual.widgets import Static

from tui_cnn.render.heatmap import ColorMode, detect_color_mode, heatmap_size, rgb_image

GAP = 1


def shrink(images: np.ndarray) -> np.ndarray:
    """(K, C, H, W) uint8 -> half the size each way, by 2x2 means (odd edges dropped)."""
    k, c, h, w = images.shape
    cropped = images[:, :, : h // 2 * 2, : w // 2 * 2].astype(np.float32)
    pooled = cropped.reshape(k, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))
    return np.rint(pooled).astype(np.uint8)


def side_by_side(tiles: Sequence[Text], labels: Sequence[str], width: int) -> Text:
    """Tiles of equal size in one row, each with its label cut to fit below it."""
    rows = [tile.split("\n", allow_blank=True) for tile in tiles]
    out = Text()
    for line in range(len(rows[0])):
        for i, lines in enumerate(rows):
            if i:
                out.append(" " * GAP)
            out.append_text(lines[line])
        out.append("\n")
    out.append((" " * GAP).join(label[:width].ljust(width) for label in labels).rstrip())
    return out


class DatasetPreview(Static):
    """Holds the samples and draws as many as fit its width."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.images: np.ndarray | None = None
        self.labels: list[str] = []

    @property
    def color_mode(self) -> ColorMode:
        return "none" if self.app.no_color else detect_color_mode(os.environ)

    def show_samples(self, images: np.ndarray, labels: Sequence[str]) -> None:
        self.images = shrink(images)
        self.labels = list(labels)
        self._draw()

    def show_text(self, text: str) -> None:
        self.images = None
        self.update(text)

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.images is None or not len(self.images) or self.size.width < 4:
            return
        mode = self.color_mode
        tiles = [rgb_image(image, mode=mode) for image in self.images]
        tile_width = heatmap_size(*self.images.shape[2:], mode=mode)[0]
        fits = max(1, (self.size.width + GAP) // (tile_width + GAP))
        self.update(side_by_side(tiles[:fits], self.labels[:fits], tile_width))
