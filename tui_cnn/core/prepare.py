"""Prepare a drawn or loaded image the way MNIST's digits were made (LeCun et al.).

Grey (28x28 models): crop to the ink's bounding box, scale it to fit a 20x20 box keeping
the aspect (Pillow resize, antialiased), paste it into 28x28 and shift it so the ink's
centre of mass lands on the centre of the field (pixel coordinate 13.5, 13.5; whole-pixel
shifts rounded half up, so within half a pixel). Colour (32x32 models): the same with a
24x24 box, where "ink" is how far each pixel is from the background colour (the median
of the border).

Ink is bright on dark, as in MNIST; ``ink_on_dark`` turns a dark-on-light scan around.
numpy and Pillow only (no torch). Values are floats in [0, 1].
"""

from __future__ import annotations

import math

import numpy as np

GREY_FIELD, GREY_BOX = 28, 20
COLOUR_FIELD, COLOUR_BOX = 32, 24
INK = 1e-3  # a pixel darker than this is background
FAINT = 0.1
"""Ink fainter than this fraction of the brightest does not widen the bounding box: with
only INK, a scan's or a saved image's noise of 1-3/255 made the box the whole picture, so
the digit was shrunk into 20x20 and misread (a clean 7: 99% '7'; with that noise: 39% '9')."""


def as_float(image: np.ndarray) -> np.ndarray:
    """uint8 (0-255) or float (0-1) -> float32 in [0, 1]."""
    array = np.asarray(image)
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    return np.clip(np.nan_to_num(array.astype(np.float32)), 0.0, 1.0)


def ink_on_dark(grey: np.ndarray) -> np.ndarray:
    """A 2-D image with bright ink on a dark ground (inverted if its border is light)."""
    image = as_float(grey)
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    return 1.0 - image if float(np.median(border)) > 0.5 else image


def bounding_box(ink: np.ndarray, threshold: float | None = None
                 ) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right), bottom/right exclusive, of pixels above ``threshold``
    (default: INK, or FAINT x the brightest pixel if that is more)."""
    if threshold is None:
        threshold = max(INK, FAINT * float(ink.max(initial=0.0)))
    rows, cols = np.flatnonzero(ink.max(axis=1) > threshold), np.flatnonzero(
        ink.max(axis=0) > threshold)
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def centre_of_mass(ink: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass in pixel-index coordinates."""
    total = float(ink.sum())
    if total <= 0:
        return (ink.shape[0] - 1) / 2, (ink.shape[1] - 1) / 2
    rows, cols = np.indices(ink.shape)
    return float((rows * ink).sum()) / total, float((cols * ink).sum()) / total


def fit_size(height: int, width: int, box: int) -> tuple[int, int]:
    """(height, width) scaled so the longer side is ``box``, keeping the aspect."""
    scale = box / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def _resize(plane: np.ndarray, height: int, width: int) -> np.ndarray:
    from PIL import Image

    image = Image.fromarray(plane.astype(np.float32), mode="F")
    resized = image.resize((width, height), Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def _shift_into(planes: np.ndarray, field: int, weight: np.ndarray,
                background: np.ndarray) -> np.ndarray:
    """``planes`` (C, h, w) pasted into (C, field, field) with ``weight``'s centre of mass
    moved to the field's centre; pixels shifted past the edge are dropped."""
    channels, h, w = planes.shape
    com_r, com_c = centre_of_mass(weight)
    centre = (field - 1) / 2
    top, left = math.floor(centre - com_r + 0.5), math.floor(centre - com_c + 0.5)
    out = np.empty((channels, field, field), np.float32)
    out[:] = background[:, None, None]
    r0, c0 = max(0, top), max(0, left)
    r1, c1 = min(field, top + h), min(field, left + w)
    if r0 < r1 and c0 < c1:
        out[:, r0:r1, c0:c1] = planes[:, r0 - top:r1 - top, c0 - left:c1 - left]
    return out


def prepare_grey(image: np.ndarray, field: int = GREY_FIELD, box: int = GREY_BOX) -> np.ndarray:
    """A 2-D drawing (bright ink) -> (field, field) float32, MNIST-style; blank stays blank."""
    ink = as_float(image)
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D grey image, got shape {ink.shape}")
    found = bounding_box(ink)
    if found is None:
        return np.zeros((field, field), np.float32)
    top, left, bottom, right = found
    crop = ink[top:bottom, left:right]
    scaled = _resize(crop, *fit_size(crop.shape[0], crop.shape[1], box))
    return _shift_into(scaled[None], field, scaled, np.zeros(1, np.float32))[0]


def prepare_colour(image: np.ndarray, field: int = COLOUR_FIELD,
                   box: int = COLOUR_BOX) -> np.ndarray:
    """A (3, H, W) picture -> (3, field, field) float32: the same fit, ink = distance from
    the background colour (the border's median), the margin filled with that colour."""
    rgb = as_float(image)
    if rgb.ndim != 3 or rgb.shape[0] != 3:
        raise ValueError(f"expected a (3, H, W) colour image, got shape {rgb.shape}")
    border = np.concatenate([rgb[:, 0], rgb[:, -1], rgb[:, :, 0], rgb[:, :, -1]], axis=1)
    background = np.median(border, axis=1).astype(np.float32)
    ink = np.abs(rgb - background[:, None, None]).max(axis=0)
    found = bounding_box(ink)
    if found is None:
        return np.broadcast_to(background[:, None, None], (3, field, field)).copy()
    top, left, bottom, right = found
    size = fit_size(bottom - top, right - left, box)
    planes = np.stack([_resize(p[top:bottom, left:right], *size) for p in rgb])
    weight = _resize(ink[top:bottom, left:right], *size)
    return _shift_into(planes, field, weight, background)


def prepare(image: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """``image`` (2-D grey, or (3, H, W)) prepared for a model of input ``shape`` (C, H, W):
    (C, H, W) float32 in [0, 1]. Grey input for a colour model is repeated; colour input
    for a grey model is averaged first."""
    channels, height, _ = shape
    array = as_float(image)
    if channels == 1:
        grey = array.mean(axis=0) if array.ndim == 3 else array
        return prepare_grey(grey, height, round(height * GREY_BOX / GREY_FIELD))[None]
    if array.ndim == 2:
        array = np.repeat(array[None], 3, axis=0)
    return prepare_colour(array, height, round(height * COLOUR_BOX / COLOUR_FIELD))
