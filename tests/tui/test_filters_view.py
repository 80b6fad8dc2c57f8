"""The Filters view: filters by epoch, edge scores, deeper layers, activations, confusion
matrix. Fake events with known weights and predictions, then one real tiny run.

Regenerate the snapshots with
``pytest tests/tui/test_filters_view.py --snapshot-update`` and commit them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.events import (
    Event,
    FilterSnapshot,
    RunEnded,
    RunStarted,
    TestPredictions,
)
from tui_cnn.core.inspect import edge_templates
from tui_cnn.render.heatmap import ColorMode
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.filters.confusion_view import ConfusionMatrix, layout
from tui_cnn.tui.filters.filters_render import fit
from tui_cnn.tui.filters.filters_state import LIVE, FilterState
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.filters.inspect_worker import ActivationsRead
from tui_cnn.tui.messages import CoreEvents
from tui_cnn.tui.setup.dataset_preview import DatasetPreview

from .conftest import AppFactory
from .helpers import screen_text, wait_for

Snap = Callable[..., bool]
SIZE = (120, 40)
EDGE_LIKE = 21


@pytest.fixture(autouse=True)
def pinned_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")


def known_weights(scale: float = 1.0) -> np.ndarray:
    """32 layer-1 filters: 21 exact edge templates (angles 0, 45, ... in turn) and 11
    centre-symmetric kernels, which correlate with no edge template (r = 0)."""
    templates = list(edge_templates(3).values())
    edges = [templates[i % 8] * (1 + i / 10) for i in range(EDGE_LIKE)]
    blob = np.array([[1.0, 2.0, 1.0], [2.0, -12.0, 2.0], [1.0, 2.0, 1.0]]) / 12
    others = [blob * (1 + i / 10) * (-1) ** i for i in range(32 - EDGE_LIKE)]
    return (scale * np.stack(edges + others)[:, None]).astype(np.float32)


def started(cfg: TrainConfig, run_dir: str | None = None) -> RunStarted:
    info = dataset_info(cfg.dataset)
    return RunStarted("run-1", run_dir, cfg, 1, 1, "cpu", "cpu", 1, cfg.dataset,
                      1000, 30, info.shape, info.classes, 10, 30)


def predictions(epoch: int = 1) -> TestPredictions:
    """30 test images, 3 per class in class order (as synth.sample draws them); true 3 is
    taken for 5 twice (images 9 and 10), true 7 for 1 once (image 21)."""
    labels = np.repeat(np.arange(10), 3)
    predicted = labels.copy()
    predicted[[9, 10]] = 5
    predicted[21] = 1
    return TestPredictions(epoch, labels, predicted)


def live_events(cfg: TrainConfig) -> tuple[Event, ...]:
    return (started(cfg),
            FilterSnapshot(1, 10, "conv1", known_weights(1.0), epoch_end=True),
            predictions(1),
            FilterSnapshot(2, 20, "conv1", known_weights(2.0), epoch_end=True),
            FilterSnapshot(3, 25, "conv1", known_weights(3.0), epoch_end=False))


def plain(view: FiltersView, widget_id: str) -> str:
    content = view.query_one(f"#{widget_id}", Static).content
    return content.plain if isinstance(content, Text) else str(content)


async def feed(pilot: Pilot[Any], *events: Event) -> None:
    pilot.app.post_message(CoreEvents(tuple(events)))
    await pilot.pause(0.5)  # past one redraw tick


async def show_filters(pilot: Pilot[Any]) -> FiltersView:
    await pilot.press("escape", "2")
    await pilot.pause(0.4)
    return pilot.app.query_one(FiltersView)


async def test_before_a_run_it_says_what_will_appear(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await show_filters(pilot)
        assert "Nothing to show yet. Press t to train" in screen_text(app)
        assert "[ and ] step through" in plain(view, "filters-intro")
        assert not view.query_one("#filters-body").display


async def test_edge_summary_and_stepping_through_epochs(make_app: AppFactory,
                                                        config: TrainConfig) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await show_filters(pilot)
        await feed(pilot, *live_events(config))
        assert f"{EDGE_LIKE} of 32 filters are edge-like (|r| > 0.8)" in plain(view,
                                                                                 "filters-edges")
        assert "live: epoch 3, step 25" in plain(view, "filters-head")
        assert "following the run" in plain(view, "filters-slider")
        await pilot.press("left_square_bracket")
        assert "after epoch 2" in plain(view, "filters-head")
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert "after epoch 1" in plain(view, "filters-head")
        assert "+6" in plain(view, "filters-legend")  # epoch 1's layer range: 3 x Sobel
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert "live: epoch 3" in plain(view, "filters-head")
        assert view.state.selected is None
        await feed(pilot, RunEnded("stopped", "", "r", None, 2, 25, 0.9, 0.9, 1.0, 9.0, 9))
        assert "following the run" not in plain(view, "filters-slider")


async def test_normalise_toggle_and_edge_table(make_app: AppFactory,
                                               config: TrainConfig) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await show_filters(pilot)
        await feed(pilot, *live_events(config))
        assert "each tile is scaled to its own" in plain(view, "filters-legend")
        await pilot.press("n")
        assert view.state.normalise == "layer"
        assert "one scale for every tile" in plain(view, "filters-legend")
        edges = plain(view, "filters-edges")
        assert " 0 →  1.00 ✓" in edges and " 2 ↑  1.00 ✓" in edges  # Sobel-x, Sobel-y
        assert re.search(r"31 \S  0\.00 ", edges)  # a centre-symmetric blob fits no edge


async def test_keys_act_only_in_the_filters_view(make_app: AppFactory,
                                                 config: TrainConfig) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(FiltersView)
        await feed(pilot, *live_events(config))
        await pilot.press("escape", "n")
        assert view.state.normalise == "filter"
        assert app.query_one(TabbedContent).active == "training"
        await pilot.press("2", "n")
        assert view.state.normalise == "layer"


async def test_redraws_only_while_shown(make_app: AppFactory, config: TrainConfig) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(FiltersView)
        await feed(pilot, *live_events(config))
        assert plain(view, "filters-edges") == ""  # stored, not drawn: the view is hidden
        await show_filters(pilot)
        assert "21 of 32" in plain(view, "filters-edges")


async def test_layer_two_needs_a_checkpoint(make_app: AppFactory, config: TrainConfig) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await show_filters(pilot)
        await feed(pilot, *live_events(config))
        await pilot.press("l")
        assert view.state.layer == 2
        assert "read from the run's checkpoint" in plain(view, "filters-grid")
        await pilot.press("l")
        assert view.state.layer == 1


async def test_confusion_counts_and_misclassified_images(make_app: AppFactory,
                                                         config: TrainConfig) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await show_filters(pilot)
        await feed(pilot, *live_events(config))
        matrix = view.query_one(ConfusionMatrix)
        assert matrix.counts is not None and matrix.counts[3, 5] == 2
        assert matrix.cursor == (3, 5)  # the most frequent confusion is selected first
        assert isinstance(matrix.content, Text)
        rows = matrix.content.plain.split("\n")
        assert rows[4].split() == ["3", "0", "0", "0", "1", "0", "2", "0", "0", "0", "0"]
        cell = plain(view, "confusion-cell")
        assert "true 3, predicted as 5: 2 images" in cell and "#9 #10" in cell
        matrix.focus()
        await pilot.press("down", "down", "down", "down", "left", "left", "left", "left")
        assert matrix.cursor == (7, 1)
        assert "true 7, predicted as 1: 1 image" in plain(view, "confusion-cell")
        assert "#21" in plain(view, "confusion-cell")


async def test_confusion_cell_by_click(make_app: AppFactory, config: TrainConfig) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await show_filters(pilot)
        await feed(pilot, *live_events(config))
        matrix = view.query_one(ConfusionMatrix)
        view.scroll_to_widget(matrix, animate=False)
        await pilot.pause(0.2)
        geometry = matrix.geometry
        x = geometry.label_cells + 2 * geometry.cell_cells + 1
        await pilot.click(matrix, offset=(x, 1 + 2))  # row 2, column 2 (header line first)
        assert matrix.cursor == (2, 2)
        assert "true 2, correctly classified as 2: 3 images" in plain(view, "confusion-cell")


async def test_real_run_then_activations_layers_and_the_saved_run(make_app: AppFactory) -> None:
    """A real tiny run (synth-digits 600/200, 1 epoch, 1 thread): afterwards the view shows
    one test image's maps for both conv layers, layer 2 per channel, and the same run opened
    as a saved one predicts the test set as the training loop did."""
    pytest.importorskip("torch")
    app = make_app(runner_=None, epochs=1, train_size=600, test_size=200)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       timeout=120, what="the run to end")
        view = await show_filters(pilot)
        await wait_for(pilot, lambda: view.activations is not None and not view.busy,
                       timeout=60, what="the activations")
        assert view.activations is not None and list(view.activations.maps) == ["conv1",
                                                                                "conv2"]
        shown = plain(view, "activations")
        assert "conv1: 32 maps of 28x28" in shown and "conv2: 64 maps of 14x14" in shown
        assert "top 3 classes" in shown and "Test image 0 of 200" in shown
        assert view.problem == ""  # issue 20, item 4: "model.pt is missing" stood here
        assert "Can't look inside" not in plain(view, "activations")
        await pilot.press("k")
        await wait_for(pilot, lambda: view.activations is not None
                       and view.activations.index == 1 and not view.busy, what="image 1")
        await pilot.press("l", "full_stop")
        assert "conv2: output channel 1 of 64" in plain(view, "filters-head")
        live_labels, live_predicted = view.state.predictions[1]
        assert app.session is not None and app.session.started is not None
        run_dir = app.session.started.run_dir
        assert run_dir is not None
        view.scroll_end(animate=False)
        await pilot.pause()
        assert view.scroll_y > 0  # left at the confusion matrix ...
        view.show_run(run_dir)
        assert view.scroll_y == 0  # ... it opens at its heading, which names the run
        await wait_for(pilot, lambda: view.state.predictions and not view.busy, timeout=60,
                       what="the saved run's predictions")
        await pilot.pause(0.4)  # a redraw tick
        labels, predicted = view.state.predictions[1]
        assert np.array_equal(labels, live_labels)
        assert np.mean(predicted == live_predicted) >= 0.99
        assert sorted(view.state.by_epoch) == [0, 1] and "saved run" in plain(view, "filters-head")


async def test_show_run_says_what_is_wrong(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await show_filters(pilot)
        view.show_run(str(tmp_path / "no-such-run"))
        await wait_for(pilot, lambda: view.problem and not view.busy, what="the problem")
        await pilot.pause(0.4)
        assert "Can't look inside the model" in plain(view, "activations")




@pytest.mark.parametrize(("dataset", "arch", "head", "legend"), [
    ("synth-shapes", "cnn-small", "conv1: 8 filters of 3x3x3", "RGB weights"),
    ("synth-digits", "mlp", "fc1: 128 units, each a 1x28x28 template", "-"),
])
async def test_saved_run_in_colour_or_an_mlp(make_app: AppFactory, config: TrainConfig,
                                             dataset: str, arch: str, head: str,
                                             legend: str) -> None:
    """A run saved by core.train.run (no app), then opened: RGB tiles for a colour set,
    an MLP's first units as templates without edge scores."""
    pytest.importorskip("torch")
    from tui_cnn.core.config import PRESETS
    from tui_cnn.core.train import run

    cfg = config.replace(dataset=dataset, arch=PRESETS[arch], epochs=1, train_size=300,
                         test_size=100)
    ended = list(run(cfg))[-1]
    assert isinstance(ended, RunEnded) and ended.run_dir is not None
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await show_filters(pilot)
        view.show_run(ended.run_dir)
        await wait_for(pilot, lambda: view.state.predictions and not view.busy, timeout=60,
                       what="the saved run")
        await pilot.pause(0.4)
        assert head in plain(view, "filters-head") and legend in plain(view, "filters-legend")
        assert plain(view, "filters-slider").strip() == "epoch   init   1"  # saved: no "live"
        assert view.activations is not None
        convs = ["conv1", "conv2"] if arch != "mlp" else []
        assert list(view.activations.maps) == convs
        if arch == "mlp":
            assert "edge scores need odd square kernels" in plain(view, "filters-edges")
            await pilot.press("l")
            assert view.state.layer == 1

