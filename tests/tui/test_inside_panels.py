"""The inside panels, each mounted alone in a tiny app at 80x24, fed known arrays."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from tests.tui.helpers import screen_text
from tui_cnn.tui.inside.attribution_panel import AttributionData, AttributionPanel
from tui_cnn.tui.inside.embedding_panel import EmbeddingData, EmbeddingPanel
from tui_cnn.tui.inside.patches_panel import ChannelShown, PatchesData, TopPatchesPanel
from tui_cnn.tui.inside.state import Cursor, accuracy_lines, channel_caption, tile_scale

SIZE = (80, 24)


class Holder(App[None]):
    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget
        self.seen: list[Any] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_channel_shown(self, message: ChannelShown) -> None:
        self.seen.append((message.layer, message.channel))


def text_of(widget: TopPatchesPanel | AttributionPanel) -> str:
    """What the panel draws at its current width, as plain text."""
    from rich.console import Console

    console = Console(width=80, record=True, color_system=None, file=io.StringIO())
    console.print(widget.picture(widget.size.width))
    return console.export_text()


def patches() -> PatchesData:
    tiles = np.zeros((3, 4, 1, 3, 3), np.uint8)
    tiles[0, :, 0, :, 1] = 255  # channel 0: vertical bars
    values = np.array([[4.0, 3.0, 2.0, 1.0], [9, 8, 7, 6], [0.5, 0.4, 0.3, 0.2]])
    return PatchesData("conv1", tiles, values, ["edge", "corner", "flat"],
                       np.array([0.0, 45.0, np.nan]), np.array([1.0, 0.1, np.nan]),
                       "conv1: 1 of 3 channels' top-4 patches share one orientation")


async def test_the_patches_panel_steps_channels_and_says_so() -> None:
    panel = TopPatchesPanel(mode="none")
    app = Holder(panel)
    async with app.run_test(size=SIZE) as pilot:
        assert "No top patches yet" in text_of(panel)
        panel.show_patches(patches())
        await pilot.pause()
        shown = text_of(panel)
        assert "conv1 channel 0 of 3: edge 0° (coherence 1.00)" in shown
        # 4 tiles of a 3x3 vertical bar at scale 3 in shades (2 characters a pixel): 9 rows of
        # 6 blanks, 6 full blocks, 6 blanks each
        bar_row = " ".join(["      ██████      "] * 4)
        assert shown.count(bar_row) == 9
        assert "4" in shown and "1 of 3 channels" in shown
        panel.step_channel(-1)
        await pilot.pause()
        assert "conv1 channel 2 of 3: flat" in text_of(panel)
        assert app.seen == [("conv1", 2)]


async def test_the_attribution_panel_draws_image_maps_and_legend() -> None:
    panel = AttributionPanel(mode="truecolor")
    app = Holder(panel)
    image = np.zeros((1, 28, 28), np.uint8)
    heat = np.zeros((28, 28))
    heat[:14, :14] = 1.0
    async with app.run_test(size=SIZE) as pilot:
        panel.show_maps(AttributionData(image, [("predicted 7", heat), ("true 1", heat)],
                                        False, "image 3: true 1, predicted 7 - saliency"))
        await pilot.pause()
        shown = text_of(panel)
        assert "image 3: true 1, predicted 7" in shown
        # 80 columns: two 28-wide maps (drawn over the image) fit a row, a third does not,
        # so the plain image is left out
        labels = shown.split("\n")[1]
        assert "predicted 7" in labels and "true 1" in labels and "image" not in labels
        assert shown.count("▀") == 2 * 28 * 14
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "image" in text_of(panel).split("\n")[1]


async def test_the_embedding_panel_plots_and_lists_accuracy() -> None:
    panel = EmbeddingPanel()
    app = Holder(panel)
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(-3, 0.3, (50, 2)), rng.normal(3, 0.3, (50, 2))])
    data = EmbeddingData(points, np.repeat([0, 1], 50), ("zero", "one"),
                         np.array([0.98, 1.0]), np.array([50, 50]), "fc2 input: PCA")
    async with app.run_test(size=SIZE) as pilot:
        panel.show_embedding(data)
        await pilot.pause()
        screen = screen_text(app)
        assert "0 zero  98.0% of 50" in screen and "1 one  100.0% of 50" in screen
        assert "fc2 input: PCA" in screen
        assert panel.query_one("#accuracy", Static).size.width >= 18


def test_state_helpers() -> None:
    assert Cursor(0, 3).step(-1).index == 2 and Cursor(2, 3).step(1).index == 0
    assert Cursor(5, 9).resized(3) == Cursor(2, 3)
    # 9 tiles of 3 pixels: scale 3 needs 9 * 10 - 1 = 89 cells, scale 2 needs 62
    assert tile_scale(3, 9, 80, "truecolor") == 2
    assert tile_scale(3, 9, 89, "truecolor") == 3
    caption = channel_caption("conv2", 1, 4, "flat", float("nan"), float("nan"))
    assert caption == "conv2 channel 1 of 4: flat (no gradient in its top patches)"
    assert accuracy_lines(("a",), np.array([np.nan]), np.array([0])) == ["a      -"]
    assert Cursor(0, 0).step(1) == Cursor(0, 0)


def test_the_panels_and_commands_do_not_import_torch() -> None:
    import subprocess
    import sys

    code = ("import sys, tui_cnn.tui.inside.patches_panel, tui_cnn.tui.inside.attribution_panel,"
            " tui_cnn.tui.inside.embedding_panel, tui_cnn.commands.inside, "
            "tui_cnn.commands.explain, tui_cnn.commands.embed; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


# ---- snapshots: regenerate with --snapshot-update and commit them ------------------------


def _snapshot_app(kind: str) -> Holder:
    """A panel fed fixed arrays (the same picture every time)."""
    rng = np.random.default_rng(0)
    if kind == "patches":
        panel: Widget = TopPatchesPanel(mode="truecolor")
        data = patches()
        tiles = rng.integers(0, 256, (3, 9, 1, 8, 8)).astype(np.uint8)
        tiles[0, :, 0, :, 3:5] = 255
        feed = PatchesData("conv2", tiles, np.sort(rng.random((3, 9)))[:, ::-1] * 3,
                           data.kinds, data.angles, data.coherence,
                           "conv2: 1 of 3 channels' top-9 patches share one orientation")
        app = Holder(panel)
        app.call_after_refresh(lambda: panel.show_patches(feed))  # type: ignore[attr-defined]
        return app
    if kind == "attribution":
        panel = AttributionPanel(mode="truecolor")
        image = np.zeros((1, 28, 28), np.uint8)
        image[0, 6:22, 12:16] = 255
        yy, xx = np.mgrid[:28, :28]
        heat = np.exp(-((yy - 10) ** 2 + (xx - 14) ** 2) / 30.0)
        attribution = AttributionData(image, [("predicted 1", heat), ("true 7", heat[::-1])],
                                      False, "image 3: true 7, predicted 1 (61%) - gradcam")
        app = Holder(panel)
        app.call_after_refresh(lambda: panel.show_maps(attribution))  # type: ignore[attr-defined]
        return app
    panel = EmbeddingPanel()
    points = np.vstack([rng.normal(c, 0.5, (40, 2)) for c in (-3, 0, 3)])
    embedding = EmbeddingData(points, np.repeat([0, 1, 2], 40), ("zero", "one", "two"),
                              np.array([0.95, 1.0, 0.9]), np.array([40, 40, 40]),
                              "fc2 input after epoch 2 (PCA)")
    app = Holder(panel)
    app.call_after_refresh(lambda: panel.show_embedding(embedding))  # type: ignore[attr-defined]
    return app


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("kind", ["patches", "attribution", "embedding"])
def test_panel_snapshots(snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch,
                         kind: str, size: tuple[int, int]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert snap_compare(_snapshot_app(kind), terminal_size=size)
