"""The Draw view in the app (tab 6) and steering a run from the app: a saved run classifies
strokes drawn with the mouse and the keyboard, the prediction following the strokes; L
changes the learning rate of a real run at its next step (steps.jsonl, chart marker); m
carries a finished run on by one epoch; snapshots of the Draw view."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tui_cnn.core.config import PRESETS
from tui_cnn.core.events import StepMetrics
from tui_cnn.core.runs import list_runs, read_jsonl
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.canvas.canvas_view import DrawingPad
from tui_cnn.tui.draw.draw_view import DrawView
from tui_cnn.tui.setup.dataset_preview import DatasetPreview

from .conftest import AppFactory
from .helpers import notifications, screen_text, wait_for

SIZE = (120, 40)
SMALL = PRESETS["cnn-small"]


def draw_view(app: TuiCnnApp) -> DrawView:
    return app.screen_stack[0].query_one(DrawView)


async def stroke(pilot: Pilot[Any], points: list[tuple[int, int]]) -> None:
    await pilot.mouse_down(DrawingPad, offset=points[0])
    for point in points[1:]:
        await pilot.hover(DrawingPad, offset=point)
    await pilot.mouse_up(DrawingPad, offset=points[-1])


@pytest.fixture
def bars_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real saved run on an ImageFolder of horizontal / vertical bars (tests.imagefolder)."""
    from tests.imagefolder import write_folder
    from tui_cnn.core.config import TrainConfig
    from tui_cnn.core.datasets import ENV_CACHE_DIR
    from tui_cnn.core.train import run

    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    cfg = TrainConfig(arch=SMALL, dataset="folder", epochs=2, batch_size=16, seed=1,
                      data_dir=str(write_folder(tmp_path / "shapes", per_class=50)),
                      threads=1, runs_dir=str(tmp_path / "runs"))
    ended = list(run(cfg))[-1]
    return Path(ended.run_dir)


@pytest.mark.slow
async def test_draw_view_classifies_strokes_as_they_are_drawn(
        make_app: AppFactory, bars_run: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause(0.3)
        await pilot.press("d")  # the run under the Runs view's cursor: the only one
        view = draw_view(app)
        await wait_for(pilot, lambda: app.active_view() == "draw", what="the Draw view")
        assert view.sources.saved == str(bars_run) and view.sources.kind == "saved"
        canvas = view.canvas
        await stroke(pilot, [(x, 7) for x in range(7, 23)])  # a horizontal bar, by mouse
        await wait_for(pilot, lambda: canvas.top and canvas.top[0][0] == "hbar",
                       what="hbar on top")
        await wait_for(pilot, lambda: canvas.attribution is not None, what="Grad-CAM")
        assert canvas.maps is not None and len(canvas.maps) == 8
        assert "prepared+grad-cam" in screen_text(app)
        await pilot.press("c")  # the canvas has the focus: c clears it
        await wait_for(pilot, lambda: not canvas.top, what="the bars cleared")
        await stroke(pilot, [(14, y) for y in range(2, 13)])  # a vertical bar
        await wait_for(pilot, lambda: canvas.top and canvas.top[0][0] == "vbar",
                       what="vbar on top")
        await pilot.press("c")  # the keyboard alone: a row of stamps with space
        for _ in range(14):
            await pilot.press("space", "right")
        await wait_for(pilot, lambda: canvas.top and canvas.top[0][0] == "hbar",
                       what="hbar from the keyboard")
        await pilot.press("k")  # the first test image onto the canvas, to edit
        await wait_for(pilot, lambda: view.image_index == 0, what="a test image")
        assert "Test image 1 of" in view.note_text and canvas.state.pixels.max() > 0
        await wait_for(pilot, lambda: canvas.top and canvas.top[0][0] in view.note_text,
                       what="the test image classified")


async def test_draw_view_without_a_model_says_how_to_get_one(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        view = draw_view(app)
        await wait_for(pilot, lambda: app.focused is view.canvas, what="the canvas focused")
        await pilot.press("space")
        assert view.canvas.state.pixels.max() > 0
        assert "No model yet" in screen_text(app)
        await pilot.press("o")
        assert any("no saved run chosen" in text for text in notifications(app))


async def test_lr_change_reaches_the_next_step_and_the_chart(
        make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(runner_=None, arch=SMALL, epochs=200, log_every=1, schedule="constant")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        loss = app.training_view.loss_chart
        await wait_for(pilot, lambda: loss.steps, timeout=120, what="the first steps")
        await pilot.press("L")
        await pilot.press(*"2e-4", "enter")  # the field starts selected: typing replaces it
        await wait_for(pilot, lambda: loss.marks, timeout=60, what="the marker")
        assert app.training_view.acc_chart.marks == loss.marks
        await wait_for(pilot, lambda: app.session is not None and app.session.lr == 2e-4,
                       what="a step at the new rate")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       timeout=60, what="the run to stop")
    [record] = list_runs(tmp_path / "runs")
    rows = read_jsonl(record.path / "steps.jsonl", [])
    at = next(i for i, row in enumerate(rows) if row.get("kind") == "lr")
    change, after = rows[at], rows[at + 1]
    assert change["lr"] == 2e-4 and change["previous"] == pytest.approx(4e-3)
    assert after["step"] == change["step"] + 1 and after["lr"] == pytest.approx(2e-4)
    assert rows[at - 1]["lr"] == pytest.approx(4e-3)
    assert loss.marks == [change["step"] / StepMetrics(**{  # x in epochs
        k: rows[at - 1][k] for k in StepMetrics.__dataclass_fields__}).steps_per_epoch]


async def test_a_bad_learning_rate_is_explained(make_app: AppFactory) -> None:
    app = make_app(epochs=50)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.session is not None
                       and app.session.started is not None, what="the run")
        await pilot.press("L", *"fast", "enter")
        assert "learning rate must be a number" in screen_text(app)
        await pilot.press("backspace")  # new text: the old answer's error goes
        assert "learning rate must be a number" not in screen_text(app)
        await pilot.press("escape", "x")


async def test_one_more_epoch_carries_a_finished_run_on(make_app: AppFactory,
                                                        tmp_path: Path) -> None:
    app = make_app(runner_=None, arch=SMALL, epochs=1, train_size=256, test_size=64)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.session is not None and app.session.ended,
                       timeout=120, what="the run to end")
        first = app.session
        await wait_for(pilot, lambda: not app.controller.busy, what="the plan to end")
        await pilot.press("1", "m")
        await wait_for(pilot, lambda: app.session is not first and app.session is not None
                       and app.session.ended, timeout=120, what="the extra epoch")
        assert app.session is not None and app.session.ended is not None
        assert app.session.ended.status == "finished" and app.session.ended.epochs_done == 2
    [record] = list_runs(tmp_path / "runs")
    assert [row["epoch"] for row in record.epochs] == [1, 2]
    assert json.loads((record.path / "config.json").read_text())["epochs"] == 2


