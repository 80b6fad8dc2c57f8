"""The Filters view's pictures and tables as Rich text: the epoch slider, the filter grid
with its legend, and the edge-score table. Pure functions of numpy arrays and a width."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text

from tui_cnn.core.inspect import EdgeScore
from tui_cnn.core.report import (
    ARROWS,
    edge_label,
    edge_scores_or_none,
    finite_range,
    no_edge_scores,
)
from tui_cnn.render.heatmap import ColorMode, heatmap_size, legend
from tui_cnn.render.tile_grids import Normalise, filter_grid
from tui_cnn.tui.filters.filters_state import LIVE, Shown

INTRO = ("Nothing to show yet. Press t to train: the first layer's filters appear here and "
         "update as they learn, with a snapshot after every epoch ([ and ] step through "
         "them), how edge-like each filter is, layer 2 per output channel (l), one test "
         "image's feature maps and top-3 classes (j and k pick the image), and the test "
         "set's confusion matrix. A saved run can also be opened here from the Runs view.")
WAITING_ACTS = ("After the first epoch: one test image, each conv layer's feature maps and "
                "the top-3 classes (j and k step through the test images).")
WAITING_CONFUSION = "After the first epoch: the test set's confusion matrix."
MOST_COLUMNS = 8
KEYS_LINE = ("[ ] epoch · n scale per tile/layer · l layer · , . output channel · "
             "j k test image")
EDGE_GAP = 3
EDGE_MARK = "✓"


def fit(tiles: int, k: int, mode: ColorMode, width: int) -> tuple[int, int]:
    """(scale, columns): the largest scale at which min(8, tiles) tiles fit ``width``
    (3x3 kernels get 2 or 3 pixels a weight in colour, 1 or 2 in shades)."""
    want = max(1, min(MOST_COLUMNS, tiles))
    scales = (1,) if k > 7 else ((2, 1) if mode == "none" else (3, 2))
    for scale in scales:
        tile_w = heatmap_size(k, k, scale=scale, mode=mode)[0]
        if want * (tile_w + 1) - 1 <= width:
            return scale, want
    scale = scales[-1]
    tile_w = heatmap_size(k, k, scale=scale, mode=mode)[0]
    return scale, max(1, min(want, (width + 1) // (tile_w + 1)))


def slider(frames: Sequence[int], current: int | None, live: bool) -> Text:
    """``epoch  1  2 [3]  live`` with the shown frame in reverse video, and a note: the
    live run is followed at the newest frame, or ] steps on towards it."""
    text = Text("epoch ", style="bold")
    if not frames:
        return text.append("(none yet)", style="dim")
    for frame in frames:
        label = "live" if frame == LIVE else "init" if frame == 0 else str(frame)
        text.append(" ")
        text.append(f" {label} ", style="reverse bold" if frame == current else "")
    if current != frames[-1]:
        text.append("   ] steps on to the newest", style="dim")
    elif live:
        text.append("   following the run", style="dim")
    return text


def header(shown: Shown, normalise: Normalise) -> Text:
    text = Text(shown.layer_name, style="bold")
    if shown.what:
        text.append(f": {shown.what}")
    text.append(f" · {shown.when}")
    scale = "each tile on its own scale" if normalise == "filter" else "one scale for all"
    if len(shown.tiles) and shown.tiles.shape[1] != 3:
        text.append(f" · {scale}", style="dim")
    return text


def grid(shown: Shown, scores: list[EdgeScore] | None, mode: ColorMode,
         normalise: Normalise, width: int) -> Text:
    """The tiles, labelled with their number (and an arrow when edge-like)."""
    tiles = np.nan_to_num(shown.tiles.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    scale, columns = fit(len(tiles), tiles.shape[-1], mode, width)
    labels = [edge_label(s) for s in scores] if scores else [str(i) for i in range(len(tiles))]
    return filter_grid(tiles, columns=columns, scale=scale, mode=mode, normalise=normalise,
                       labels=labels)


def key_to_colours(shown: Shown, mode: ColorMode, normalise: Normalise) -> Text:
    """The legend under the grid: the value range, and how tiles are scaled."""
    if shown.tiles.shape[1] == 3:
        return Text("shade = brightness of the RGB filter" if mode == "none" else
                    "colour = the filter's RGB weights, min-max scaled "
                    f"({'per filter' if normalise == 'filter' else 'over the layer'})",
                    style="dim")
    text = legend(*finite_range(shown.tiles), mode=mode)
    if normalise == "filter":
        text.append("\n(each tile is scaled to its own largest |w|; the bar shows the "
                    "layer's range; n: one scale)", style="dim")
    else:
        text.append("\n(one scale for every tile, so they compare; n: per tile)",
                    style="dim")
    return text


def scores_for(shown: Shown) -> list[EdgeScore] | None:
    return edge_scores_or_none(shown.tiles) if len(shown.tiles) else None


def summary(scores: Sequence[EdgeScore], label: str) -> str:
    """"21 of 32 filters are edge-like (|r| > 0.8)" (kernels, for a deeper layer)."""
    count = sum(s.edge_like for s in scores)
    noun = "filters" if label == "filter" else "input kernels"
    threshold = scores[0].threshold if scores else 0.8
    return f"{count} of {len(scores)} {noun} are edge-like (|r| > {threshold:g})"


def edge_table(shown: Shown, scores: list[EdgeScore] | None, width: int) -> Text:
    """Each tile's best edge orientation and fit, in as many columns as fit, then the
    summary line (or why there are no scores)."""
    if scores is None:
        reason = no_edge_scores(shown.tiles) if len(shown.tiles) else ""
        return Text(reason or "no edge scores for these weights", style="dim")
    digits = len(str(len(scores) - 1))
    cells = [_cell(s, digits) for s in scores]
    cell_w = digits + 10
    columns = max(1, min(len(cells), (width + EDGE_GAP) // (cell_w + EDGE_GAP)))
    head = f"{'#':>{digits}} dir   r  "
    text = Text((" " * EDGE_GAP).join([head] * columns).rstrip() + "\n", style="dim")
    for first in range(0, len(cells), columns):
        for j, cell in enumerate(cells[first:first + columns]):
            text.append(" " * EDGE_GAP if j else "")
            text.append_text(cell)
        text.append("\n")
    text.append(summary(scores, shown.tile_label), style="bold")
    scored = "the mean over its input channels" if shown.tiles.shape[1] > 1 else "its weights"
    text.append(f"\nEach {shown.tile_label} ({scored}) is correlated with edge templates at "
                "0, 45, ... 315°; dir points towards brighter, r is the best fit.",
                style="dim")
    return text


def section(shown: Shown | None, normalise: Normalise, mode: ColorMode, width: int,
            source: str) -> dict[str, Text]:
    """The texts of the view's parts: head, grid, legend, edges (``source``: which run)."""
    if shown is None:
        return {"head": Text(f"{source}: waiting for the first filters…"),
                "grid": Text(), "legend": Text(), "edges": Text()}
    head = header(shown, normalise).append(f"\n{source} · {KEYS_LINE}", style="dim")
    if not len(shown.tiles):
        return {"head": head, "grid": Text(shown.note), "legend": Text(), "edges": Text()}
    scores = scores_for(shown)
    return {"head": head, "grid": grid(shown, scores, mode, normalise, width),
            "legend": key_to_colours(shown, mode, normalise),
            "edges": edge_table(shown, scores, width)}


def _cell(score: EdgeScore, digits: int) -> Text:
    mark = EDGE_MARK if score.edge_like else " "
    return Text(f"{score.index:>{digits}} {ARROWS[score.angle]}  {score.r:.2f} {mark}",
                style="bold" if score.edge_like else "")
