"""Where the model looks: a test image and its attribution maps drawn over it, with a
legend. Fed through ``show_maps``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets import Static

from tui_cnn.render.heatmap import ColorMode, heatmap, heatmap_size, legend, rgb_image
from tui_cnn.render.overlay import overlay_rgb
from tui_cnn.render.palette import Cmap
from tui_cnn.render.tile_grids import tile_grid
from tui_cnn.tui.inside.state import columns_for, tile_scale

EMPTY = "No attribution yet: pick a saved run and a test image."


@dataclass(frozen=True)
class AttributionData:
    image: np.ndarray  # (C, H, W) uint8
    maps: Sequence[tuple[str, np.ndarray]]  # (title, (H, W) map normalised to [0,1]/[-1,1])
    signed: bool  # maps in [-1, 1] (occlusion)
    caption: str  # e.g. "image 7: true 9, predicted 9 (95%) - saliency"


class AttributionPanel(Static):
    DEFAULT_CSS = "AttributionPanel { height: auto; }"

    def __init__(self, mode: ColorMode = "truecolor", **kwargs: object) -> None:
        super().__init__(EMPTY, **kwargs)  # type: ignore[arg-type]
        self.mode: ColorMode = mode
        self.data: AttributionData | None = None

    def show_maps(self, data: AttributionData) -> None:
        self.data = data
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _tile(self, values: np.ndarray, scale: int) -> Text:
        assert self.data is not None
        cmap: Cmap = "diverging" if self.data.signed else "sequential"
        if self.mode == "none":
            return heatmap(values, cmap=cmap, vmin=-1.0 if self.data.signed else 0.0,
                           vmax=1.0, mode="none", scale=scale)
        return rgb_image(overlay_rgb(self.data.image, values, cmap=cmap), mode=self.mode,
                         scale=scale)

    def picture(self, width: int) -> RenderableType:
        d = self.data
        if d is None:
            return Text(EMPTY)
        h = d.image.shape[1]
        tile_w = heatmap_size(h, h, mode=self.mode)[0]
        # the plain image only where it fits in the same row (the maps are drawn over it)
        plain = (1 + len(d.maps)) * (tile_w + 2) - 2 <= width
        count = len(d.maps) + plain
        scale = tile_scale(h, count, width, self.mode, most=2)
        tile_w = heatmap_size(h, h, scale=scale, mode=self.mode)[0]
        tiles = [*([rgb_image(d.image, mode=self.mode, scale=scale)] if plain else []),
                 *(self._tile(m, scale) for _, m in d.maps)]
        labels = [*(["image"] if plain else []), *(title[:tile_w] for title, _ in d.maps)]
        grid = tile_grid(tiles, tile_w, columns=columns_for(tile_w, count, width, 2), gap=2,
                         labels=labels)
        bar = legend(-1.0 if d.signed else 0.0, 1.0,
                     cmap="diverging" if d.signed else "sequential", mode=self.mode,
                     width=min(31, max(11, tile_w)))
        return Group(Text(d.caption, style="bold"), grid, bar)

    def _draw(self) -> None:
        self.update(self.picture(max(20, self.size.width or 80)))
