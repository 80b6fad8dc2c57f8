"""Where a unit of a conv layer looks in the input: receptive field, jump and offset.

Pure Python and numpy (no torch). Walking the layer table front to back, a unit at
position p of a layer sees input pixels ``start + p * jump`` to ``start + p * jump + rf - 1``
(each axis). A k x k layer with stride s and padding q maps (rf, jump, start) to
(rf + (k - 1) * jump, jump * s, start - q * jump); the 2x2 max-pool is k = s = 2, q = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui_cnn.core.layers import LayerTable


@dataclass(frozen=True)
class Geometry:
    rf: int  # receptive field, pixels per side
    jump: int  # input pixels between neighbouring units
    start: int  # first input pixel (row or column) of unit 0; negative = in the padding


def unit_geometry(table: LayerTable, name: str) -> Geometry:
    """The geometry of layer ``name``'s output units (a conv, or any layer after it)."""
    rf, jump, start = 1, 1, 0
    for layer in table.layers:
        if layer.kind in ("Conv2d", "MaxPool2d"):
            rf += (layer.kernel - 1) * jump
            start -= layer.padding * jump
            jump *= layer.stride
        if layer.name == name:
            if layer.receptive_field is not None and layer.receptive_field != rf:
                raise AssertionError(f"{name}: receptive field {rf} != the table's "
                                     f"{layer.receptive_field}")
            return Geometry(rf, jump, start)
    raise ValueError(f"no layer {name!r} in the table")


def crop_window(y: int, x: int, geometry: Geometry) -> tuple[int, int]:
    """Top-left input pixel (row, column) of the window unit (y, x) sees; may lie outside."""
    return geometry.start + y * geometry.jump, geometry.start + x * geometry.jump


def crop(image: np.ndarray, top: int, left: int, size: int,
         fill: int | float = 0) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The ``size`` x ``size`` window of a (C, H, W) image at (top, left), clipped at the
    border and padded with ``fill`` back to full size; and the part inside the tile that
    came from the image, as (row0, row1, col0, col1) (end exclusive)."""
    c, h, w = image.shape
    tile = np.full((c, size, size), fill, dtype=image.dtype)
    y0, y1 = max(top, 0), min(top + size, h)
    x0, x1 = max(left, 0), min(left + size, w)
    if y1 > y0 and x1 > x0:
        tile[:, y0 - top:y1 - top, x0 - left:x1 - left] = image[:, y0:y1, x0:x1]
    inside = (max(0, y0 - top), max(0, y1 - top), max(0, x0 - left), max(0, x1 - left))
    return tile, inside
