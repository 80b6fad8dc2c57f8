"""Many tiles drawn as one Rich text: conv filters, feature maps or drawn pictures in a grid.

Each tile is a ``render.heatmap`` picture; a grid lays them in rows of ``columns``, ``gap``
spaces apart, with an optional label centred above each. ``normalise`` says whether each
tile gets its own colour range ("filter") or all share the layer's ("layer").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from rich.text import Text

from tui_cnn.render.heatmap import heatmap, heatmap_size, rgb_image
from tui_cnn.render.palette import Cmap, ColorMode

Normalise = Literal["filter", "layer"]


def _limits(maps: np.ndarray, normalise: Normalise) -> list[tuple[float, float]]:
    if normalise not in ("filter", "layer"):
        raise ValueError(f"normalise must be filter or layer, got {normalise!r}")
    if normalise == "layer":
        return [(float(maps.min()), float(maps.max()))] * len(maps)
    return [(float(m.min()), float(m.max())) for m in maps]


def _grid(tiles: list[Text], tile_width: int, columns: int, gap: int,
          labels: Sequence[str] | None) -> Text:
    """Tiles in rows of ``columns``, ``gap`` spaces apart, a blank line between rows.

    Each label (cut to the tile width, centred) goes on a line above its tile.
    """
    out = Text(no_wrap=True, overflow="crop")
    spacer = " " * gap
    columns = max(1, int(columns))
    for first in range(0, len(tiles), columns):
        if first:
            out.append("\n\n")
        if labels is not None:
            row = labels[first:first + columns]
            out.append(spacer.join(str(lbl)[:tile_width].center(tile_width) for lbl in row))
            out.append("\n")
        split = [tile.split("\n", allow_blank=True) for tile in tiles[first:first + columns]]
        for line in range(len(split[0])):
            if line:
                out.append("\n")
            for j, lines in enumerate(split):
                out.append(spacer if j else "")
                out.append_text(lines[line])
    return out


def _checked(array: np.ndarray, ndim: int, labels: Sequence[str] | None) -> np.ndarray:
    a = np.asarray(array, dtype=np.float64)
    if a.ndim != ndim or 0 in a.shape:
        raise ValueError(f"expected a non-empty {ndim}-D array, got shape {a.shape}")
    if labels is not None and len(labels) != len(a):
        raise ValueError(f"{len(labels)} labels for {len(a)} tiles")
    return a


def filter_grid(weights: np.ndarray, *, columns: int = 8, scale: int = 2,
                mode: ColorMode = "truecolor", normalise: Normalise = "filter",
                labels: Sequence[str] | None = None, gap: int = 1) -> Text:
    """Conv weights (N, C, k, k) as a grid of tiles, one per filter.

    C == 1: diverging map of the weights. C == 3: the filter as an RGB picture, min-max
    mapped to 0-255 over its three channels together (or over the whole layer). Other C:
    the diverging map of the mean over input channels. ``normalise`` = "filter" scales
    each tile on its own; "layer" shares one range so tiles compare.
    """
    w = _checked(weights, 4, labels)
    if w.shape[1] == 3:
        tiles = [rgb_image((f - lo) / (hi - lo) if hi > lo else np.zeros_like(f),
                           mode=mode, scale=scale)
                 for f, (lo, hi) in zip(w, _limits(w, normalise), strict=True)]
        width = heatmap_size(w.shape[2], w.shape[3], scale=scale, mode=mode)[0]
        return _grid(tiles, width, columns, gap, labels)
    maps = w[:, 0] if w.shape[1] == 1 else w.mean(axis=1)
    return feature_grid(maps, columns=columns, scale=scale, mode=mode, cmap="diverging",
                        normalise=normalise, labels=labels, gap=gap)


def feature_grid(maps: np.ndarray, *, columns: int = 8, scale: int = 1,
                 mode: ColorMode = "truecolor", cmap: Cmap = "sequential",
                 normalise: Normalise = "layer", labels: Sequence[str] | None = None,
                 gap: int = 1) -> Text:
    """Maps (N, H, W), e.g. one layer's activations, as a grid of tiles."""
    a = _checked(maps, 3, labels)
    tiles = [heatmap(m, cmap=cmap, vmin=lo, vmax=hi, mode=mode, scale=scale)
             for m, (lo, hi) in zip(a, _limits(a, normalise), strict=True)]
    width = heatmap_size(a.shape[1], a.shape[2], scale=scale, mode=mode)[0]
    return _grid(tiles, width, columns, gap, labels)


def tile_grid(tiles: list[Text], tile_width: int, *, columns: int = 8, gap: int = 1,
              labels: Sequence[str] | None = None) -> Text:
    """Already drawn tiles of one size (e.g. from ``rgb_image``) in rows of ``columns``,
    each label centred on a line above its tile."""
    if labels is not None and len(labels) != len(tiles):
        raise ValueError(f"{len(labels)} labels for {len(tiles)} tiles")
    if not tiles:
        return Text()
    return _grid(tiles, tile_width, columns, gap, labels)
