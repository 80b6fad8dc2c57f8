"""The drawing canvas: its state by hand, then the widget driven by Pilot mouse and keys.

Regenerate the snapshots with ``pytest tests/tui/test_canvas.py --snapshot-update``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from tui_cnn.core.prepare import bounding_box
from tui_cnn.tui.canvas.canvas_state import CanvasState
from tui_cnn.tui.canvas.canvas_view import CanvasView, DrawingChanged, DrawingPad


def test_brush_paints_exact_squares_and_undo_steps_back() -> None:
    state = CanvasState()
    state.set_brush(3)
    state.begin_stroke()
    assert state.paint(10, 10)
    assert bounding_box(state.pixels[0]) == (9, 9, 12, 12) and state.pixels.sum() == 9
    state.set_brush(2)
    state.paint(0, 0)  # the part off the canvas is dropped: 2x2 top-left at (0, 0)
    assert state.pixels[0, :2, :2].sum() == 4 and state.pixels.sum() == 13
    state.set_brush(1)
    state.begin_stroke()
    assert state.paint_line((20, 0), (20, 9))  # a drag: every pixel on the way
    assert state.pixels[0, 20].sum() == 10
    assert not state.paint(20, 5)  # already inked: no change
    assert state.paint(20, 5, erase=True) and state.pixels[0, 20].sum() == 9
    assert state.undo() and state.pixels.sum() == 13  # the whole second stroke
    assert state.clear() and not state.pixels.any()
    assert state.undo() and state.pixels.sum() == 13
    assert state.undo() and not state.pixels.any() and not state.can_undo


def test_cursor_brush_limits_and_load() -> None:
    state = CanvasState(32, 32, 3, ink=(1.0, 0.0, 0.0))
    state.move(-100, 100)
    assert state.cursor == (0, 31)
    state.set_brush(9)
    assert state.brush == 3
    assert state.stamp() and state.pixels[0].sum() == 4 and state.pixels[1].sum() == 0
    image = np.zeros((32, 32), np.uint8)
    image[5, 6] = 255
    state.load(image)
    assert state.pixels[:, 5, 6].tolist() == [1.0, 1.0, 1.0] and state.pixels.sum() == 3
    with pytest.raises(ValueError, match="32x32"):
        state.load(np.zeros((28, 28)))


class CanvasApp(App[None]):
    """The canvas alone, answering each drawing as an app would (here: by ink count)."""

    def __init__(self, shape: tuple[int, int, int] = (1, 28, 28)) -> None:
        super().__init__()
        self.shape = shape
        self.changes: list[DrawingChanged] = []

    def compose(self) -> ComposeResult:
        yield CanvasView(self.shape)

    def on_drawing_changed(self, message: DrawingChanged) -> None:
        self.changes.append(message)
        inked = float((message.pixels > 0).mean())
        self.query_one(CanvasView).set_prediction([("inky", inked), ("blank", 1 - inked)])


def _shown(app: App[None], selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_mouse_drag_paints_and_right_button_erases() -> None:
    app = CanvasApp()
    async with app.run_test(size=(120, 40)) as pilot:
        canvas = app.query_one(CanvasView)
        # the pad has a border: content cell (x, y) is at offset (x + 1, y + 1)
        await pilot.mouse_down(DrawingPad, offset=(5, 3))
        for x in range(6, 15):
            await pilot.hover(DrawingPad, offset=(x, 3))
        await pilot.mouse_up(DrawingPad, offset=(14, 3))
        await pilot.pause()
        ink = canvas.state.pixels[0]
        # cells x 4..13 on row 2 = pixel columns 4..13; brush 2 covers rows 4..5 (and the
        # cell's lower pixel row 5 .. 6): rows 4 to 6
        assert bounding_box(ink) == (4, 4, 7, 15)
        assert app.changes and np.array_equal(app.changes[-1].pixels, canvas.state.pixels)
        assert app.changes[-1].prepared.shape == (1, 28, 28)
        assert bounding_box(app.changes[-1].prepared[0]) is not None
        before = int(ink.sum())
        await pilot.mouse_down(DrawingPad, offset=(8, 3), button=3)
        await pilot.mouse_up(DrawingPad, offset=(8, 3))
        await pilot.pause()
        assert int(canvas.state.pixels.sum()) < before
        assert "inky" in _shown(app, "#canvas-top") and "%" in _shown(app, "#canvas-top")


async def test_keyboard_draws_and_undo_clear_work() -> None:
    app = CanvasApp()
    async with app.run_test(size=(120, 40)) as pilot:
        canvas = app.query_one(CanvasView)
        canvas.focus()
        await pilot.press("minus", "minus")  # brush 1
        assert canvas.state.brush == 1 and "brush 1 @14,14" in _shown(app, "#canvas-status")
        await pilot.press("space", "right", "space", "right", "space")
        assert canvas.state.pixels.sum() == 3 and canvas.state.pixels[0, 14, 14:17].all()
        assert "3 pixels inked" in _shown(app, "#canvas-status")
        await pilot.press("x")
        assert canvas.state.pixels.sum() == 2
        await pilot.press("u")
        assert canvas.state.pixels.sum() == 3
        await pilot.press("c")
        assert not canvas.state.pixels.any()
        await pilot.press("u", "plus", "plus", "plus")
        assert canvas.state.pixels.sum() == 3 and canvas.state.brush == 3
        assert len(app.changes) == 7  # 3 dabs, erase, undo, clear, undo


async def test_load_and_feature_maps_are_shown() -> None:
    app = CanvasApp((3, 32, 32))
    async with app.run_test(size=(120, 40)) as pilot:
        canvas = app.query_one(CanvasView)
        picture = np.zeros((3, 32, 32), np.float32)
        picture[0, 8:24, 8:24] = 1.0
        canvas.load(picture)
        await pilot.pause()
        assert np.array_equal(canvas.state.pixels, picture) and len(app.changes) == 1
        canvas.set_feature_maps(np.random.default_rng(0).random((8, 32, 32)))
        await pilot.pause()
        assert "map 1" in _shown(app, "#canvas-maps") and "map 4" in _shown(app, "#canvas-maps")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare: object, size: tuple[int, int], tmp_path: Path) -> None:
    async def draw(pilot: object) -> None:
        from textual.pilot import Pilot

        assert isinstance(pilot, Pilot)
        await pilot.mouse_down(DrawingPad, offset=(10, 2))
        for y in range(3, 12):
            await pilot.hover(DrawingPad, offset=(10 + (y - 2) // 3, y))
        await pilot.mouse_up(DrawingPad, offset=(13, 11))
        app = pilot.app
        app.query_one(CanvasView).set_feature_maps(
            np.stack([np.eye(28) * (i + 1) for i in range(8)]))
        await pilot.pause()

    assert snap_compare(CanvasApp(), terminal_size=size, run_before=draw)  # type: ignore[operator]


class PredictingApp(CanvasApp):
    """The canvas wired to a real saved run, as the app's worker would do it."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        from tui_cnn.core.predict import load_predictor

        self.predictor = load_predictor(run_dir)

    def on_drawing_changed(self, message: DrawingChanged) -> None:
        message.prevent_default()  # not CanvasApp's ink-count answer as well
        self.changes.append(message)
        result = self.predictor.predict(message.prepared, top=3)[0]
        canvas = self.query_one(CanvasView)
        canvas.set_prediction(result.top)
        canvas.set_feature_maps(result.feature_maps)


