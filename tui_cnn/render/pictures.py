"""Pictures for PNG files (``tui-cnn export --inside``): numpy in, (H, W, 3) uint8 out.

A grid of equal tiles: each pixel is a ``scale`` x ``scale`` square and a ``scale``-wide
dark border runs round and between the tiles, so ``rows`` x ``columns`` tiles of h x w
pixels make a picture ``scale * (columns * (w + 1) + 1)`` wide and
``scale * (rows * (h + 1) + 1)`` high (``grid_size``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tui_cnn.render.overlay import overlay_rgb
from tui_cnn.render.palette import Cmap

BORDER_RGB = (40, 40, 40)
CLASS_RGB = ((230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180),
             (70, 200, 200), (240, 50, 230), (128, 128, 0), (0, 0, 128), (128, 128, 128))


def grid_size(rows: int, columns: int, h: int, w: int, scale: int) -> tuple[int, int]:
    """(width, height) in pixels of a grid picture; see the module docstring."""
    return scale * (columns * (w + 1) + 1), scale * (rows * (h + 1) + 1)


def to_rgb(image: np.ndarray) -> np.ndarray:
    """(C, H, W) uint8 (C = 1 or 3) -> (H, W, 3) uint8."""
    a = np.asarray(image, dtype=np.uint8)
    return np.moveaxis(a, 0, -1).copy() if a.shape[0] == 3 else np.repeat(
        a.mean(axis=0).round().astype(np.uint8)[..., None], 3, axis=-1)


def grid_rgb(rows: Sequence[Sequence[np.ndarray]], scale: int) -> np.ndarray:
    """Tiles (h, w, 3) uint8, all one size, in rows (a short row leaves border)."""
    if not rows or not any(rows):
        raise ValueError("no tiles to draw")
    h, w = next(t for row in rows for t in row).shape[:2]
    columns = max(len(row) for row in rows)
    width, height = grid_size(len(rows), columns, h, w, scale)
    picture = np.empty((height, width, 3), np.uint8)
    picture[:] = BORDER_RGB
    for r, row in enumerate(rows):
        for c, tile in enumerate(row):
            top, left = scale * (1 + r * (h + 1)), scale * (1 + c * (w + 1))
            big = np.repeat(np.repeat(tile, scale, axis=0), scale, axis=1)
            picture[top:top + h * scale, left:left + w * scale] = big
    return picture


def patches_rgb(tiles: np.ndarray, scale: int) -> np.ndarray:
    """Top patches (C, K, C_in, rf, rf) uint8: one row of K tiles per channel."""
    return grid_rgb([[to_rgb(t) for t in channel] for channel in tiles], scale)


def attribution_rgb(image: np.ndarray, maps: Sequence[np.ndarray], signed: bool,
                    scale: int) -> np.ndarray:
    """The image, then each map drawn over it, in one row."""
    cmap: Cmap = "diverging" if signed else "sequential"
    row = [to_rgb(image), *(np.moveaxis(overlay_rgb(image, m, cmap=cmap), 0, -1)
                            for m in maps)]
    return grid_rgb([row], scale)


def scatter_rgb(points: np.ndarray, labels: np.ndarray, size: int = 480,
                dot: int = 2) -> np.ndarray:
    """A white square with one dot per point, coloured by class, the points scaled to fit
    with a margin of 4% on each side."""
    picture = np.full((size, size, 3), 255, np.uint8)
    p = np.asarray(points, dtype=np.float64)
    if len(p) == 0:
        return picture
    lo, hi = p.min(axis=0), p.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    margin = 0.04 * size
    xy = margin + (p - lo) / span * (size - 1 - 2 * margin)
    cols, rows = np.rint(xy[:, 0]).astype(int), np.rint(size - 1 - xy[:, 1]).astype(int)
    for x, y, label in zip(cols, rows, np.asarray(labels).tolist(), strict=True):
        picture[max(0, y - dot):y + dot + 1, max(0, x - dot):x + dot + 1] = \
            CLASS_RGB[int(label) % len(CLASS_RGB)]
    return picture