# Pure parts ---------------------------------------------------------------------------------


def test_frames_follow_the_run_until_stepped_back() -> None:
    state = FilterState()
    assert state.shown() is None and not state.step_epoch(-1)
    for epoch in (1, 2):
        state.add_snapshot(FilterSnapshot(epoch, 10 * epoch, "conv1", known_weights(epoch),
                                          epoch_end=True))
    state.add_snapshot(FilterSnapshot(3, 25, "conv1", known_weights(3), epoch_end=False))
    assert state.frames() == [1, 2, LIVE] and state.current_frame() == LIVE
    assert state.step_epoch(-1) and state.selected == 2
    state.add_snapshot(FilterSnapshot(3, 30, "conv1", known_weights(3), epoch_end=True))
    assert state.frames() == [1, 2, 3] and state.current_frame() == 2  # stays put
    assert state.step_epoch(1) and state.selected is None  # the newest: follows again
    assert not state.step_epoch(1)


def test_deeper_layers_come_per_output_channel() -> None:
    state = FilterState()
    state.add_snapshot(FilterSnapshot(1, 10, "conv1", known_weights(), epoch_end=True))
    conv2 = np.arange(4 * 32 * 9, dtype=np.float32).reshape(4, 32, 3, 3)
    state.add_checkpoint(1, {"conv1": known_weights(), "conv2": conv2})
    assert state.next_layer() == 2 and state.step_channel(-1) == 3
    shown = state.shown()
    assert shown is not None and shown.tiles.shape == (32, 1, 3, 3)
    assert np.array_equal(shown.tiles[:, 0], conv2[3])
    assert shown.what.startswith("output channel 3 of 4")
    state.set_conv_layers(1)  # another run: one conv layer
    assert state.layer == 1