Snap = Callable[..., bool]


async def drawn(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, TuiCnnApp)
    app.theme = "textual-dark"
    await wait_for(pilot, lambda: app.query_one(DatasetPreview).images is not None,
                   what="the dataset preview")
    await pilot.press("6")
    for key in ("up",) * 6 + ("space", "down") * 12:
        await pilot.press(key)
    await pilot.pause(0.3)
    app.clear_notifications()
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_draw_view_snapshot(snap_compare: Snap, make_app: AppFactory, size: tuple[int, int],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert snap_compare(make_app(), terminal_size=size, run_before=drawn)




async def test_the_dataset_panel_sets_the_folder_fields(make_app: AppFactory,
                                                        tmp_path: Path) -> None:
    from textual.widgets import Input, Select

    from tests.imagefolder import write_folder
    from tui_cnn.core.config import ConfigError

    folder = write_folder(tmp_path / "shapes", per_class=5)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        fields = app.panel.data.folder
        assert not fields.display
        app.query_one("#dataset-select", Select).value = "folder"
        await pilot.pause()
        assert fields.display
        dir_input = app.query_one("#folder-dir Input", Input)
        dir_input.value = str(folder)
        app.query_one("#folder-test-fraction Input", Input).value = "0.5"
        app.query_one("#folder-image-size Input", Input).value = "32"
        app.query_one("#folder-channels Input", Input).value = "3"
        await pilot.pause()
        cfg = app.panel.build_config()
        assert (cfg.dataset, cfg.data_dir, cfg.test_fraction, cfg.image_size,
                cfg.channels) == ("folder", str(folder), 0.5, 32, 3)
        assert app.panel.data.state == "your folder"
        app.query_one("#folder-channels Input", Input).value = "2"
        await pilot.pause()
        with pytest.raises(ConfigError, match=r"channels must be 1 \(grey\) or 3 \(RGB\)"):
            app.panel.build_config()