@pytest.mark.slow
async def test_prediction_follows_the_strokes(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.imagefolder import write_folder
    from tui_cnn.core.config import TrainConfig, preset
    from tui_cnn.core.datasets import ENV_CACHE_DIR
    from tui_cnn.core.events import RunStarted
    from tui_cnn.core.train import run

    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    cfg = TrainConfig(arch=preset("cnn-small"), dataset="folder", epochs=2, batch_size=16,
                      data_dir=str(write_folder(tmp_path / "shapes", per_class=50)),
                      threads=1, seed=1, runs_dir=str(tmp_path / "runs"))
    started = next(e for e in list(run(cfg)) if isinstance(e, RunStarted))
    app = PredictingApp(Path(started.run_dir or ""))
    async with app.run_test(size=(120, 40)) as pilot:
        canvas = app.query_one(CanvasView)
        await pilot.mouse_down(DrawingPad, offset=(7, 7))  # a horizontal stroke
        for x in range(8, 23):
            await pilot.hover(DrawingPad, offset=(x, 7))
        await pilot.mouse_up(DrawingPad, offset=(22, 7))
        await pilot.pause()
        assert canvas.top[0][0] == "hbar", canvas.top
        assert "hbar" in _shown(app, "#canvas-top").splitlines()[0]
        assert "map 8" in _shown(app, "#canvas-maps")
        await pilot.press("c")
        await pilot.mouse_down(DrawingPad, offset=(14, 2))  # a vertical stroke
        for y in range(3, 13):
            await pilot.hover(DrawingPad, offset=(14, y))
        await pilot.mouse_up(DrawingPad, offset=(14, 12))
        await pilot.pause()
        assert canvas.top[0][0] == "vbar", canvas.top
