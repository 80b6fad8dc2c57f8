"""The Inside view (tab 5) over real saved runs: its keys, its messages for what cannot be
shown, the workers' progress and cancel, and the run being trained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.text import Text
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Static

from tui_cnn.core.config import PRESETS
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.inside import inside_worker as iw
from tui_cnn.tui.inside.attribution_panel import AttributionPanel
from tui_cnn.tui.inside.inside_view import InsideView
from tui_cnn.tui.inside.layers_panel import LayerStatsPanel
from tui_cnn.tui.inside.patches_panel import TopPatchesPanel
from tui_cnn.tui.inside.view_state import InsideState, histogram_line, kept_by_policy
from tui_cnn.tui.messages import InspectRequested

from .conftest import AppFactory
from .helpers import footer_keys, notifications, screen_text, wait_for
from .inside_runs import train

pytest.importorskip("torch")
pytestmark = pytest.mark.slow  # each trains or computes with real torch


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inside")
    return {"cnn": train(root, "cnn-run"),
            "last": train(root, "keep-last-run", keep_checkpoints="last"),
            "mlp": train(root, "mlp-run", arch=PRESETS["mlp"], epochs=1)}


def view_of(app: TuiCnnApp) -> InsideView:
    return app.query_one(InsideView)


def status(app: TuiCnnApp) -> str:
    return str(app.query_one("#inside-status", Static).render())


async def open_run(pilot: Pilot[Any], run_dir: Path) -> InsideView:
    app = pilot.app
    assert isinstance(app, TuiCnnApp)
    await pilot.press("escape")
    app.post_message(InspectRequested(run_dir))
    await pilot.pause(0.2)
    await pilot.press("5")
    view = view_of(app)
    await wait_for(pilot, lambda: view.overview_read and view.state.epochs,
                   what="the run's epochs")
    return view


async def shows(pilot: Pilot[Any], text: str, what: str = "") -> None:
    app = pilot.app
    assert isinstance(app, TuiCnnApp)
    await wait_for(pilot, lambda: text in status(app), what=what or repr(text))


async def test_inspecting_a_run_steps_layer_epoch_image_method_and_panel(
        make_app: AppFactory, runs: dict[str, Path]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_run(pilot, runs["cnn"])
        assert view.state.epochs == [1, 2] and view.state.kept == {1, 2}
        await shows(pilot, "conv1 after epoch 2")
        patches = app.query_one(TopPatchesPanel)
        assert patches.data is not None and patches.data.name == "conv1"
        assert patches.data.tiles.shape[:2] == (8, 9)  # cnn-small: 8 channels, top 9
        assert {"v", "left_square_bracket"} <= footer_keys(app)
        assert "n" not in footer_keys(app)  # the Filters view's scale key is not here
        await pilot.press("l")
        await shows(pilot, "conv2 after epoch 2")
        await pilot.press("left_square_bracket")
        await shows(pilot, "conv2 after epoch 1")
        assert "epoch 1 of 2" in str(app.query_one("#inside-head", Static).render())
        await pilot.press("full_stop")
        assert view.state.channel == 1
        await pilot.press("a")
        await pilot.pause(0.1)
        assert patches.grid and "conv2: each of its 16 channels' most exciting" in \
            screen_text(app)
        await pilot.press("k")
        await shows(pilot, "test image 1 of 120, saliency")
        where = app.query_one(AttributionPanel)
        assert where.display and where.data is not None
        assert where.data.caption.startswith("image 1: true ")
        assert where.data.caption.endswith("- saliency")
        await pilot.press("m")
        await wait_for(pilot, lambda: where.data is not None and
                       where.data.caption.endswith("- occlusion"), what="occlusion")
        assert where.data.signed
        await pilot.press("v")
        await shows(pilot, "What the classifier sees: 120 test images")
        await pilot.press("g")
        layers = app.query_one(LayerStatsPanel)
        await shows(pilot, "g: next statistic")
        assert set(layers.histograms) == {"conv1.weight", "conv2.weight", "fc1.weight",
                                          "fc2.weight"}
        assert layers.stat == "grad_norm"
        assert view.series.layers == ("conv1", "conv2", "fc1", "fc2")
        assert view.series.steps[-1] == 12  # 2 epochs of 6 batches, a report every 2
        key = layers.query_one("#layers-latest", Static).content  # the chart's key
        assert isinstance(key, Text) and key.plain.startswith("step 12:  ━ conv1 ")
        assert {span.style for span in key.spans} >= {"red", "green", "blue", "dark_orange"}
        assert "⢕⢕ conv1" not in screen_text(app)  # plotext's legend, over the curves


async def test_what_cannot_be_shown_is_said(make_app: AppFactory,
                                            runs: dict[str, Path]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_run(pilot, runs["last"])
        assert view.state.kept == {2}
        await shows(pilot, "conv1 after epoch 2")
        await pilot.press("left_square_bracket")
        await shows(pilot, "Epoch 1 has no checkpoint (epochs with one: 2); train with "
                    "--keep-checkpoints all")
        assert not app.query_one(TopPatchesPanel).display  # epoch 2's patches: not shown
        await pilot.press("right_square_bracket")
        await shows(pilot, "conv1 after epoch 2")
        assert app.query_one(TopPatchesPanel).display
        app.post_message(InspectRequested(runs["mlp"]))  # shows the Filters view
        await wait_for(pilot, lambda: view.state.source == "saved run mlp-run")
        await pilot.press("5")
        await shows(pilot, "This model is an MLP (no conv layers)")
        await pilot.press("l")
        assert any("MLP" in n for n in notifications(app))
        await pilot.press("k", "m", "m")  # saliency works; Grad-CAM needs a conv layer
        await shows(pilot, "Can't show this: Grad-CAM needs a conv layer")
        await pilot.press("m")
        await shows(pilot, "test image 1 of 120, saliency")


async def test_a_damaged_cache_is_said_and_rebuilt(make_app: AppFactory,
                                                   runs: dict[str, Path]) -> None:
    from tui_cnn.core.inside.patches import cache_path

    path = cache_path(runs["cnn"], 1, 2)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"not an npz file")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_run(pilot, runs["cnn"])
        await shows(pilot, "damaged or out of date: computed again")
    assert np.load(path)["values"].shape == (8, 9)


def test_progress_is_posted_and_a_cancel_stops_the_work(runs: dict[str, Path]) -> None:
    from tui_cnn.core.inside.patches import cache_path

    cache_path(runs["cnn"], 2, 1).unlink(missing_ok=True)  # computed, not read
    posted: list[Message] = []
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 1  # cancelled after the first chunk

    rv = iw.LazyRunview()
    key = ("patches", 1, 1, 2)
    iw.guarded(key, posted.append,
               lambda: iw.patches(rv, str(runs["cnn"]), 2, 1, key, posted.append, cancelled))
    assert [type(m).__name__ for m in posted] == ["Progressed"]
    first = posted[0]
    assert isinstance(first, iw.Progressed) and (first.done, first.total) == (64, 120)
    posted.clear()
    iw.guarded(key, posted.append,
               lambda: iw.patches(rv, str(runs["cnn"]), 2, 1, key, posted.append,
                                  lambda: False))
    assert isinstance(posted[-1], iw.PatchesRead)
    assert [(m.done, m.total) for m in posted if isinstance(m, iw.Progressed)][-1] == \
        (120, 120)


async def test_stepping_away_cancels_the_views_work(make_app: AppFactory,
                                                    runs: dict[str, Path]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_run(pilot, runs["cnn"])
        await pilot.press("k")  # asks for an attribution map
        mine = [w for w in app.workers if w.node is view]
        await pilot.press("1")
        assert all(w.is_cancelled or w.is_finished for w in mine)
        await pilot.press("5")
        await shows(pilot, "test image 1 of 120")


async def test_the_view_follows_the_run_being_trained(make_app: AppFactory) -> None:
    app = make_app(runner_=None, arch=PRESETS["cnn-small"], epochs=2, keep_checkpoints="all",
                   train_size=300, test_size=120, batch_size=50)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape", "5", "v", "v", "v")  # the layer statistics
        view = view_of(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       timeout=60, what="the run to end")
        await pilot.press("5")
        assert view.state.live and view.state.epochs == [1, 2]
        assert view.series.steps[-1] == 12
        await shows(pilot, "g: next statistic")
        assert "after epoch 2" in app.query_one(LayerStatsPanel).histogram_note
        await pilot.press("v")
        await shows(pilot, "conv1 after epoch 2")


def test_state_helpers() -> None:
    assert kept_by_policy([1, 2, 3], "all") == {1, 2, 3}
    assert kept_by_policy([1, 2, 3], "last") == {3}
    assert kept_by_policy([1, 2, 3], "2") == {2, 3}
    s = InsideState(epochs=[1, 2, 3], epoch=3, kept={3}, source="run r")
    assert s.step_epoch(-1) and s.epoch == 2 and not s.follow
    assert "Epoch 2 has no checkpoint (epochs with one: 3)" in s.epoch_problem()
    assert s.step_epoch(-5) and s.epoch == 1
    assert not s.step_epoch(-1) and s.epoch == 1
    assert s.step_epoch(9) and s.epoch == 3 and s.follow
    s.test_size = 4
    s.step_image(-1)
    assert s.image == 3
    line = histogram_line("conv1", np.array([0, 1, 2, 4]), np.array([-1.0, 0, 1, 2, 3]), 60)
    assert line == "conv1        " + " ▂▄█" + " -1 … 3"  # bars: ceil(count / 4 * 8)
