"""An attribution map drawn over its image: numpy in, an RGB picture out (no torch).

The image is shown in grey (luminance) and each pixel takes the colour map's colour in
proportion to the map's strength there: where the map is 0 the image shows unchanged.
"""

from __future__ import annotations

import numpy as np

from tui_cnn.render.palette import LEVELS, Cmap, colormap_rgb


def grey(image: np.ndarray) -> np.ndarray:
    """(C, H, W) uint8 or [0, 1] floats -> (H, W) luminance in [0, 1]."""
    a = np.asarray(image, dtype=np.float64)
    if np.asarray(image).dtype == np.uint8:
        a = a / 255.0
    if a.ndim == 2:
        return np.clip(a, 0.0, 1.0)
    if a.shape[0] == 3:
        a = np.tensordot(np.array([0.299, 0.587, 0.114]), a, axes=1)
    else:
        a = a.mean(axis=0)
    return np.clip(a, 0.0, 1.0)


def overlay_rgb(image: np.ndarray, heat: np.ndarray, *, cmap: Cmap = "sequential",
                alpha: float = 0.75) -> np.ndarray:
    """(3, H, W) uint8: ``heat`` (H, W; [0, 1], or [-1, 1] for "diverging") over ``image``."""
    base = grey(image)
    h = np.nan_to_num(np.asarray(heat, dtype=np.float64))
    if h.shape != base.shape:
        raise ValueError(f"map {h.shape} and image {base.shape} differ in size")
    if cmap == "diverging":
        t, strength = 0.5 + 0.5 * np.clip(h, -1, 1), np.abs(np.clip(h, -1, 1))
    else:
        t = strength = np.clip(h, 0, 1)
    colours = colormap_rgb(cmap)[np.floor(t * LEVELS + 0.5).astype(np.int64)] / 255.0
    weight = (alpha * strength)[..., None]
    rgb = (1 - weight) * base[..., None] + weight * colours
    return np.moveaxis(np.rint(rgb * 255).astype(np.uint8), -1, 0)
