"""What the canvas shows, as Rich text: the drawing with its cursor, bars, feature maps.

Pure functions of numpy arrays (render/heatmap draws the pixels at half-block
resolution: one cell = one pixel wide, two pixels tall).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text

from tui_cnn.render.heatmap import ColorMode, rgb_image
from tui_cnn.render.tile_grids import feature_grid

CURSOR_RGB = np.array([1.0, 0.2, 0.2], np.float32)
BAR_WIDTH = 5
MAX_MAPS = 8


def drawing_text(pixels: np.ndarray, cursor: tuple[int, int] | None,
                 mode: ColorMode = "truecolor") -> Text:
    """The (C, H, W) drawing, the cursor's pixel in red (shown only in colour modes)."""
    rgb = np.repeat(pixels, 3, axis=0) if pixels.shape[0] == 1 else pixels.copy()
    if cursor is not None and mode != "none":
        rgb[:, cursor[0], cursor[1]] = CURSOR_RGB
    return rgb_image(rgb, mode=mode)


def bars_text(top: Sequence[tuple[str, float]], width: int = BAR_WIDTH) -> Text:
    """One line per class: name, percentage, a bar as long as its probability."""
    if not top:
        return Text("draw something to classify", style="dim")
    name_width = max(len(name) for name, _ in top)
    text = Text()
    for i, (name, p) in enumerate(top):
        filled = round(max(0.0, min(1.0, p)) * width)
        text.append(f"{name:<{name_width}} {100 * p:3.0f}% ", style="bold" if i == 0 else "")
        text.append("█" * filled, style="green" if i == 0 else "cyan")
        text.append("·" * (width - filled) + "\n", style="dim")
    text.rstrip()
    return text


def pooled(maps: np.ndarray, factor: int) -> np.ndarray:
    """(N, H, W) maps, mean-pooled by ``factor`` (so 8 maps of 28x28 fit a small panel)."""
    n, h, w = maps.shape
    h2, w2 = h // factor, w // factor
    return maps[:, :h2 * factor, :w2 * factor].reshape(n, h2, factor, w2, factor).mean((2, 4))


def maps_text(maps: np.ndarray | None, mode: ColorMode = "truecolor",
              columns: int = 4) -> Text:
    """The first layer's feature maps (at most 8), halved in size, in a grid."""
    if maps is None:
        return Text("layer-1 feature maps show here when a model classifies the drawing"
                    " (an MLP has none)", style="dim")
    shown = pooled(np.asarray(maps, np.float32)[:MAX_MAPS], 2)
    labels = [f"map {i + 1}" for i in range(len(shown))]
    return feature_grid(shown, columns=columns, mode=mode, labels=labels)
