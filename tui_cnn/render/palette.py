"""Colours for the heatmaps: colour modes, colour maps, and the exact xterm-256 palette.

Pale colours downgraded by a terminal library get a cyan tint, so 256-colour output is
quantised here, to the nearest exact xterm cube or grey entry (16-255).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

import numpy as np

ColorMode = Literal["truecolor", "256", "none"]
Cmap = Literal["diverging", "sequential", "grey"]
LEVELS = 256  # colour-map steps; the table has LEVELS + 1 entries

STOPS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "diverging": ((33, 102, 172), (146, 197, 222), (247, 247, 247),
                  (244, 165, 130), (178, 24, 43)),
    "sequential": ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98),
                   (253, 231, 37)),
    "grey": ((0, 0, 0), (255, 255, 255)),
}
_CUBE_LEVELS = (0, 95, 135, 175, 215, 255)


def detect_color_mode(env: Mapping[str, str] = os.environ) -> ColorMode:
    """``"none"`` if NO_COLOR is set and not empty, ``"truecolor"`` if COLORTERM says
    truecolor/24bit, else ``"256"`` (SSH forwards TERM but not COLORTERM)."""
    if env.get("NO_COLOR"):
        return "none"
    if env.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return "truecolor"
    return "256"


_GREY_LEVELS = tuple(range(8, 239, 10))


def xterm_palette() -> np.ndarray:
    """RGB of xterm colours 16-255 as a (240, 3) uint8 array; row i is colour 16 + i."""
    cube = [(r, g, b) for r in _CUBE_LEVELS for g in _CUBE_LEVELS for b in _CUBE_LEVELS]
    return np.array(cube + [(v, v, v) for v in _GREY_LEVELS], dtype=np.uint8)


def nearest_xterm(rgb: np.ndarray) -> np.ndarray:
    """Index (16-255) of the nearest (Euclidean RGB) xterm cube/grey entry, per (..., 3) row.

    Exact and O(pixels): the cube is separable (nearest level per channel); the nearest
    grey is the grey level nearest the channel mean. Ties go to the cube, then lower.
    """
    a = np.asarray(rgb, dtype=np.int64)
    cube_levels, grey_levels = np.array(_CUBE_LEVELS), np.array(_GREY_LEVELS)
    ci = np.abs(a[..., None] - cube_levels).argmin(axis=-1)
    cube_d = ((a - cube_levels[ci]) ** 2).sum(axis=-1)
    gi = np.abs(a.mean(axis=-1, keepdims=True) - grey_levels).argmin(axis=-1)
    grey_d = ((a - grey_levels[gi][..., None]) ** 2).sum(axis=-1)
    cube_index = 16 + 36 * ci[..., 0] + 6 * ci[..., 1] + ci[..., 2]
    return np.where(grey_d < cube_d, 232 + gi, cube_index)


@lru_cache(maxsize=8)
def colormap_rgb(cmap: Cmap) -> np.ndarray:
    """The colour map as a (LEVELS + 1, 3) uint8 table, low end first (odd: 0.5 is exact)."""
    stops = np.array(STOPS[cmap], dtype=np.float64)
    xs = np.linspace(0.0, 1.0, len(stops))
    t = np.linspace(0.0, 1.0, LEVELS + 1)
    channels = [np.interp(t, xs, stops[:, c]) for c in range(3)]
    return np.rint(np.stack(channels, axis=1)).astype(np.uint8)