@pytest.mark.parametrize(("width", "label", "cell"), [(42, 2, 4), (76, 4, 5)])
def test_confusion_layout_fits_the_width(width: int, label: int, cell: int) -> None:
    counts = np.diag(np.full(10, 200))
    geometry = layout(counts, [str(i) for i in range(10)], width)
    assert (geometry.label_cells, geometry.cell_cells) == (label, cell)
    assert geometry.label_cells + 10 * geometry.cell_cells <= width
    assert geometry.cell_at(label + 3 * cell, 1 + 7, 10) == (7, 3)


@pytest.mark.parametrize(("mode", "width", "scale", "columns"),
                         [("truecolor", 116, 3, 8), ("truecolor", 74, 2, 8),
                          ("truecolor", 42, 2, 6), ("none", 74, 1, 8)])
def test_filter_tiles_as_large_as_fit(mode: ColorMode, width: int, scale: int,
                                      columns: int) -> None:
    assert fit(32, 3, mode, width) == (scale, columns)

# Snapshots ---------------------------------------------------------------------------------


def fixed_activations(generation: int, images: np.ndarray) -> ActivationsRead:
    """Feature maps made of smooth stripes, one direction per channel: no model needed."""
    ys, xs = np.mgrid[0:28, 0:28] / 27.0
    conv1 = np.stack([np.sin(6 * (np.cos(a) * xs + np.sin(a) * ys))
                      for a in np.linspace(0, np.pi, 32)])
    conv2 = conv1.reshape(32, 14, 2, 14, 2).mean(axis=(2, 4)).repeat(2, axis=0)
    return ActivationsRead(generation, 2, 0, images[0], 0,
                           {"conv1": conv1.astype(np.float32),
                            "conv2": conv2.astype(np.float32)},
                           [(0, 0.91), (6, 0.05), (8, 0.02)])


