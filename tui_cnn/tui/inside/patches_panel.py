"""Top patches of one conv channel: tiles with their activation values, and the layer's
edge/corner summary. Fed through ``show_patches``; ``step_channel`` moves between channels
and posts ``ChannelShown`` so the view can keep its keys' state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from tui_cnn.render.heatmap import ColorMode, heatmap_size, rgb_image
from tui_cnn.render.tile_grids import tile_grid
from tui_cnn.tui.inside.state import Cursor, channel_caption, columns_for, tile_scale

EMPTY = "No top patches yet: pick a saved run with a conv layer."


@dataclass
class ChannelShown(Message):
    layer: str
    channel: int


@dataclass(frozen=True)
class PatchesData:
    name: str  # e.g. "conv2"
    tiles: np.ndarray  # (C, K, C_in, rf, rf) uint8
    values: np.ndarray  # (C, K)
    kinds: Sequence[str]  # (C,) edge / corner / flat
    angles: np.ndarray  # (C,)
    coherence: np.ndarray  # (C,)
    summary: str


class TopPatchesPanel(Static):
    DEFAULT_CSS = "TopPatchesPanel { height: auto; }"

    def __init__(self, mode: ColorMode = "truecolor", **kwargs: object) -> None:
        super().__init__(EMPTY, **kwargs)  # type: ignore[arg-type]
        self.mode: ColorMode = mode
        self.data: PatchesData | None = None
        self.cursor = Cursor()
        self.grid = False  # every channel's best patch instead of one channel's top K

    def show_patches(self, data: PatchesData, channel: int = 0) -> None:
        self.data = data
        self.cursor = Cursor(0, len(data.values)).step(channel)
        self._draw()

    def step_channel(self, delta: int) -> None:
        if self.data is None:
            return
        self.cursor = self.cursor.step(delta)
        self._draw()
        self.post_message(ChannelShown(self.data.name, self.cursor.index))

    def show_grid(self, grid: bool) -> None:
        self.grid = grid
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def grid_picture(self, d: PatchesData, width: int) -> RenderableType:
        """Every channel's most exciting patch, labelled with the channel's number."""
        c, _k, _cin, rf, _ = d.tiles.shape
        scale = tile_scale(rf, min(c, 8), width, self.mode, most=2)
        tile_w = heatmap_size(rf, rf, scale=scale, mode=self.mode)[0]
        tiles = [rgb_image(d.tiles[ch, 0], mode=self.mode, scale=scale) for ch in range(c)]
        grid = tile_grid(tiles, tile_w, columns=columns_for(tile_w, c, width),
                         labels=[str(ch)[:tile_w] for ch in range(c)])
        head = f"{d.name}: each of its {c} channels' most exciting test patch"
        return Group(Text(head, style="bold"), grid, Text(d.summary))

    def picture(self, width: int) -> RenderableType:
        d = self.data
        if d is None:
            return Text(EMPTY)
        if self.grid:
            return self.grid_picture(d, width)
        ch, (_c, k, _cin, rf, _) = self.cursor.index, d.tiles.shape
        scale = tile_scale(rf, min(k, 5), width, self.mode)
        tile_w = heatmap_size(rf, rf, scale=scale, mode=self.mode)[0]
        tiles = [rgb_image(d.tiles[ch, j], mode=self.mode, scale=scale) for j in range(k)]
        labels = [f"{d.values[ch, j]:.3g}"[:tile_w] for j in range(k)]
        grid = tile_grid(tiles, tile_w, columns=columns_for(tile_w, k, width), labels=labels)
        caption = channel_caption(d.name, ch, len(d.values), d.kinds[ch],
                                  float(d.angles[ch]), float(d.coherence[ch]))
        return Group(Text(caption, style="bold"), grid, Text(d.summary))

    def _draw(self) -> None:
        self.update(self.picture(max(20, self.size.width or 80)))
