"""The heatmap renderer: exact cells and colours in each colour mode."""

from __future__ import annotations

import numpy as np
import pytest
from rich.color import Color, ColorType
from rich.console import Console
from rich.style import Style
from rich.text import Text

from tui_cnn.render.heatmap import (
    NO_COLOR_NOTE,
    colormap_rgb,
    detect_color_mode,
    heatmap,
    heatmap_size,
    legend,
    nearest_xterm,
    rgb_image,
    xterm_palette,
)
from tui_cnn.render.tile_grids import feature_grid, filter_grid

CONSOLE = Console(width=200, color_system="truecolor")
SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
# [[1, -1], [0, 0.5]] on the diverging map (limit 1): +1 red end, -1 blue end,
# 0 the white centre, 0.5 the fourth stop.
ARRAY = np.array([[1.0, -1.0], [0.0, 0.5]])


def cells(text: Text) -> list[list[tuple[str, Color | None, Color | None]]]:
    """Each line as (character, foreground, background) per cell."""
    rows: list[list[tuple[str, Color | None, Color | None]]] = [[]]
    for offset, char in enumerate(text.plain):
        if char == "\n":
            rows.append([])
            continue
        style = text.get_style_at_offset(CONSOLE, offset)
        rows[-1].append((char, style.color, style.bgcolor))
    return rows


def styles(text: Text) -> list[Style]:
    return [text.get_style_at_offset(CONSOLE, i) for i in range(len(text))]


def hexes(text: Text) -> list[list[tuple[str, str | None, str | None]]]:
    return [[(c, fg and fg.triplet and fg.triplet.hex, bg and bg.triplet and bg.triplet.hex)
             for c, fg, bg in row] for row in cells(text)]


def numbers(text: Text) -> list[list[tuple[str, int | None, int | None]]]:
    return [[(c, fg and fg.number, bg and bg.number) for c, fg, bg in row]
            for row in cells(text)]


def test_truecolor_2x2_is_one_line_of_two_half_blocks() -> None:
    text = heatmap(ARRAY, mode="truecolor")
    assert text.plain == "▀▀"
    assert hexes(text) == [[("▀", "#b2182b", "#f7f7f7"), ("▀", "#2166ac", "#f4a582")]]


def test_256_2x2_uses_the_nearest_cube_entries() -> None:
    text = heatmap(ARRAY, mode="256")
    assert numbers(text) == [[("▀", 124, 231), ("▀", 25, 216)]]
    assert all(c is not None and c.type == ColorType.EIGHT_BIT
               for _, fg, bg in cells(text)[0] for c in (fg, bg))


def test_none_mode_shades_magnitude_two_chars_per_pixel_without_styles() -> None:
    text = heatmap(ARRAY, mode="none")
    assert text.plain == "████\n  ▒▒"
    assert text.spans == [] and not text.style


def test_sequential_and_grey_maps_run_low_to_high() -> None:
    ramp = np.array([[0.0, 1.0], [2.0, 4.0]])
    assert hexes(heatmap(ramp, cmap="grey", mode="truecolor")) == [
        [("▀", "#000000", "#808080"), ("▀", "#404040", "#ffffff")]]
    assert hexes(heatmap(ramp, cmap="sequential")) == [
        [("▀", "#440154", "#21918c"), ("▀", "#3b528b", "#fde725")]]
    assert heatmap(ramp, cmap="sequential", mode="none").plain == "  ░░\n▒▒██"


def test_odd_height_pads_the_last_row_with_no_background() -> None:
    text = heatmap(np.array([[1.0], [-1.0], [0.0]]), mode="truecolor")
    assert hexes(text) == [[("▀", "#b2182b", "#2166ac")], [("▀", "#f7f7f7", None)]]


def test_scale_repeats_pixels() -> None:
    text = heatmap(SOBEL_X, mode="truecolor", scale=2)
    lines = text.plain.split("\n")
    assert len(lines) == 3 and all(len(line) == 6 for line in lines)
    assert heatmap_size(3, 3, scale=2, mode="truecolor") == (6, 3)
    rows = hexes(text)
    assert rows[0][0] == rows[0][1] == ("▀", "#92c5de", "#92c5de")  # -1 of limit 2, twice
    assert rows[1][0] == ("▀", "#2166ac", "#2166ac")  # -2: the blue end
    assert rows[1][2] == ("▀", "#f7f7f7", "#f7f7f7")  # 0: white
    none = heatmap(SOBEL_X, mode="none", scale=2).plain.split("\n")
    assert (len(none[0]), len(none)) == heatmap_size(3, 3, scale=2, mode="none") == (12, 6)