async def fixed_view(pilot: Pilot[Any]) -> FiltersView:
    """The Filters view (setup panel hidden) after known events, a read checkpoint and
    known activations."""
    from tui_cnn.core.synth import sample
    from tui_cnn.tui.filters.inspect_worker import ModelRead

    app = pilot.app
    assert isinstance(app, TuiCnnApp)
    app.theme = "textual-dark"
    await wait_for(pilot, lambda: app.query_one(DatasetPreview).images is not None,
                   what="the dataset preview")
    view = await show_filters(pilot)
    app.panel.display = False  # the view has the width (below 100 columns it steps aside
    app.clear_notifications()  # by itself, saying so)
    await feed(pilot, *live_events(app.config))
    images, labels = sample("synth-digits", 3)
    conv2 = np.tile(known_weights(0.5)[:, 0], (64, 1, 1, 1)).reshape(64, 32, 3, 3)
    view.post_message(ModelRead(view.generation, 2, {"conv1": known_weights(2.0),
                                                     "conv2": conv2},
                                dataset_info("synth-digits").classes, images, labels))
    view.post_message(fixed_activations(view.generation, images))
    await pilot.pause(0.5)
    app.clear_notifications()
    await pilot.pause(0.1)
    return view


async def scrolled_to_activations(pilot: Pilot[Any]) -> None:
    view = await fixed_view(pilot)
    view.scroll_to_widget(view.query_one("#activations"), animate=False, top=True)
    await pilot.pause(0.3)


async def scrolled_to_confusion(pilot: Pilot[Any]) -> None:
    view = await fixed_view(pilot)
    view.scroll_to_widget(view.query_one(ConfusionMatrix), animate=False, top=True)
    await pilot.pause(0.3)


def test_filters_120x40(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=fixed_view)


def test_filters_80x24_no_color(snap_compare: Snap, make_app: AppFactory,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=fixed_view)


def test_activations_120x40(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40),
                        run_before=scrolled_to_activations)


def test_confusion_120x40(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40),
                        run_before=scrolled_to_confusion)
