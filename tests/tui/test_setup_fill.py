"""An exercise or a fork fills the setup panel with the settings it trains; the values the
user had typed there that it replaced are named in a notice (none when nothing typed was
replaced)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.exercises import FORK_FIELDS
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.dialogs.fork import ForkScreen
from tui_cnn.tui.runs.runs_view import RunsView

from .conftest import AppFactory
from .fakes import FakeRunner
from .helpers import notifications, screen_lines, wait_for
from .runstore import write_run

SIZE = (120, 40)
REPLACED = "The setup panel shows the"


async def type_into(pilot: Pilot[Any], app: TuiCnnApp, field_id: str, text: str) -> None:
    """Type ``text`` into a setup field as a user does: click in, clear it, type, leave."""
    field = app.panel.query_one(field_id).query_one(Input)
    field.focus()
    await pilot.press("end", *["backspace"] * len(field.value), *text, "escape")


def field_text(app: TuiCnnApp, field_id: str) -> str:
    return app.panel.query_one(field_id).query_one(Input).value


async def started(pilot: Pilot[Any], app: TuiCnnApp) -> TrainConfig:
    """The config of the run that started; the run is stopped after."""
    await wait_for(pilot, lambda: app.session is not None and app.session.started is not None,
                   timeout=30, what="the run to start")
    assert app.session is not None and app.session.started is not None
    await pilot.pause()
    return app.session.started.config


async def stop(pilot: Pilot[Any], app: TuiCnnApp) -> None:
    await pilot.press("x")
    await wait_for(pilot, lambda: not app.controller.busy and not app.controller.training,
                   timeout=30, what="the stop")


async def test_exercise_names_the_typed_values_it_replaced(make_app: AppFactory) -> None:
    app = make_app(runner_=FakeRunner(step_s=0.05))
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, app, "#epochs", "7")
        await type_into(pilot, app, "#lr", "0.01")
        await pilot.press("escape", "e", "1")
        cfg = await started(pilot, app)
        assert cfg.epochs != 7 and cfg.lr != 0.01
        assert field_text(app, "#epochs") == str(cfg.epochs)  # the panel shows what trains
        replaced = [n for n in notifications(app) if n.startswith(REPLACED)]
        assert replaced == ["The setup panel shows the exercise's settings while it trains: "
                            "they replaced what you had set (epochs 7, learning rate 0.01)."]
        await stop(pilot, app)


async def test_exercise_over_an_untouched_panel_says_nothing(make_app: AppFactory) -> None:
    app = make_app(runner_=FakeRunner(step_s=0.05))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "e", "1")
        await started(pilot, app)
        assert not [n for n in notifications(app) if n.startswith(REPLACED)]
        await stop(pilot, app)


async def test_fork_names_the_typed_values_it_replaced(make_app: AppFactory,
                                                       config: TrainConfig) -> None:
    write_run(Path(config.runs_dir or ""), "20261201-100000-cnn-synth-digits-a1b2",
              cfg=config.replace(epochs=3, lr=0.004), accs=(0.9, 0.95, 0.97))
    app = make_app(runner_=FakeRunner(step_s=0.05))
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, app, "#epochs", "9")
        await type_into(pilot, app, "#batch-size", "32")
        await pilot.press("escape", "4")
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: view.table.row_count == 1, what="the saved run")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForkScreen), what="the dialog")
        app.screen.query_one(OptionList).highlighted = list(FORK_FIELDS).index("lr")
        await pilot.pause()
        value = app.screen.query_one("#fork-value", Input)
        value.focus()
        value.value = ""
        await pilot.press(*"0.01", "enter")
        cfg = await started(pilot, app)
        assert (cfg.epochs, cfg.batch_size, cfg.lr) == (3, 64, 0.01)
        assert (field_text(app, "#epochs"), field_text(app, "#lr")) == ("3", "0.01")
        replaced = [n for n in notifications(app) if n.startswith(REPLACED)]
        assert replaced == ["The setup panel shows the fork's settings while it trains: "
                            "they replaced what you had set (epochs 9, batch size 32)."]
        await stop(pilot, app)


async def test_the_fork_dialog_fits_an_80x24_terminal(make_app: AppFactory,
                                                      config: TrainConfig) -> None:
    """Its field list shrinks to leave the value field and the key line on screen."""
    write_run(Path(config.runs_dir or ""), "20261201-100000-cnn-synth-digits-a1b2",
              cfg=config, accs=(0.9, 0.95))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape", "4")
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: view.table.row_count == 1, what="the saved run")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForkScreen), what="the dialog")
        await pilot.pause()
        lines = screen_lines(app)
        assert any("enter: start the fork" in line for line in lines), "\n".join(lines)
        value = app.screen.query_one("#fork-value", Input)
        assert value.region.height == 3 and value.region.bottom <= 24
        assert app.screen.query_one(OptionList).region.height >= 5  # still a list to pick from
