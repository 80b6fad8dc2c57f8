"""Numpy arrays drawn as Rich text: filters, activation maps and images, in a terminal.

Pure and deterministic: the same array always gives the same cells and colours.

Colour modes put two vertically stacked pixels in each cell: ``▀`` with foreground =
top pixel, background = bottom pixel (cells are ~2:1, so pixels look square). An odd
last row has no background (the terminal's own shows). ``"truecolor"`` uses 24-bit
colours; ``"256"`` quantises every colour here to the nearest (Euclidean RGB) exact
xterm cube/grey entry, 16-255 (Rich's own downgrade tints pale colours cyan; the 16
themeable system colours are never used). ``"none"`` (NO_COLOR) emits no styles, only
the shades `` ░▒▓█``, each pixel two characters wide and one row tall (still square;
twice the cells of a colour picture each way, see ``heatmap_size``). Greyscale cannot
show sign: diverging maps shade ``|w|`` and their legend says so.

Colour maps: ``"diverging"`` (blue-white-red, 0 = white, symmetric range; weights),
``"sequential"`` (viridis-like; activations), ``"grey"`` (black-white; 1-channel images).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text

from tui_cnn.render.palette import LEVELS, STOPS, Cmap, ColorMode, colormap_rgb, nearest_xterm
from tui_cnn.render.palette import detect_color_mode as detect_color_mode  # re-exported
from tui_cnn.render.palette import xterm_palette as xterm_palette  # re-exported

UPPER_HALF = "▀"
SHADES = " ░▒▓█"
NO_COLOR_NOTE = "no colour: shade = size (|value|), the sign not shown"

def _codes_from_rgb(rgb: np.ndarray, mode: ColorMode) -> np.ndarray:
    """Integer colour codes: 0xRRGGBB in truecolor, the xterm index in 256 mode."""
    if mode == "256":
        return nearest_xterm(rgb).astype(np.int64)
    r, g, b = (rgb[..., c].astype(np.int64) for c in range(3))
    return (r << 16) | (g << 8) | b


@lru_cache(maxsize=16)
def _lut_codes(cmap: Cmap, mode: ColorMode) -> np.ndarray:
    return _codes_from_rgb(colormap_rgb(cmap), mode)


def _color(code: int, mode: ColorMode) -> Color | None:
    if code < 0:
        return None
    if mode == "256":
        return Color.from_ansi(code)
    return Color.from_rgb((code >> 16) & 255, (code >> 8) & 255, code & 255)


@lru_cache(maxsize=4096)
def _cell_style(top: int, bottom: int, mode: ColorMode) -> Style:
    """The style of a ``▀`` cell (foreground: the top pixel's code, background: the
    bottom's), made once per pair: making Styles and Colors anew took ~60% of drawing the
    Filters view's feature maps (a few thousand cells, after every epoch)."""
    return Style(color=_color(top, mode), bgcolor=_color(bottom, mode))


def _check_mode(mode: str, cmap: str = "grey") -> None:
    if mode not in ("truecolor", "256", "none"):
        raise ValueError(f"colour mode must be truecolor, 256 or none, got {mode!r}")
    if cmap not in STOPS:
        raise ValueError(f"colour map must be one of {', '.join(STOPS)}, got {cmap!r}")


def _scaled(array: np.ndarray, scale: int, ndim: int) -> np.ndarray:
    if array.ndim != ndim or 0 in array.shape:
        raise ValueError(f"expected a non-empty {ndim}-D array, got shape {array.shape}")
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, got {scale!r}")
    return np.repeat(np.repeat(array, scale, axis=-2), scale, axis=-1)


def normalised(array: np.ndarray, cmap: Cmap, vmin: float | None = None,
               vmax: float | None = None) -> np.ndarray:
    """Values mapped to [0, 1] as the colour map reads them (NaN and inf read as 0).

    Diverging maps are centred on 0 with the symmetric limit max(|vmin|, |vmax|): 0 maps
    to 0.5. Others map vmin -> 0 and vmax -> 1; a flat range maps everything to 0.
    Missing limits come from the data.
    """
    a = np.nan_to_num(np.asarray(array, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo = float(a.min()) if vmin is None else float(vmin)
    hi = float(a.max()) if vmax is None else float(vmax)
    if cmap == "diverging":
        lim = max(abs(lo), abs(hi))
        t = 0.5 + 0.5 * a / lim if lim > 0 else np.full_like(a, 0.5)
    else:
        t = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    return np.clip(t, 0.0, 1.0)


def _level_index(t: np.ndarray) -> np.ndarray:
    return np.floor(t * LEVELS + 0.5).astype(np.int64)


def _half_blocks(codes: np.ndarray, mode: ColorMode) -> Text:
    """Cells of ``▀`` from a (H, W) array of colour codes; -1 = no colour."""
    if codes.shape[0] % 2:
        codes = np.vstack([codes, np.full((1, codes.shape[1]), -1, dtype=codes.dtype)])
    text = Text(no_wrap=True, overflow="crop")
    for row in range(0, codes.shape[0], 2):
        if row:
            text.append("\n")
        pairs = list(zip(codes[row].tolist(), codes[row + 1].tolist(), strict=True))
        start = 0
        for col in range(1, len(pairs) + 1):
            if col == len(pairs) or pairs[col] != pairs[start]:
                top, bottom = pairs[start]
                text.append(UPPER_HALF * (col - start), _cell_style(top, bottom, mode))
                start = col
    return text


def _shade_index(intensity: np.ndarray) -> np.ndarray:
    return np.floor(np.clip(intensity, 0.0, 1.0) * 4 + 0.5).astype(np.int64)


def _shades(intensity: np.ndarray) -> Text:
    """Unstyled text: each pixel two shade characters wide, one row tall."""
    lines = ["".join(SHADES[i] * 2 for i in row) for row in _shade_index(intensity).tolist()]
    return Text("\n".join(lines), no_wrap=True, overflow="crop")


def heatmap_size(height: int, width: int, *, scale: int = 1,
                 mode: ColorMode = "truecolor") -> tuple[int, int]:
    """(columns, rows) of terminal cells that a height x width array takes."""
    if mode == "none":
        return 2 * width * scale, height * scale
    return width * scale, math.ceil(height * scale / 2)


def heatmap(array2d: np.ndarray, *, cmap: Cmap = "diverging", vmin: float | None = None,
            vmax: float | None = None, mode: ColorMode = "truecolor", scale: int = 1) -> Text:
    """A 2-D array as half-block cells (or shades), each pixel repeated ``scale`` times."""
    _check_mode(mode, cmap)
    a = _scaled(np.asarray(array2d, dtype=np.float64), scale, 2)
    t = normalised(a, cmap, vmin, vmax)
    if mode == "none":
        return _shades(np.abs(2.0 * t - 1.0) if cmap == "diverging" else t)
    return _half_blocks(_lut_codes(cmap, mode)[_level_index(t)], mode)


def _rgb_uint8(image: np.ndarray) -> np.ndarray:
    """(3, H, W) floats in [0, 1] or uint8 -> (H, W, 3) uint8."""
    a = np.asarray(image)
    if a.dtype != np.uint8:
        a = np.rint(np.clip(np.nan_to_num(a.astype(np.float64)), 0.0, 1.0) * 255)
    return np.moveaxis(a.astype(np.uint8), 0, -1)


def rgb_image(image: np.ndarray, *, mode: ColorMode = "truecolor", scale: int = 1) -> Text:
    """An image in its own colours: (3, H, W) floats in [0, 1] or uint8.

    (H, W) and (1, H, W) images are drawn with the grey map (0..1, or 0..255 for uint8).
    With no colour, the shade is the luminance (0.299 R + 0.587 G + 0.114 B).
    """
    _check_mode(mode)
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 2:
        top = 255.0 if a.dtype == np.uint8 else 1.0
        return heatmap(a, cmap="grey", vmin=0.0, vmax=top, mode=mode, scale=scale)
    if a.ndim != 3 or a.shape[0] != 3:
        raise ValueError(f"expected a (3, H, W) image, got shape {a.shape}")
    rgb = _scaled(np.moveaxis(_rgb_uint8(a), -1, 0), scale, 3)
    rgb = np.moveaxis(rgb, 0, -1)
    if mode == "none":
        return _shades(rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0)
    return _half_blocks(_codes_from_rgb(rgb, mode), mode)


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def legend(vmin: float, vmax: float, *, cmap: Cmap = "diverging",
           mode: ColorMode = "truecolor", width: int = 21) -> Text:
    """A colour bar ``width`` cells wide over a line of labels.

    Diverging: labels ``-lim``, ``0``, ``+lim`` (lim = max(|vmin|, |vmax|)) and, with no
    colour, a third line (NO_COLOR_NOTE: the shade is the size). Others: vmin and vmax.
    """
    _check_mode(mode, cmap)
    width = max(int(width), 5)
    ramp = np.linspace(0.0, 1.0, width)
    if cmap == "diverging":
        lim = max(abs(float(vmin)), abs(float(vmax)))
        labels = [_fmt(-lim), "0", "+" + _fmt(lim)] if lim else ["", "0", ""]
    else:
        labels = [_fmt(float(vmin)), "", _fmt(float(vmax))]
    text = Text(no_wrap=True, overflow="crop")
    if mode == "none":
        shades = _shade_index(np.abs(2 * ramp - 1) if cmap == "diverging" else ramp)
        text.append("".join(SHADES[i] for i in shades.tolist()))
    else:
        codes = _lut_codes(cmap, mode)[_level_index(ramp)]
        for code in codes.tolist():
            text.append("█", Style(color=_color(code, mode)))
    text.append("\n" + _label_line(labels, width))
    if mode == "none" and cmap == "diverging":
        text.append("\n" + NO_COLOR_NOTE)
    return text


def _label_line(labels: Sequence[str], width: int) -> str:
    """Left label at the start, middle centred, right label flush with the end."""
    left, middle, right = labels
    line = [" "] * width
    start = (width - len(middle)) // 2
    for offset, label in ((0, left), (start, middle), (width - len(right), right)):
        for i, char in enumerate(label):
            if 0 <= offset + i < width:
                line[offset + i] = char
    return "".join(line)