def test_explicit_range_is_symmetric_and_clipped() -> None:
    text = heatmap(np.array([[0.25], [5.0]]), vmin=-0.5, vmax=0.1)
    assert hexes(text) == [[("▀", "#f4a582", "#b2182b")]]


def test_flat_and_nan_inputs_do_not_crash() -> None:
    assert hexes(heatmap(np.zeros((2, 1)))) == [[("▀", "#f7f7f7", "#f7f7f7")]]
    assert hexes(heatmap(np.full((2, 1), 3.0), cmap="sequential")) == [
        [("▀", "#440154", "#440154")]]
    assert heatmap(np.array([[np.nan, np.inf]]), mode="none").plain == "    "


def test_256_mode_emits_only_exact_xterm_palette_colours() -> None:
    rng = np.random.default_rng(1)
    texts = [heatmap(rng.normal(size=(7, 5)), mode="256", cmap=cmap)
             for cmap in ("diverging", "sequential", "grey")]
    texts += [rgb_image(rng.random((3, 5, 4)), mode="256"),
              filter_grid(rng.normal(size=(4, 3, 3, 3)), mode="256"),
              legend(-1, 1, mode="256"), legend(0, 3, cmap="sequential", mode="256")]
    palette = xterm_palette()
    for text in texts:
        for style in styles(text):
            for color in (style.color, style.bgcolor):
                if color is None:
                    continue
                assert color.type == ColorType.EIGHT_BIT and color.number is not None
                assert 16 <= color.number <= 255
                assert tuple(color.get_truecolor()) == tuple(palette[color.number - 16])


def test_nearest_xterm_matches_brute_force_and_keeps_greys_grey() -> None:
    rng = np.random.default_rng(2)
    rgb = np.vstack([rng.integers(0, 256, (3000, 3)), np.repeat(np.arange(256)[:, None], 3, 1)])
    palette = xterm_palette().astype(np.int64)
    dist = ((rgb[:, None, :] - palette[None]) ** 2).sum(axis=2)
    assert np.array_equal(nearest_xterm(rgb), dist.argmin(axis=1) + 16)
    greys = palette[nearest_xterm(np.repeat(np.arange(256)[:, None], 3, 1)) - 16]
    assert np.all(greys[:, 0] == greys[:, 1]) and np.all(greys[:, 1] == greys[:, 2])


def test_no_color_mode_emits_no_styles_anywhere() -> None:
    rng = np.random.default_rng(3)
    for text in (heatmap(rng.normal(size=(5, 5)), mode="none"),
                 rgb_image(rng.random((3, 4, 4)), mode="none"),
                 filter_grid(rng.normal(size=(3, 1, 3, 3)), mode="none", labels=["a", "b", "c"]),
                 feature_grid(rng.random((2, 4, 4)), mode="none")):
        assert text.spans == [] and not text.style
        assert set(text.plain) <= set(" ░▒▓█\nabc")
    for cmap in ("diverging", "sequential", "grey"):
        text = legend(-1, 2, cmap=cmap, mode="none")  # type: ignore[arg-type]
        assert text.spans == [] and not text.style


def test_rgb_image_in_its_own_colours() -> None:
    image = np.zeros((3, 2, 2), dtype=np.uint8)
    image[0, 0, 0] = 255  # red top-left
    image[1, 1, 0] = 255  # green bottom-left
    image[:, :, 1] = 255  # white right column
    text = rgb_image(image, mode="truecolor")
    assert hexes(text) == [[("▀", "#ff0000", "#00ff00"), ("▀", "#ffffff", "#ffffff")]]
    assert hexes(rgb_image(image.astype(np.float64) / 255.0)) == hexes(text)
    assert numbers(rgb_image(image, mode="256")) == [[("▀", 196, 46), ("▀", 231, 231)]]
    assert rgb_image(image, mode="none").plain == "░░██\n▒▒██"  # luminance 0.3, 0.59, 1
    grey = rgb_image(np.array([[[0, 255]]], dtype=np.uint8))
    assert hexes(grey) == [[("▀", "#000000", None), ("▀", "#ffffff", None)]]


def test_legend_text_in_each_mode() -> None:
    none = legend(-0.5, 0.25, mode="none", width=21).plain.split("\n")
    assert none[1] == "-0.5      0      +0.5"
    assert none[2] == NO_COLOR_NOTE == "no colour: shade = size (|value|), the sign not shown"
    assert len(none[0]) == 21 and none[0] == none[0][::-1]
    assert none[0][0] == "█" and none[0][10] == " "
    colour = legend(-0.5, 0.25, mode="truecolor", width=21)
    assert colour.plain == "█" * 21 + "\n-0.5      0      +0.5"
    bar = hexes(colour)[0]
    assert (bar[0][1], bar[10][1], bar[20][1]) == ("#2166ac", "#f7f7f7", "#b2182b")
    seq = legend(0.0, 0.7, cmap="sequential", mode="none", width=12).plain.split("\n")
    assert seq == ["  ░░░▒▒▓▓▓██", "0        0.7"[:12]]


