"""Views, keys, help, command palette, sizes, start-up choices, import hygiene."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from textual.command import CommandPalette
from textual.widgets import Checkbox, Static, TabbedContent

from tui_cnn.core.config import ConfigError
from tui_cnn.tui import startup
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.dialogs.help import HelpScreen
from tui_cnn.tui.keys import KEYS
from tui_cnn.tui.setup.dataset_preview import DatasetPreview

from .conftest import AppFactory
from .helpers import footer_keys, notifications, screen_text, wait_for


async def test_number_keys_switch_views(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tabs = app.query_one(TabbedContent)
        await pilot.press("escape")
        for key, view in (("2", "filters"), ("3", "params"), ("4", "runs"), ("1", "training")):
            await pilot.press(key)
            assert tabs.active == view
        for placeholder in ("#filters-view", "#params-view", "#runs-view"):
            assert app.query_one(placeholder)


async def test_help_lists_every_key(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        keys_list = app.screen.query_one("#help")
        while keys_list.scroll_y < keys_list.max_scroll_y:  # more keys than rows: page on
            keys_list.scroll_page_down(animate=False)
            await pilot.pause(0.1)
            text += screen_text(app)
        for key in KEYS:
            assert key.help in text, key.help
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_action_is_in_the_command_palette(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {key.title for key in KEYS} <= titles
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await pilot.press(*"Show the Runs view")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "runs",
                       what="the Runs view")


async def test_setup_panel_hides_and_shows(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape", "s")
        assert not app.panel.display
        await pilot.press("s")
        assert app.panel.display


async def test_panel_hidden_for_room_takes_no_keys(make_app: AppFactory) -> None:
    """At 80 columns a view switch hides the setup panel; the focus must leave it, or
    the keys go to a hidden field (space ticked the hidden batch-norm checkbox)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.focused is not None and app.panel in app.focused.ancestors_with_self
        batch_norm = app.panel.query_one("#batch-norm", Checkbox).value
        await pilot.press("2")
        await pilot.pause(0.1)
        assert not app.panel.display
        assert app.focused is not None and app.panel not in app.focused.ancestors_with_self
        await pilot.press("space")
        assert app.panel.query_one("#batch-norm", Checkbox).value == batch_norm
        assert any("Nothing to pause" in said for said in notifications(app))


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60), (60, 20)])
async def test_resizes_without_errors(make_app: AppFactory, size: tuple[int, int]) -> None:
    app = make_app(epochs=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.session and app.session.ended, what="the run")
        await pilot.resize_terminal(*size)
        await pilot.pause(0.5)
        app.training_view.loss_chart.refresh()
        await pilot.pause(0.1)
        assert app.training_view.loss_chart.renders > 0
        assert app.panel.region.width > 0


async def test_no_color_still_renders(make_app: AppFactory,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(epochs=1)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.session and app.session.ended, what="the run")
        await pilot.pause(0.5)
        assert "loss by epoch" in screen_text(app)


def test_startup_choices_are_kept() -> None:
    cfg, notices = startup.initial_config(arch="cnn-stride2", dataset="synth-shapes", epochs=7,
                                          device="cpu", data_dir="/d", runs_dir="/r")
    assert (cfg.arch.name, cfg.dataset, cfg.epochs, cfg.device) == (
        "cnn-stride2", "synth-shapes", 7, "cpu")
    assert (cfg.data_dir, cfg.runs_dir, notices) == ("/d", "/r", [])
    with pytest.raises(ConfigError, match="unknown architecture"):
        startup.initial_config(arch="resnet", dataset=None, epochs=None, device=None,
                               data_dir=None, runs_dir=None)


def test_offline_default_is_synth_digits_with_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "availability", lambda name, data_dir: "not downloaded")
    cfg, notices = startup.initial_config(arch=None, dataset=None, epochs=None, device=None,
                                          data_dir=None, runs_dir=None)
    assert cfg.dataset == "synth-digits"
    assert notices == [startup.MNIST_MISSING]
    monkeypatch.setattr(startup, "availability", lambda name, data_dir: "present")
    cfg, notices = startup.initial_config(arch=None, dataset=None, epochs=None, device=None,
                                          data_dir=None, runs_dir=None)
    assert (cfg.dataset, notices) == ("mnist", [])


