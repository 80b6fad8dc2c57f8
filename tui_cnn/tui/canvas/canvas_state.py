"""The canvas's state: a float grid, a cursor, a square brush, paint/erase, clear, undo.

Pure Python + numpy (no Textual, no torch). Pixels are (C, H, W) float32 in [0, 1]:
28x28 grey (C=1) or 32x32 colour (C=3), bright ink on black. A brush of size s covers
the s x s square whose top-left pixel is ``(row - (s-1)//2, col - (s-1)//2)``; parts off
the canvas are dropped. Each stroke (press-drag-release, or one key press) is one undo step.
"""

from __future__ import annotations

import numpy as np

BRUSH_SIZES = (1, 2, 3)
UNDO_DEPTH = 64


class CanvasState:
    def __init__(self, height: int = 28, width: int = 28, channels: int = 1,
                 ink: tuple[float, ...] | None = None) -> None:
        if channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {channels}")
        self.pixels = np.zeros((channels, height, width), np.float32)
        self.ink = np.asarray(ink if ink is not None else (1.0,) * channels, np.float32)
        if self.ink.shape != (channels,):
            raise ValueError(f"ink needs {channels} values, got {self.ink.shape}")
        self.cursor = (height // 2, width // 2)
        self.brush = 2
        self._undo: list[np.ndarray] = []

    @property
    def shape(self) -> tuple[int, int, int]:
        c, h, w = self.pixels.shape
        return c, h, w

    @property
    def height(self) -> int:
        return self.shape[1]

    @property
    def width(self) -> int:
        return self.shape[2]

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def grey(self) -> np.ndarray:
        """The drawing as one 2-D plane (the channel mean), for MNIST-style preparation."""
        return self.pixels.mean(axis=0)

    # -- strokes ---------------------------------------------------------------------------
    def begin_stroke(self) -> None:
        """Remember the drawing so the stroke that starts now can be undone in one step."""
        self._undo.append(self.pixels.copy())
        del self._undo[:-UNDO_DEPTH]

    def _square(self, row: int, col: int) -> tuple[slice, slice]:
        half = (self.brush - 1) // 2
        top, left = row - half, col - half
        rows = slice(max(0, top), max(0, min(self.height, top + self.brush)))
        cols = slice(max(0, left), max(0, min(self.width, left + self.brush)))
        return rows, cols

    def paint(self, row: int, col: int, erase: bool = False) -> bool:
        """Paint (or erase) the brush at (row, col); True if any pixel changed."""
        rows, cols = self._square(row, col)
        region = self.pixels[:, rows, cols]
        if region.size == 0:
            return False
        value = np.zeros_like(self.ink) if erase else self.ink
        target = np.broadcast_to(value[:, None, None], region.shape)
        if np.array_equal(region, target):
            return False
        self.pixels[:, rows, cols] = target
        return True

    def paint_line(self, start: tuple[int, int], end: tuple[int, int],
                   erase: bool = False) -> bool:
        """Paint every pixel on the straight line from ``start`` to ``end`` (a fast drag)."""
        steps = max(abs(end[0] - start[0]), abs(end[1] - start[1]), 1)
        changed = False
        for t in np.linspace(0.0, 1.0, steps + 1):
            row = round(start[0] + t * (end[0] - start[0]))
            col = round(start[1] + t * (end[1] - start[1]))
            changed = self.paint(row, col, erase) or changed
        return changed

    def stamp(self, erase: bool = False) -> bool:
        """One key press: a stroke of one dab at the cursor (undoable on its own)."""
        self.begin_stroke()
        changed = self.paint(*self.cursor, erase=erase)
        if not changed:
            self._undo.pop()
        return changed

    # -- cursor and brush -------------------------------------------------------------------
    def move(self, rows: int, cols: int) -> None:
        row = min(self.height - 1, max(0, self.cursor[0] + rows))
        col = min(self.width - 1, max(0, self.cursor[1] + cols))
        self.cursor = (row, col)

    def set_brush(self, size: int) -> None:
        self.brush = min(BRUSH_SIZES[-1], max(BRUSH_SIZES[0], size))

    # -- whole drawing ----------------------------------------------------------------------
    def clear(self) -> bool:
        if not self.pixels.any():
            return False
        self.begin_stroke()
        self.pixels[:] = 0.0
        return True

    def undo(self) -> bool:
        if not self._undo:
            return False
        self.pixels = self._undo.pop()
        return True

    def load(self, pixels: np.ndarray) -> None:
        """Replace the drawing with ``pixels``: (C, H, W) or (H, W), uint8 or floats in
        [0, 1] (undoable). ValueError if the size does not match the canvas."""
        array = np.asarray(pixels)
        scale = 255.0 if array.dtype == np.uint8 else 1.0
        array = np.clip(array.astype(np.float32) / scale, 0.0, 1.0)
        if array.ndim == 2:
            array = np.repeat(array[None], self.shape[0], axis=0)
        if array.shape[1:] != self.shape[1:]:
            raise ValueError(f"expected a {self.height}x{self.width} image, got {array.shape}")
        if array.shape[0] != self.shape[0]:
            array = np.repeat(array.mean(axis=0, keepdims=True), self.shape[0], axis=0)
        self.begin_stroke()
        self.pixels = array.copy()
