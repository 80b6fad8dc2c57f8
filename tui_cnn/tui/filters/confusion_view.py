"""The test set's confusion matrix as a grid of counts with a cursor, and the images of the
selected (true, predicted) cell.

Rows are true classes, columns predicted ones. Arrow keys (when focused) or a click move
the cursor; the view shows the misclassified images of that pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from tui_cnn.core.inspect import confusion_matrix, misclassified
from tui_cnn.render.heatmap import ColorMode, colormap_rgb, heatmap_size, nearest_xterm, rgb_image
from tui_cnn.tui.filters.activations_render import shrink

NAME_CELLS = 10
SHOW_IMAGES = 8
LIST_INDICES = 24


def cell_style(fraction: float, diagonal: bool, mode: ColorMode) -> Style:
    """A cell's colour: the share of its row (sqrt, so that small confusions show),
    on the sequential map; bold on the diagonal. No colour: bold for non-zero."""
    if mode == "none":
        return Style(bold=diagonal or fraction > 0, dim=fraction == 0)
    table = colormap_rgb("sequential")
    r, g, b = (int(v) for v in table[int(round(np.sqrt(fraction) * (len(table) - 1)))])
    fg = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white"
    if mode == "256":
        return Style(color=fg, bgcolor=f"color({int(nearest_xterm(np.array([r, g, b])))})",
                     bold=diagonal)
    return Style(color=fg, bgcolor=f"rgb({r},{g},{b})", bold=diagonal)


@dataclass(frozen=True)
class Geometry:
    """Where the cells are in the rendered text: a header line, then one line per row."""

    label_cells: int
    cell_cells: int

    def cell_at(self, x: int, y: int, classes: int) -> tuple[int, int] | None:
        row, col = y - 1, (x - self.label_cells) // self.cell_cells
        inside = x >= self.label_cells and 0 <= row < classes and 0 <= col < classes
        return (row, col) if inside else None


def class_name(index: int, classes: Sequence[str]) -> str:
    return classes[index] if index < len(classes) else str(index)


def row_label(index: int, classes: Sequence[str], cells: int) -> str:
    name = class_name(index, classes)
    label = str(index) if name == str(index) else f"{index} {name}"
    return label[: cells - 1].ljust(cells)


def layout(counts: np.ndarray, classes: Sequence[str], width: int) -> Geometry:
    """Class names and roomy cells where they fit ``width``, else numbers and tight cells."""
    k = len(counts)
    digits = max(2, len(str(int(counts.max(initial=0)))))
    names = max((len(row_label(i, classes, 99).rstrip()) for i in range(k)), default=1)
    roomy = Geometry(max(4, min(NAME_CELLS, names) + 1), digits + 2)
    if roomy.label_cells + k * roomy.cell_cells <= width:
        return roomy
    return Geometry(len(str(k - 1)) + 1, digits + 1)


def matrix_text(counts: np.ndarray, classes: Sequence[str], cursor: tuple[int, int] | None,
                mode: ColorMode, width: int) -> tuple[Text, Geometry]:
    geometry = layout(counts, classes, width)
    label, cell, k = geometry.label_cells, geometry.cell_cells, len(counts)
    corner = "t\\p" if label >= 4 else ""
    text = Text(corner.ljust(label), style="dim", no_wrap=True, overflow="crop")
    text.append("".join(str(j).rjust(cell - 1) + " " for j in range(k)), style="bold")
    totals = counts.sum(axis=1)
    for i in range(k):
        text.append("\n" + row_label(i, classes, label), style="bold")
        for j in range(k):
            share = counts[i, j] / totals[i] if totals[i] else 0.0
            style = cell_style(float(share), i == j, mode)
            if cursor == (i, j):
                style += Style(reverse=True, bold=True, underline=True)
            text.append(str(int(counts[i, j])).rjust(cell - 1) + " ", style)
    return text, geometry


def pair_text(labels: np.ndarray, predicted: np.ndarray, cell: tuple[int, int],
              classes: Sequence[str], images: np.ndarray | None, mode: ColorMode,
              width: int) -> Text:
    """The selected cell: how many images, their numbers, and the first few pictures."""
    true, pred = cell
    found = misclassified(labels, predicted, true, pred)
    what = ("correctly classified as" if true == pred else "predicted as")
    text = Text(f"true {class_name(true, classes)}, {what} {class_name(pred, classes)}: "
                f"{len(found):,} image"
                f"{'' if len(found) == 1 else 's'}", style="bold")
    if not len(found):
        return text
    listed = " ".join(f"#{i}" for i in found[:LIST_INDICES].tolist())
    more = f" … and {len(found) - LIST_INDICES:,} more" if len(found) > LIST_INDICES else ""
    text.append(f"\ntest images {listed}{more}")
    if images is not None and len(images) == len(labels):
        text.append("\n")
        text.append_text(thumbnails(images[found[:SHOW_IMAGES]], found[:SHOW_IMAGES], mode,
                                    width))
    return text


def thumbnails(images: np.ndarray, indices: np.ndarray, mode: ColorMode, width: int) -> Text:
    """Images at half size in a row (as many as fit), each numbered below."""
    small = np.rint(shrink(images, 2 if mode != "none" else 4)).astype(np.uint8)
    tile_w = heatmap_size(*small.shape[2:], mode=mode)[0]
    fits = max(1, min(len(small), (width + 1) // (tile_w + 1)))
    tiles = [rgb_image(img, mode=mode).split("\n", allow_blank=True) for img in small[:fits]]
    out = Text(no_wrap=True, overflow="crop")
    for line in range(len(tiles[0])):
        out.append_text(Text(" ").join(tile[line] for tile in tiles))
        out.append("\n")
    out.append(" ".join(f"#{i}"[:tile_w].ljust(tile_w) for i in indices[:fits].tolist()))
    return out


class ConfusionMatrix(Static, can_focus=True):
    """The counts; ``cursor`` is the selected (true, predicted) cell."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Cell up", show=False),
        Binding("down", "move(1, 0)", "Cell down", show=False),
        Binding("left", "move(0, -1)", "Cell left", show=False),
        Binding("right", "move(0, 1)", "Cell right", show=False),
    ]

    @dataclass
    class CellSelected(Message):
        cell: tuple[int, int]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.counts: np.ndarray | None = None
        self.chosen: tuple[int, int] | None = None  # by the user; None: the worst cell
        self.geometry = Geometry(0, 1)

    @property
    def cursor(self) -> tuple[int, int] | None:
        """The selected cell: the user's choice, else the most frequent confusion."""
        if self.counts is None:
            return None
        if self.chosen is not None and max(self.chosen) < len(self.counts):
            return self.chosen
        return self._worst_cell()

    def show(self, labels: np.ndarray, predicted: np.ndarray, classes: Sequence[str],
             mode: ColorMode, width: int) -> None:
        k = max(len(classes), int(max(labels.max(initial=0), predicted.max(initial=0))) + 1)
        self.counts = confusion_matrix(labels, predicted, k)
        text, self.geometry = matrix_text(self.counts, classes, self.cursor, mode, width)
        self.update(text)

    def _worst_cell(self) -> tuple[int, int]:
        """The most frequent confusion (or the first cell when there is none)."""
        assert self.counts is not None
        off = self.counts - np.diag(np.diag(self.counts))
        if off.max(initial=0) == 0:
            return (0, 0)
        i, j = np.unravel_index(int(np.argmax(off)), off.shape)
        return (int(i), int(j))

    def select(self, cell: tuple[int, int]) -> None:
        self.chosen = cell
        self.post_message(self.CellSelected(cell))

    def action_move(self, rows: int, cols: int) -> None:
        if self.counts is None or self.cursor is None:
            return
        k = len(self.counts)
        self.select(((self.cursor[0] + rows) % k, (self.cursor[1] + cols) % k))

    def on_click(self, event: Click) -> None:
        if self.counts is None:
            return
        offset = event.get_content_offset(self)
        cell = offset and self.geometry.cell_at(offset.x, offset.y, len(self.counts))
        if cell:
            self.select(cell)