async def test_app_opens_with_the_choices_selected(make_app: AppFactory) -> None:
    cfg, notices = startup.initial_config(arch="mlp", dataset="synth-shapes", epochs=5,
                                          device="cpu", data_dir=None, runs_dir=None)
    app = TuiCnnApp(cfg, devices=[("cpu", "cpu (test)")], notices=["hello there"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        setup = app.panel.setup
        assert (setup.arch.name, setup.dataset, setup.device) == ("mlp", "synth-shapes", "cpu")
        assert app.panel.hyper.values()["epochs"] == 5
        assert "hello there" in notifications(app)


def test_mounting_the_app_does_not_import_torch() -> None:
    code = textwrap.dedent("""
        import asyncio, sys
        from tui_cnn.tui.app import TuiCnnApp
        async def main():
            app = TuiCnnApp(devices=[("cpu", "cpu")])
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause(0.5)
        asyncio.run(main())
        print("torch" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.strip().splitlines()[-1] == "False"


async def test_dataset_picker_notices_a_finished_download(
        make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui_cnn.tui.setup import dataset_picker

    state = ["not downloaded"]
    images = np.zeros((10, 1, 28, 28), dtype=np.uint8)
    monkeypatch.setattr(dataset_picker, "availability", lambda name, data_dir: state[0])
    monkeypatch.setattr(dataset_picker, "sample_images",
                        lambda name, data_dir, count_per_class: (images, np.arange(10)))
    app = make_app(dataset="mnist", download=True)
    async with app.run_test(size=(120, 40)) as pilot:
        info = app.query_one("#dataset-info", Static)
        assert "it downloads when you start" in str(info.render())
        state[0] = "present"  # as if the run downloaded it
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: "downloaded: ready" in str(info.render()),
                       what="the picker to notice the download")
        preview = app.query_one(DatasetPreview)
        await wait_for(pilot, lambda: preview.images is not None, what="the preview")


@pytest.mark.parametrize(("env", "fps"), [(None, 120), ("30", 30)])
def test_the_app_asks_textual_for_120_fps_unless_the_user_chose(env: str | None,
                                                               fps: int) -> None:
    import os

    environ = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    if env is not None:
        environ["TEXTUAL_FPS"] = env
    code = "import tui_cnn.tui.app; from textual import constants; print(constants.MAX_FPS)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=environ, check=True, timeout=60)
    assert out.stdout.split() == [str(fps)]


async def test_view_switches_mount_nothing_in_the_footer(make_app: AppFactory) -> None:
    """The footer is one widget drawn as text: a view switch changes its keys without
    composing widgets (Textual's Footer composed a widget per key, on every switch, and
    kept the old ones: Textualize/textual#6666)."""
    from tui_cnn.tui.widgets.footer import KeysFooter

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape")
        footer = app.query_one(KeysFooter)
        widgets = len(list(app.screen.walk_children()))
        for key in "2121212121":
            await pilot.press(key)
            await pilot.pause(0.05)
            assert ("n" in footer_keys(app)) == (key == "2")
        await pilot.pause(0.2)
        assert not footer.children
        assert len(list(app.screen.walk_children())) == widgets


async def test_clicking_a_footer_key_presses_it(make_app: AppFactory) -> None:
    from tui_cnn.tui.widgets.footer import KeysFooter

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape")
        footer = app.query_one(KeysFooter)
        footer.text  # noqa: B018 (lays out the keys' columns)
        column = next(start for start, _end, key in footer._spans if key == "4")
        await pilot.click(KeysFooter, offset=(column, 0))
        assert app.query_one(TabbedContent).active == "runs"


def test_animations_are_off_unless_asked_for(make_app: AppFactory,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    assert make_app().animation_level == "none"
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "full")
    monkeypatch.setattr("textual.constants.TEXTUAL_ANIMATIONS", "full")
    assert make_app().animation_level == "full"
