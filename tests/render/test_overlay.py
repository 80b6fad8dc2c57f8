"""Attribution maps over images, and grids of drawn tiles."""

from __future__ import annotations

import numpy as np
import pytest

from tui_cnn.render.heatmap import rgb_image
from tui_cnn.render.overlay import grey, overlay_rgb
from tui_cnn.render.palette import colormap_rgb
from tui_cnn.render.tile_grids import tile_grid


def test_a_zero_map_leaves_the_image_and_a_full_one_tints_it() -> None:
    image = np.full((1, 2, 2), 100, np.uint8)
    heat = np.array([[0.0, 1.0], [0.0, 0.0]])
    out = overlay_rgb(image, heat, alpha=0.75)
    assert out.shape == (3, 2, 2) and out.dtype == np.uint8
    assert out[:, 0, 0].tolist() == [100, 100, 100]
    top = colormap_rgb("sequential")[-1].astype(np.float64)
    np.testing.assert_array_equal(out[:, 0, 1], np.rint(0.25 * 100 + 0.75 * top))


def test_a_diverging_map_tints_by_size_and_colours_by_sign() -> None:
    image = np.zeros((3, 1, 3), np.uint8)
    out = overlay_rgb(image, np.array([[-1.0, 0.0, 1.0]]), cmap="diverging", alpha=1.0)
    table = colormap_rgb("diverging")
    assert out[:, 0, 0].tolist() == table[0].tolist()
    assert out[:, 0, 1].tolist() == [0, 0, 0]
    assert out[:, 0, 2].tolist() == table[-1].tolist()


def test_grey_is_the_luminance_and_sizes_must_match() -> None:
    rgb = np.zeros((3, 1, 1), np.uint8)
    rgb[0] = 255
    assert grey(rgb)[0, 0] == pytest.approx(0.299)
    with pytest.raises(ValueError, match="differ in size"):
        overlay_rgb(np.zeros((1, 2, 2)), np.zeros((3, 3)))


def test_tile_grid_puts_labels_over_tiles() -> None:
    tiles = [rgb_image(np.full((1, 2, 2), v, np.uint8), mode="none") for v in (0, 255)]
    grid = tile_grid(tiles, 4, columns=2, labels=["a", "b"])  # " a  " gap " b  "
    assert grid.plain.split("\n") == [" a    b  ", "     ████", "     ████"]
    with pytest.raises(ValueError, match="1 labels for 2 tiles"):
        tile_grid(tiles, 4, labels=["a"])
