"""The drawing canvas widget: mouse and keyboard drawing, the prepared input beside it,
the top-3 classes as bars and the first layer's feature maps.

Self-contained: the app gives it predictions with ``set_prediction`` and
``set_feature_maps`` and a picture with ``load``; the widget posts ``DrawingChanged``
whenever the drawing changes and never calls the app or imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tui_cnn.core.prepare import prepare
from tui_cnn.render.heatmap import ColorMode, rgb_image
from tui_cnn.render.overlay import overlay_rgb
from tui_cnn.tui.canvas.canvas_render import bars_text, drawing_text, maps_text
from tui_cnn.tui.canvas.canvas_state import CanvasState

HELP = "drag: draw\nright: erase\narrows, space\nx erase\n+/- brush\nc clear, u undo"


class DrawingChanged(Message):
    """The drawing changed: ``pixels`` (C, H, W) float32 in [0, 1] as drawn, and
    ``prepared``, the same MNIST-style prepared for a model of the canvas's shape."""

    def __init__(self, pixels: np.ndarray, prepared: np.ndarray) -> None:
        super().__init__()
        self.pixels = pixels
        self.prepared = prepared


class DrawingPad(Static):
    """The pixels; turns mouse presses and drags into strokes on its parent's state."""

    def __init__(self, canvas: CanvasView, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.canvas = canvas
        self._last: tuple[int, int] | None = None
        self._erase = False

    def _pixel(self, event: events.MouseEvent) -> tuple[int, int] | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        row, col = 2 * offset.y, offset.x  # a cell is one pixel wide, two pixels tall
        state = self.canvas.state
        if not (0 <= row < state.height and 0 <= col < state.width):
            return None
        return row, col

    def on_mouse_down(self, event: events.MouseDown) -> None:
        pixel = self._pixel(event)
        if pixel is None:
            return
        self.capture_mouse()
        self._erase = event.button == 3
        self._last = pixel
        self.canvas.state.begin_stroke()
        self.canvas.cell_stroke(pixel, pixel, self._erase)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._last is None:
            return
        pixel = self._pixel(event)
        if pixel is not None and pixel != self._last:
            self.canvas.cell_stroke(self._last, pixel, self._erase)
            self._last = pixel

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._last is not None:
            self.release_mouse()
        self._last = None


class CanvasView(Widget, can_focus=True):
    """Draw on a 28x28 grey (or 32x32 colour) canvas and see it classified live."""

    DEFAULT_CSS = """
    CanvasView { height: 1fr; overflow-y: auto; scrollbar-size-vertical: 1; }
    CanvasView #canvas-row { height: auto; }
    CanvasView DrawingPad, CanvasView #canvas-prepared {
        width: auto; height: auto; border: round $primary; padding: 0;
    }
    CanvasView #canvas-side { width: 1fr; height: auto; padding: 0 1; }
    CanvasView #canvas-maps { height: auto; }
    CanvasView #canvas-help { color: $text-muted; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", "up", show=False),
        Binding("down", "move(1, 0)", "down", show=False),
        Binding("left", "move(0, -1)", "left", show=False),
        Binding("right", "move(0, 1)", "right", show=False),
        Binding("space", "stamp(False)", "paint", show=False),
        Binding("x", "stamp(True)", "erase", show=False),
        Binding("plus,equals_sign", "brush(1)", "brush+", show=False),
        Binding("minus", "brush(-1)", "brush-", show=False),
        Binding("c", "clear", "clear", show=False),
        Binding("u", "undo", "undo", show=False),
    ]

    def __init__(self, shape: tuple[int, int, int] = (1, 28, 28),
                 color_mode: ColorMode = "truecolor", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        channels, height, width = shape
        self.state = CanvasState(height, width, channels)
        self.color_mode: ColorMode = color_mode
        self.top: tuple[tuple[str, float], ...] = ()
        self.maps: np.ndarray | None = None
        self.attribution: tuple[np.ndarray, str] | None = None  # (H, W) map over "prepared"

    def compose(self) -> ComposeResult:
        with Horizontal(id="canvas-row"):
            yield DrawingPad(self, id="canvas-pad")
            yield Static(id="canvas-prepared")
            with Vertical(id="canvas-side"):
                yield Static(id="canvas-top")
                yield Static(id="canvas-status")
                yield Static(HELP, id="canvas-help")
        yield Static(id="canvas-maps")

    def on_mount(self) -> None:
        pad = self.query_one(DrawingPad)
        pad.border_title = "draw"
        self.query_one("#canvas-prepared", Static).border_title = "prepared"
        self._refresh_all()

    # -- what the app calls ----------------------------------------------------------------
    def prepared(self) -> np.ndarray:
        """The drawing prepared MNIST-style for a model of the canvas's shape."""
        return prepare(self.state.grey() if self.state.shape[0] == 1 else self.state.pixels,
                       self.state.shape)

    def set_prediction(self, top: Sequence[tuple[str, float]]) -> None:
        """Show the top classes (name, probability), best first, as bars."""
        self.top = tuple((str(n), float(p)) for n, p in top)[:3]
        self.query_one("#canvas-top", Static).update(bars_text(self.top))

    def set_feature_maps(self, maps: np.ndarray | None) -> None:
        """Show the first layer's feature maps (N, H, W) for the current drawing."""
        self.maps = None if maps is None else np.asarray(maps, np.float32)
        self.query_one("#canvas-maps", Static).update(maps_text(self.maps, self.color_mode))

    def set_attribution(self, values: np.ndarray | None, label: str = "") -> None:
        """Draw ``values`` (H, W) in [0, 1] (saliency, Grad-CAM) over the prepared input;
        None shows the prepared input alone. A new stroke clears it until the next one."""
        self.attribution = None if values is None else (np.asarray(values, np.float32), label)
        self._refresh_prepared()

    def load(self, pixels: np.ndarray) -> None:
        """Put a picture (e.g. a test image) on the canvas to edit it."""
        self.state.load(pixels)
        self._changed()

    # -- drawing ---------------------------------------------------------------------------
    def cell_stroke(self, start: tuple[int, int], end: tuple[int, int], erase: bool) -> None:
        """Paint from ``start`` to ``end``; each mouse cell covers its two pixel rows."""
        changed = self.state.paint_line(start, end, erase)
        if end[0] + 1 < self.state.height:
            below = (start[0] + 1, start[1]), (end[0] + 1, end[1])
            changed = self.state.paint_line(*below, erase) or changed
        if changed:
            self._changed()

    def action_move(self, rows: int, cols: int) -> None:
        self.state.move(rows, cols)
        self._refresh_pad()

    def action_stamp(self, erase: bool) -> None:
        if self.state.stamp(erase):
            self._changed()

    def action_brush(self, step: int) -> None:
        self.state.set_brush(self.state.brush + step)
        self._refresh_status()

    def action_clear(self) -> None:
        if self.state.clear():
            self._changed()

    def action_undo(self) -> None:
        if self.state.undo():
            self._changed()

    # -- showing ---------------------------------------------------------------------------
    def _changed(self) -> None:
        self.attribution = None  # it explained the drawing before this change
        prepared = self.prepared()
        self._refresh_all(prepared)
        self.post_message(DrawingChanged(self.state.pixels.copy(), prepared))

    def _refresh_pad(self) -> None:
        self.query_one(DrawingPad).update(
            drawing_text(self.state.pixels, self.state.cursor, self.color_mode))

    def _refresh_status(self) -> None:
        ink = int((self.state.pixels.max(axis=0) > 0).sum())
        row, col = self.state.cursor
        self.query_one("#canvas-status", Static).update(
            f"brush {self.state.brush} @{row},{col}\n{ink} pixels inked")

    def _refresh_all(self, prepared: np.ndarray | None = None) -> None:
        self._refresh_pad()
        self._refresh_prepared(prepared)
        self._refresh_status()
        self.query_one("#canvas-top", Static).update(bars_text(self.top))
        self.query_one("#canvas-maps", Static).update(maps_text(self.maps, self.color_mode))

    def _refresh_prepared(self, prepared: np.ndarray | None = None) -> None:
        shown = self.prepared() if prepared is None else prepared
        box = self.query_one("#canvas-prepared", Static)
        if self.attribution is None or self.attribution[0].shape != shown.shape[1:]:
            box.border_title = "prepared"
            box.update(rgb_image(shown, mode=self.color_mode))
            return
        values, label = self.attribution
        box.border_title = f"prepared+{label}" if label else "prepared"
        box.update(rgb_image(overlay_rgb(shown, values), mode=self.color_mode))
