"""One test image as the model sees it, as Rich text: the image, its top-3 classes as bars,
and each conv layer's first feature maps. Pure functions of numpy arrays and a width."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rich.text import Text

from tui_cnn import fmt
from tui_cnn.render.heatmap import ColorMode, heatmap_size, rgb_image
from tui_cnn.render.tile_grids import feature_grid
from tui_cnn.tui.filters.inspect_worker import ActivationsRead

MAPS = 8
"""Feature maps shown per conv layer (the first channels)."""
MAP_CELLS = 14
"""Widest a feature-map tile may be, in terminal cells."""
BAR = 20
GAP = 3


def shrink(array: np.ndarray, factor: int) -> np.ndarray:
    """(..., H, W) -> (..., H // f, W // f) by f x f means (the ragged edge dropped)."""
    if factor <= 1:
        return array
    h, w = array.shape[-2] // factor, array.shape[-1] // factor
    cropped = array[..., : h * factor, : w * factor].astype(np.float64)
    return cropped.reshape(*array.shape[:-2], h, factor, w, factor).mean(axis=(-3, -1))


def image_text(image: np.ndarray, mode: ColorMode) -> Text:
    """The test image at one pixel a cell-half (half size with no colour: shades are two
    cells a pixel)."""
    if mode == "none":
        image = np.rint(shrink(image, 2)).astype(np.uint8)
    return rgb_image(image, mode=mode)


def sure_reads(smoothing: float, classes: int) -> float:
    """The probability a trained model gives an answer it is sure of: label smoothing s
    trains towards 1 - s + s / classes for the true class (0.91 at 0.1 on ten classes)."""
    return 1.0 - smoothing + smoothing / max(1, classes)


def top_bars(top: Sequence[tuple[int, float]], classes: Sequence[str], label: int,
             smoothing: float = 0.0) -> Text:
    """Each of the top classes: name, a bar, the probability; the true class marked; and
    what the numbers are (learners read them as confidence)."""
    names = [classes[i] if i < len(classes) else str(i) for i, _ in top]
    width = max(len(n) for n in names) if names else 1
    text = Text("top 3 classes\n", style="bold")
    for (index, p), name in zip(top, names, strict=True):
        right = index == label
        text.append(f"{name:<{width}} ", style="bold" if right else "")
        text.append(fmt.bar(p, BAR), style="green" if right else "")
        text.append(f" {100 * p:5.1f}%" + (" ✓" if right else "") + "\n")
    if smoothing > 0:
        cap = sure_reads(smoothing, len(classes))
        text.append(f"trained with label smoothing {smoothing:g}:\n"
                    f"a sure answer reads ≈{100 * cap:.0f}%, not 100%", style="dim")
    else:
        text.append("softmax scores, not calibrated odds", style="dim")
    return text


def beside(left: Text, right: Text, gap: int = GAP) -> Text:
    """Two blocks of lines side by side (the left one padded to its widest line)."""
    lines_l = left.split("\n", allow_blank=True)
    lines_r = right.split("\n", allow_blank=True)
    width = max(line.cell_len for line in lines_l)
    out = Text(no_wrap=True, overflow="crop")
    for row in range(max(len(lines_l), len(lines_r))):
        if row:
            out.append("\n")
        piece = lines_l[row] if row < len(lines_l) else Text()
        out.append_text(piece)
        if row < len(lines_r):
            out.append(" " * (width - piece.cell_len + gap))
            out.append_text(lines_r[row])
    return out


def maps_text(name: str, maps: np.ndarray, mode: ColorMode, width: int) -> Text:
    """A conv layer's first feature maps, shrunk to at most MAP_CELLS cells across."""
    count, h, w = maps.shape
    most_px = MAP_CELLS // 2 if mode == "none" else MAP_CELLS
    factor = max(1, math.ceil(w / most_px))
    shown = np.nan_to_num(shrink(maps[:MAPS], factor))
    tile_w = heatmap_size(*shown.shape[1:], mode=mode)[0]
    fits = max(1, min(len(shown), (width + 1) // (tile_w + 1)))
    columns = math.ceil(len(shown) / math.ceil(len(shown) / fits))  # rows evenly filled
    size = f"{h}x{w}" + (f", shown at 1/{factor} size" if factor > 1 else "")
    title = Text(f"{name}: {count} maps of {size} (the first {len(shown)})\n", style="bold")
    return title.append_text(feature_grid(shown, columns=columns, mode=mode,
                                          labels=[str(i) for i in range(len(shown))]))


def activations_text(result: ActivationsRead, classes: Sequence[str], test_size: int,
                     mode: ColorMode, width: int) -> Text:
    """The whole panel: a line about the image, image and bars, then each conv layer."""
    name = classes[result.label] if result.label < len(classes) else str(result.label)
    text = Text(f"Test image {result.index} of {test_size:,} · true class {name} · "
                f"model after epoch {result.epoch}\n", style="bold")
    picture, bars = image_text(result.image, mode), top_bars(result.top, classes,
                                                             result.label,
                                                             result.label_smoothing)
    fits = picture.split("\n")[0].cell_len + GAP + BAR + 20 <= width
    text.append_text(beside(picture, bars) if fits else picture + Text("\n") + bars)
    for layer, maps in result.maps.items():
        text.append("\n\n")
        text.append_text(maps_text(layer, maps, mode, width))
    scale = "blank = low, solid = high" if mode == "none" else "dark = low, bright = high"
    text.append(f"\n(the maps of a layer share one scale: {scale})", style="dim")
    return text
