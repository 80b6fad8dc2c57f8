"""``tui-cnn export --filters PNG``: a run's layer-1 filters as one PNG picture.

Pillow and torch are imported only when a picture is written.

Filter PNG layout: N filters of kh x kw weights in ``c = min(columns, N)`` columns and
``r = ceil(N / c)`` rows; each weight is a ``scale`` x ``scale`` square and a ``scale``-wide
dark border runs round and between the tiles, so the image is
``scale * (c * (kw + 1) + 1)`` pixels wide and ``scale * (r * (kh + 1) + 1)`` high
(``png_size``). Default scale: ``max(1, 48 // kw)`` (16 for 3x3 filters).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

from tui_cnn.commands.inspect_cmd import run_dir

if TYPE_CHECKING:
    import numpy as np

    from tui_cnn.render.tile_grids import Normalise

BORDER_RGB = (40, 40, 40)
MAX_PNG_PIXELS = 64_000_000
"""The largest filter PNG written (192 MB of RGB in memory): checked before allocating."""


def check_png_size(count: int, kernel_h: int, kernel_w: int, scale: int, columns: int) -> None:
    """UsageError, with the size, when the PNG would have more than MAX_PNG_PIXELS."""
    from tui_cnn.exits import UsageError

    width, height = png_size(count, kernel_h, kernel_w, scale, columns)
    if width * height > MAX_PNG_PIXELS:
        raise UsageError(f"the PNG would be {width:,}x{height:,} pixels "
                         f"({3 * width * height / 2**30:,.1f} GiB), more than "
                         f"{MAX_PNG_PIXELS:,}; give a smaller --scale (or more --columns)")


def png_size(count: int, kernel_h: int, kernel_w: int, scale: int,
             columns: int = 8) -> tuple[int, int]:
    """(width, height) in pixels of the filter PNG; see the module docstring."""
    cols = max(1, min(columns, count))
    rows = math.ceil(count / cols)
    return scale * (cols * (kernel_w + 1) + 1), scale * (rows * (kernel_h + 1) + 1)


def _tile_rgb(tile: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """One (C, kh, kw) filter as (kh, kw, 3) uint8: RGB for 3 channels, else the diverging
    map of the channel mean (0 = white)."""
    import numpy as np

    from tui_cnn.render.heatmap import LEVELS, colormap_rgb, normalised

    if tile.shape[0] == 3:
        scaled = (tile - lo) / (hi - lo) if hi > lo else np.zeros_like(tile)
        return np.rint(np.moveaxis(scaled, 0, -1) * 255).astype(np.uint8)
    t = normalised(tile.mean(axis=0), "diverging", lo, hi)
    return colormap_rgb("diverging")[np.floor(t * LEVELS + 0.5).astype(np.int64)]


def filter_image(weights: np.ndarray, scale: int, columns: int = 8,
                 normalise: Normalise = "filter") -> np.ndarray:
    """(N, C, kh, kw) weights as an (H, W, 3) uint8 picture, ``png_size`` big."""
    import numpy as np

    w = np.nan_to_num(np.asarray(weights, dtype=np.float64))
    n, _, kh, kw = w.shape
    width, height = png_size(n, kh, kw, scale, columns)
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = BORDER_RGB
    cols = max(1, min(columns, n))
    for i, tile in enumerate(w):
        src = w if normalise == "layer" else tile
        rgb = _tile_rgb(tile, float(src.min()), float(src.max()))
        big = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
        top = scale * (1 + (i // cols) * (kh + 1))
        left = scale * (1 + (i % cols) * (kw + 1))
        image[top:top + kh * scale, left:left + kw * scale] = big
    return image


def write_filter_png(args: argparse.Namespace) -> int:
    """The handler of ``export --filters``: one run's filters written to ``args.filters``."""
    from PIL import Image

    from tui_cnn.commands.inspect_cmd import load_run
    from tui_cnn.core.checkpoint import first_layer_weights
    from tui_cnn.exits import UsageError

    if len(args.runs) != 1:
        raise UsageError("--filters writes one run's filters: give exactly one RUN")
    if args.columns < 1 or (args.scale is not None and not 1 <= args.scale <= 256):
        raise UsageError("--columns must be at least 1 and --scale between 1 and 256")
    path = run_dir(args.runs[0], args.runs_dir)
    loaded = load_run(path)
    weights = first_layer_weights(loaded.model, loaded.table.input_shape)
    scale = args.scale or max(1, 48 // weights.shape[-1])
    check_png_size(len(weights), weights.shape[2], weights.shape[3], scale, args.columns)
    image = filter_image(weights, scale, args.columns, args.normalise)
    try:
        Image.fromarray(image, mode="RGB").save(Path(args.filters).expanduser(), format="PNG")
    except OSError as exc:
        raise UsageError(f"cannot write {args.filters}: {exc.strerror or exc}") from None
    height, width = image.shape[:2]
    print(f"wrote {args.filters}: {len(weights)} filters, {width}x{height} pixels "
          f"(scale {scale})")
    return 0
