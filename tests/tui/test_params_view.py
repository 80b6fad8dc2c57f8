"""The Parameters view: the layer table follows the setup at once, the chapter's arithmetic,
the naive convolution against torch's, and snapshots (before any measurement: timings
are not deterministic)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from rich.text import Text
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static, TabbedContent

from tui_cnn.core.config import PRESETS
from tui_cnn.core.events import FilterSnapshot
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.params.conv_panel import ConvPanel, Tile, pack
from tui_cnn.tui.params.conv_source import SOBEL_X, flat_kernel, saved_filter
from tui_cnn.tui.params.conv_source import test_image as conv_test_image
from tui_cnn.tui.params.params_table import BAR_WIDTH, share_bar
from tui_cnn.tui.params.params_view import ParamsView
from tui_cnn.tui.setup.dataset_preview import DatasetPreview

from .conftest import AppFactory
from .helpers import screen_text, wait_for

Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def pinned_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")


def view_of(app: TuiCnnApp) -> ParamsView:
    return app.query_one(ParamsView)


def cell(app: TuiCnnApp, row: str, column: str) -> str:
    return str(view_of(app).table.get_cell(row, column))


def total(app: TuiCnnApp) -> str:
    return cell(app, "total", "parameters")


def plain(app: TuiCnnApp, selector: str) -> str:
    """A Static's content as plain text, unwrapped."""
    console = Console(width=1000, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(app.query_one(selector, Static).content)
    return capture.get()


def heading(app: TuiCnnApp) -> str:
    return plain(app, "#params-heading")


async def show_params(pilot: Pilot[Any]) -> None:
    await pilot.press("escape", "3")
    await pilot.pause()


async def choose_preset(pilot: Pilot[Any], name: str) -> None:
    presets = pilot.app.query_one("#presets", OptionList)
    presets.focus()
    presets.highlighted = list(PRESETS).index(name)
    await pilot.press("enter")
    await pilot.pause()


async def test_table_follows_the_chosen_preset_and_dataset(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await show_params(pilot)
        assert total(app) == "421,642"
        assert cell(app, "conv1", "parameters") == "32x1x3x3 + 32 = 320"
        assert cell(app, "conv1", "share").startswith("  0.1%")
        assert cell(app, "fc1", "share").startswith(" 95.2%")
        assert "421,642 parameters · 4,241,152 multiply-adds" in heading(app)
        assert "32x1x3x3 + 32 = 320" in screen_text(app)
        await choose_preset(pilot, "mlp")
        assert total(app) == "109,386"
        assert heading(app).startswith("mlp on Synthetic digits")
        await choose_preset(pilot, "cnn")
        app.query_one("#dataset-select", Select).value = "cifar10"
        await pilot.pause()
        assert total(app) == "545,098"
        assert cell(app, "conv1", "parameters") == "32x3x3x3 + 32 = 896"


async def test_below_its_narrowest_layout_the_table_scrolls_under_fixed_names(
        make_app: AppFactory) -> None:
    """80 columns fit the narrowest layout (tests/tui/test_small_terminal.py); 60 do not."""
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await show_params(pilot)
        table = view_of(app).table
        assert table.max_scroll_x > 0  # the columns are wider than the view
        table.focus()
        await pilot.press(*["right"] * 60)
        await pilot.pause(0.5)  # the scroll animates
        assert table.scroll_x > 0
        assert table.fixed_columns == 1  # the layer names stay in view


async def test_a_custom_spec_updates_at_once_and_a_bad_one_says_why(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await show_params(pilot)
        conv = app.query_one("#conv Input", Input)
        conv.value = "16"
        await pilot.pause()
        # 16x1x3x3 + 16 = 160; 16x14x14 = 3,136 into fc1 (401,536) as before; fc2 1,290
        assert total(app) == "402,986"
        assert cell(app, "conv1", "parameters") == "16x1x3x3 + 16 = 160"
        conv.value = "8, 8, 8, 8, 8"  # five 2x2 pools: 28 -> 14 -> 7 -> 3 -> 1 -> ?
        await pilot.pause()
        head = app.query_one("#params-heading")
        assert not view_of(app).table.display
        assert head.has_class("-error")
        assert "✗ No table: does not fit synth-digits: pool5" in heading(app)
        assert "is too small to pool 2x2" in heading(app)
        assert "too small" in screen_text(app)
        conv.value = "32, 64"
        await pilot.pause()
        assert view_of(app).table.display and not head.has_class("-error")
        assert total(app) == "421,642"


async def test_the_chapter_arithmetic_is_stated(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await show_params(pilot)
        text = plain(app, "#params-arithmetic")
        for expected in ("784 x 128 = 100,352", "154,140,672 ≈ 154 million", "~170K",
                         "on MNIST it has 421,642", "95.2% of them in fc1", "109,386",
                         "1,362,304"):
            assert expected in text, expected
        app.query_one("#dataset-select", Select).value = "cifar10"
        await pilot.pause()
        text = plain(app, "#params-arithmetic")
        assert "On CIFAR-10 (3x32x32) the same CNN has 545,098" in text


async def measure(pilot: Pilot[Any], from_palette: bool = False) -> ConvPanel:
    """Press c (or choose the command in the palette) and wait for the measurement."""
    panel = pilot.app.query_one(ConvPanel)
    before = panel.result
    if from_palette:
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette),
                       what="the palette")
        await pilot.press(*"Compare the naive conv2d")
        await pilot.pause(0.3)
        await pilot.press("enter")
    else:
        await pilot.press("c")
    await wait_for(pilot, lambda: panel.result is not before or panel.error is not None,
                   timeout=120, what="the convolution comparison")
    await pilot.app.workers.wait_for_complete()
    assert panel.error is None, panel.error
    return panel


async def test_the_convolution_key_compares_and_times(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape", "c")  # Training view: the key belongs to Parameters
        await pilot.pause()
        assert app.query_one(ConvPanel).result is None
        assert not app.query_one(ConvPanel).running
        await show_params(pilot)
        panel = await measure(pilot)
        result = panel.result
        assert result is not None
        assert np.array_equal(result.kernel, SOBEL_X) and "Sobel" in result.kernel_note
        assert result.image.shape == (28, 28) and result.comparison.naive_out.shape == (26, 26)
        assert result.comparison.max_abs_diff < 1e-4
        assert result.comparison.speed_ratio > 1
        text = screen_text(app)
        assert "largest |naive - torch|" in text
        assert f"measured speed ratio: {result.comparison.speed_ratio:,.0f}x" in text
        content = plain(app, "#conv-panel")
        assert "naive loop 26x26" in content and "F.conv2d 26x26" in content
        assert 'test image: a "3" from Synthetic digits' in content


async def test_the_convolution_uses_the_latest_learned_filter(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        weights = np.arange(2 * 1 * 3 * 3, dtype=np.float32).reshape(2, 1, 3, 3) - 8
        view_of(app).on_run_event(FilterSnapshot(2, 80, "conv1", weights, epoch_end=True))
        view_of(app).on_run_event(FilterSnapshot(2, 80, "fc1", np.ones((4, 1, 28, 28))))
        panel = await measure(pilot, from_palette=True)  # from the Training view
        assert panel.result is not None
        assert np.array_equal(panel.result.kernel, weights[0, 0])
        assert panel.result.kernel_note == "conv1 filter 0 after epoch 2"
        assert panel.result.comparison.max_abs_diff < 1e-4
        assert app.query_one(TabbedContent).active == "params"


async def settle(pilot: Pilot[Any]) -> None:
    """The Parameters view with the setup panel hidden, nothing measured yet."""
    app = pilot.app
    assert isinstance(app, TuiCnnApp)
    app.theme = "textual-dark"
    await wait_for(pilot, lambda: app.query_one(DatasetPreview).images is not None,
                   what="the dataset preview")
    await pilot.press("escape", "3")
    app.panel.display = False  # below 100 columns it has stepped aside already, saying so
    app.clear_notifications()
    await pilot.pause(0.2)


def test_params_view_80x24(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=settle)


def test_params_view_120x40(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=settle)


# ---- pure helpers ------------------------------------------------------------------------


def test_share_bar_uses_eighths_and_shows_a_sliver_for_tiny_shares() -> None:
    assert share_bar(1.0) == "█" * BAR_WIDTH
    assert share_bar(0.0) == " " * BAR_WIDTH
    assert share_bar(0.001) == "▏" + " " * (BAR_WIDTH - 1)
    assert share_bar(0.952) == "███████▋"
    assert all(len(share_bar(x / 100)) == BAR_WIDTH for x in range(101))


def test_pack_keeps_a_group_together_when_it_fits() -> None:
    def tile(width: int, label: str) -> Tile:
        return Text("x" * width), label

    groups = [[tile(28, "input"), tile(9, "filter")], [tile(26, "naive"), tile(26, "torch")]]
    labels = [[t[1] for t in row] for row in pack(groups, 200)]
    assert labels == [["input", "filter", "naive", "torch"]]
    labels = [[t[1] for t in row] for row in pack(groups, 75)]
    assert labels == [["input", "filter"], ["naive", "torch"]]  # not input, filter, naive
    labels = [[t[1] for t in row] for row in pack(groups, 40)]
    assert labels == [["input", "filter"], ["naive"], ["torch"]]
    assert [[t[1] for t in row] for row in pack([[tile(3, "a long label")]], 5)] == [
        ["a long label"]]


def test_flat_kernel_and_test_image() -> None:
    kernel, note = flat_kernel(np.ones((1, 3, 3)))
    assert kernel.shape == (3, 3) and note == ""
    kernel, note = flat_kernel(np.stack([np.zeros((3, 3)), np.full((3, 3), 2.0), np.ones((3, 3))]))
    assert np.array_equal(kernel, np.ones((3, 3))) and note.endswith("its 3 input channels")
    image, note = conv_test_image("synth-shapes", None)
    assert image.shape == (32, 32) and 0.0 <= image.min() <= image.max() <= 1.0
    assert "Synthetic shapes in grey" in note


def test_a_missing_dataset_falls_back_to_a_built_in_image(tmp_path: Path) -> None:
    image, note = conv_test_image("mnist", str(tmp_path))
    assert image.shape == (28, 28)
    assert note == 'a "3" from Synthetic digits (MNIST is not downloaded)'


def test_no_saved_run_no_learned_filter(tmp_path: Path) -> None:
    assert saved_filter(str(tmp_path / "runs")) is None


def test_the_table_drops_what_it_can_spare_first() -> None:
    """The chapter's CNN on 28x28: every column in 103 columns; then the long RF header,
    the bar, the type go, in that order; the multiply-adds and fields stay in each."""
    from tui_cnn.core.catalog import dataset_info
    from tui_cnn.core.layers import layer_table
    from tui_cnn.tui.params.params_table import LAYOUTS, fitting_layout, layout_width

    info = dataset_info("synth-digits")
    table = layer_table(PRESETS["cnn"], info.shape, info.num_classes)
    assert [layout_width(table, layout) for layout in LAYOUTS] == [103, 93, 84, 73]
    assert fitting_layout(table, 103) == LAYOUTS[0]
    assert fitting_layout(table, 92).bar == 0 and fitting_layout(table, 92).kind
    assert fitting_layout(table, 77) == LAYOUTS[-1] == fitting_layout(table, 50)
    for layout in LAYOUTS:
        assert {"mult-adds", "receptive field"} <= set(layout.columns)
