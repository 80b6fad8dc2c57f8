"""Pure state and formatting for the inside panels (no Textual, no torch)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tui_cnn.render.heatmap import heatmap_size
from tui_cnn.render.palette import ColorMode


@dataclass(frozen=True)
class Cursor:
    """Which of ``count`` items is shown; stepping wraps around."""

    index: int = 0
    count: int = 0

    def step(self, delta: int) -> Cursor:
        if self.count <= 0:
            return self
        return replace(self, index=(self.index + delta) % self.count)

    def resized(self, count: int) -> Cursor:
        return Cursor(min(self.index, max(0, count - 1)), max(0, count))


def tile_scale(size: int, tiles: int, width: int, mode: ColorMode, most: int = 4) -> int:
    """The largest scale (1..most) at which ``tiles`` tiles of ``size`` pixels fit ``width``
    cells in one row with one cell between them (1 if none fits)."""
    for scale in range(most, 0, -1):
        tile_w = heatmap_size(size, size, scale=scale, mode=mode)[0]
        if tiles * (tile_w + 1) - 1 <= width:
            return scale
    return 1


def columns_for(tile_w: int, tiles: int, width: int, gap: int = 1) -> int:
    return max(1, min(tiles, (width + gap) // (tile_w + gap)))


def channel_caption(name: str, channel: int, channels: int, kind: str, angle: float,
                    coherence: float) -> str:
    """E.g. 'conv2 channel 3 of 64: edge 90° (coherence 0.81)'."""
    head = f"{name} channel {channel} of {channels}"
    if kind == "flat" or not np.isfinite(angle):
        return f"{head}: flat (no gradient in its top patches)"
    return f"{head}: {kind} {angle:.0f}° (coherence {coherence:.2f})"


def accuracy_lines(classes: tuple[str, ...], accuracy: np.ndarray,
                   counts: np.ndarray) -> list[str]:
    """'0 zero  98.0% of 100' per class; '-' for a class with no test image."""
    width = max((len(c) for c in classes), default=1)
    return [f"{c:<{width}} " + ("     -" if n == 0 else f"{100 * a:5.1f}% of {int(n):,}")
            for c, a, n in zip(classes, accuracy.tolist(), counts.tolist(), strict=True)]