def test_filter_grid_layout_and_labels() -> None:
    weights = np.stack([SOBEL_X, -SOBEL_X, SOBEL_X.T, 0.1 * SOBEL_X, SOBEL_X])[:, None]
    grid = filter_grid(weights, columns=4, scale=2, mode="truecolor")
    lines = grid.plain.split("\n")
    assert len(lines) == 3 + 1 + 3
    assert [len(line) for line in lines] == [27] * 3 + [0] + [6] * 3
    labelled = filter_grid(weights, columns=4, scale=2, labels=["#0", "#1", "#2", "#3", "#4"])
    assert labelled.plain.split("\n")[0] == "  #0     #1     #2     #3  "
    none = filter_grid(weights, columns=5, scale=1, mode="none").plain.split("\n")
    assert len(none) == 3 and len(none[0]) == 5 * 6 + 4


def test_filter_grid_normalisation() -> None:
    weights = np.stack([SOBEL_X, 0.1 * SOBEL_X])[:, None]
    per_filter = hexes(filter_grid(weights, columns=2, scale=1, normalise="filter"))
    layer = hexes(filter_grid(weights, columns=2, scale=1, normalise="layer"))
    assert per_filter[0][:3] == per_filter[0][4:]  # both tiles identical
    assert layer[0][:3] == per_filter[0][:3] and layer[0][4:] != per_filter[0][4:]


def test_filter_grid_rgb_and_multichannel() -> None:
    rgb = np.zeros((1, 3, 2, 2))
    rgb[0, 0] = 1.0  # red channel only: every pixel pure red after min-max
    assert hexes(filter_grid(rgb, scale=1)) == [[("▀", "#ff0000", "#ff0000")] * 2]
    two = np.stack([SOBEL_X, -SOBEL_X + 2 * SOBEL_X])[None]  # mean over channels = SOBEL_X
    assert hexes(filter_grid(two, scale=1)) == hexes(heatmap(SOBEL_X))


def test_feature_grid_shares_a_range_by_default() -> None:
    maps = np.stack([np.zeros((2, 2)), np.ones((2, 2))])
    assert hexes(feature_grid(maps, columns=2)) == [
        [("▀", "#440154", "#440154")] * 2 + [(" ", None, None)]
        + [("▀", "#fde725", "#fde725")] * 2]


def test_colormaps_are_odd_length_with_exact_centre() -> None:
    table = colormap_rgb("diverging")
    assert len(table) % 2 == 1 and tuple(table[len(table) // 2]) == (247, 247, 247)


@pytest.mark.parametrize(("env", "mode"), [
    ({"NO_COLOR": "1", "COLORTERM": "truecolor"}, "none"),
    ({"NO_COLOR": "", "COLORTERM": "truecolor"}, "truecolor"),
    ({"COLORTERM": "24bit"}, "truecolor"),
    ({"TERM": "xterm-256color"}, "256"),
    ({}, "256"),
])
def test_detect_color_mode(env: dict[str, str], mode: str) -> None:
    assert detect_color_mode(env) == mode


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        heatmap(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError):
        heatmap(np.zeros((2, 2)), mode="16")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        heatmap(np.zeros((2, 2)), scale=0)
    with pytest.raises(ValueError):
        filter_grid(np.zeros((2, 1, 3, 3)), labels=["only one"])


def test_cells_of_one_colour_pair_share_one_style_across_pictures() -> None:
    """Styles are made once per (top, bottom, mode) pair, not per picture: the Filters view
    redraws thousands of cells after every epoch. Same colours, same Style object."""
    a = np.array([[0.0, 1.0], [1.0, 0.0]])
    first, second = (heatmap(a, cmap="grey", vmin=0, vmax=1) for _ in range(2))
    assert first.plain == second.plain == "▀▀"
    styles = [span.style for span in first.spans], [span.style for span in second.spans]
    assert len(styles[0]) == 2 and all(x is y for x, y in zip(*styles, strict=True))
    white, black = Color.from_rgb(255, 255, 255), Color.from_rgb(0, 0, 0)
    assert [(s.color, s.bgcolor) for s in styles[0]] == [(black, white), (white, black)]
