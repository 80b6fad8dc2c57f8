"""The Textual app: composes the views, routes messages between them, and owns the run
controller (tui/controller.py), which owns the training worker and the queue of planned runs.

The three hops of a run: a view or a key posts an intent (or the `t` key reads the setup
panel) -> the App turns it into a Plan for the controller, whose worker iterates
``core.train.run`` and posts each batch of events -> the App hands each event to every
RunListener widget. Importing this module does not load torch: the worker imports the
core when a run starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TabbedContent
from textual.worker import Worker, WorkerState

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.events import ControlNote, RunEnded
from tui_cnn.core.perf import (
    freeze_imported_objects,
    share_cores_with_ui,
    space_full_collections,
    warm_up_imports,
)
from tui_cnn.tui import keys, signals
from tui_cnn.tui.claims.app_part import ClaimsPart
from tui_cnn.tui.claims.claims_view import ClaimsView
from tui_cnn.tui.controller import (
    GROUP,
    JOB_GROUP,
    SWEEP_GROUP,
    RunController,
    Runner,
)
from tui_cnn.tui.dialogs.help import HelpScreen
from tui_cnn.tui.draw.app_part import DrawPart
from tui_cnn.tui.draw.draw_view import DrawView
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.inside.inside_view import InsideView
from tui_cnn.tui.live.app_part import LivePart
from tui_cnn.tui.live.quit_part import QuitPart
from tui_cnn.tui.main_screen import QuickKeysApp
from tui_cnn.tui.messages import (
    CoreEvents,
    ExerciseRequested,
    SetupChanged,
    listeners,
)
from tui_cnn.tui.params.params_view import ParamsView
from tui_cnn.tui.plans import PlanDialogs, exercise_commands
from tui_cnn.tui.runs.app_part import RunsPart
from tui_cnn.tui.runs.runs_view import RunsView
from tui_cnn.tui.session import TrainingSession
from tui_cnn.tui.setup.setup_panel import SetupPanel
from tui_cnn.tui.sweeps.app_part import SweepsPart
from tui_cnn.tui.training.app_part import TrainingPart
from tui_cnn.tui.training.training_view import TrainingView
from tui_cnn.tui.views_part import NARROW_WIDTH, ViewsPart
from tui_cnn.tui.widgets.footer import KeysFooter
from tui_cnn.tui.widgets.status_line import StatusLine
from tui_cnn.tui.widgets.view_pane import ViewPane

ANIMATIONS_ENV = "TEXTUAL_ANIMATIONS"
"""Animations are off unless this variable asks for them: the tabs' sliding underline
redrew the screen ~10 times per view switch, on the thread the next key waits for and
under the GIL the trainer needs (measured: view switch to frame 27 -> 15 ms, median)."""


class TuiCnnApp(ViewsPart, TrainingPart, RunsPart, QuitPart, LivePart, ClaimsPart, SweepsPart,
                DrawPart, QuickKeysApp):
    """The areas' handlers live in their parts (tui/training, runs, live, claims, sweeps,
    draw: app_part.py; quitting: tui/live/quit_part.py); this class composes the screen and
    routes the run's events."""

    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    TITLE = "tui-cnn"
    BINDINGS = keys.bindings()
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]

    def __init__(self, config: TrainConfig | None = None, *, runner: Runner | None = None,
                 devices: list[tuple[str, str]] | None = None,
                 notices: Iterable[str] = (), attach: str | bool = False) -> None:
        """``runner`` replaces the process runner and ``devices`` the device search
        (tests); ``attach``: follow that live run (True: the newest) once up."""
        super().__init__()
        if ANIMATIONS_ENV not in os.environ:
            self.animation_level = "none"
        self.config = config or TrainConfig()
        self.controller = RunController(self, runner)
        self.dialogs = PlanDialogs(self, self.controller, self.config, self.setup_device)
        self._devices = devices
        self._notices = list(notices)
        self.quitting = False
        self.exit_code = 0
        self._made_room = False
        self._said_small = False
        self._shown_view: str | None = None  # a switch to another view moves the focus
        self.signal_received: int | None = None
        self._attach_to = attach

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield SetupPanel(self.config, id="setup")
            with TabbedContent(id="views", initial="training"):
                with ViewPane("1 Training", id="training"):
                    yield TrainingView(id="training-view")
                with ViewPane("2 Filters", id="filters"):
                    yield FiltersView(id="filters-view")
                with ViewPane("3 Parameters", id="params"):
                    yield ParamsView(id="params-view")
                with ViewPane("4 Runs", id="runs"):
                    yield RunsView(id="runs-view")
                with ViewPane("5 Inside", id="inside"):
                    yield InsideView(id="inside-view")
                with ViewPane("6 Draw", id="draw"):
                    yield DrawView(id="draw-view")
                with ViewPane("7 Claims", id="claims"):
                    yield ClaimsView(id="claims-view")
        yield StatusLine(id="status")
        yield KeysFooter(not_shown=self.keys_not_shown, labels=self.footer_labels,
                         spare=keys.FOOTER_SPARE)

    def on_mount(self) -> None:
        for notice in self._notices:
            self.notify(notice, timeout=10)
        if self._devices is not None:
            self.panel.devices.set_devices(self._devices)
        else:
            self.call_after_refresh(self._find_devices)
        self._shown_view = self.active_view()
        self.focus_view()
        signals.install(self.quit_for_signal)
        if self._attach_to is not False:
            ref = self._attach_to if isinstance(self._attach_to, str) else None
            self.call_after_refresh(self.attach_at_start, ref, self.config.runs_dir)
        else:
            self.announce_live_runs(self.config.runs_dir)
        self.call_after_refresh(freeze_imported_objects)  # the built app: keep full GCs short
        space_full_collections()  # and rare (the key presses' slow tail)

    def on_unmount(self) -> None:
        self.controller.stop()  # however the app ends, a run still going stops

    @property
    def session(self) -> TrainingSession | None:
        """The run the controller trains now, or trained last."""
        return self.controller.session

    def main_view(self, kind: type[Widget]) -> Any:
        """The one widget of ``kind`` on the main screen (the parts' way to a view)."""
        return self.screen_stack[0].query_one(kind)

    def setup_device(self) -> str:
        """The device chosen in the setup panel now."""
        return self.panel.setup.device

    @property
    def panel(self) -> SetupPanel:
        return self.query_one(SetupPanel)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def training_view(self) -> TrainingView:
        return self.query_one(TrainingView)

    @property
    def training(self) -> bool:
        """A run or a sweep is going."""
        return self.controller.training or self.controller.sweeping

    # Workers -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="devices")
    def _find_devices(self) -> list[tuple[str, str]]:
        from tui_cnn.core.devices import available_devices

        found = available_devices()
        warm_up_imports()
        share_cores_with_ui()
        freeze_imported_objects()  # torch is imported now: keep full GCs short
        return found

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's end, good or bad, is handled here or by the controller."""
        worker = event.worker
        if not self.is_running:  # shutting down: the widgets may be gone
            return
        if worker.group == "devices" and event.state == WorkerState.SUCCESS:
            self.panel.devices.set_devices(worker.result or [])
        elif worker.group == "devices" and event.state == WorkerState.ERROR:
            self.panel.devices.show_error(str(worker.error))
        elif worker.group == GROUP:
            self.controller.worker_changed(event)
        elif worker.group == JOB_GROUP:
            self.controller.job_changed(event)

        elif worker.group == SWEEP_GROUP:
            self.controller.sweep_worker_changed(event)

    # Messages ------------------------------------------------------------------------

    def on_core_events(self, message: CoreEvents) -> None:
        if not self.is_running:  # shutting down: the widgets may be gone
            return
        targets = list(listeners(self.screen_stack[0]))
        session = self.controller.session
        for event in message.events:
            if session is not None:
                session.note(event)
            for target in targets:
                target.on_run_event(event)
            if isinstance(event, RunEnded):
                self._announce(event)
            elif isinstance(event, ControlNote):
                self.control_noted(event)

    def on_setup_changed(self, message: SetupChanged) -> None:
        for target in listeners(self.screen_stack[0]):
            target.on_setup(message.setup)

    # Actions -------------------------------------------------------------------------

    def keys_not_shown(self) -> frozenset[str]:
        """The footer shows t (and f, R) when idle, space and x while training, esc while
        a text field has the focus."""
        hidden = keys.not_shown_when("training" if self.training else "idle",
                                     typing=isinstance(self.focused, Input))
        return hidden | {"pause"} if self.controller.sweeping else hidden  # a sweep: no pause

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key that belongs to one view (keys.Key.view) acts, and shows, only there."""
        view = keys.view_of(action)
        return view is None or view == self.active_view()

    async def _run_key(self, key: keys.Key) -> None:
        """A command palette entry: a view's key first shows its view."""
        if key.view is not None:
            self.action_show_view(key.view)
        await self.run_action(key.action)

    def action_exercises(self) -> None:
        self.post_message(ExerciseRequested())

    def action_exercise(self, number: int) -> None:
        self.post_message(ExerciseRequested(number))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command
        for key in keys.KEYS:
            yield SystemCommand(key.title, key.help, partial(self._run_key, key))
        # the titles of the exercises as they would train now (exercise 3 names its
        # stand-ins when CIFAR-10 or MNIST is not on disk), as the e dialog shows them
        titles = {n: e.title for n, e in enumerate(self.dialogs.current_exercises(), 1)}
        yield from exercise_commands(self.run_action, titles)

