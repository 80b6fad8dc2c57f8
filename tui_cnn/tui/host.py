"""What the App's parts (tui/*/app_part.py) may use of the App: its controller, dialogs,
config, status line and a few actions. The parts are mixins of TuiCnnApp, each holding
one area's message handlers and key actions, so app.py stays the composition and the
router; this Protocol is their self-type (mypy checks every use against it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.geometry import Size
    from textual.screen import Screen
    from textual.widget import Widget

    from tui_cnn.core.config import TrainConfig
    from tui_cnn.core.events import RunEnded
    from tui_cnn.tui.controller import RunController
    from tui_cnn.tui.plans import PlanDialogs
    from tui_cnn.tui.setup.setup_panel import SetupPanel
    from tui_cnn.tui.training.training_view import TrainingView
    from tui_cnn.tui.widgets.status_line import StatusLine


class AppHost(Protocol):
    controller: RunController
    dialogs: PlanDialogs
    config: TrainConfig
    quitting: bool
    exit_code: int
    signal_received: int | None
    farewell: str

    @property
    def status(self) -> StatusLine: ...

    @property
    def training(self) -> bool: ...

    @property
    def screen_stack(self) -> list[Screen[Any]]: ...

    @property
    def is_running(self) -> bool: ...

    def setup_device(self) -> str: ...

    def leave(self) -> None: ...

    def stop_then_quit(self) -> None: ...

    def stop_sweep(self) -> None: ...

    def leave_training(self) -> None: ...

    def nothing_to(self, verb: str) -> None: ...

    def action_show_view(self, view: str) -> None: ...

    def action_stop(self, interrupt: bool = False) -> None: ...

    def refresh_bindings(self) -> None: ...

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...

    def post_message(self, message: Any) -> bool: ...

    def push_screen(self, screen: Any, callback: Any = None) -> Any: ...

    def set_timer(self, delay: float, callback: Any = None) -> Any: ...

    def exit(self, result: Any = None, return_code: int = 0, message: Any = None) -> None: ...

    def ask_quit(self) -> None: ...

    def main_view(self, kind: type[Widget]) -> Any: ...


class ViewsHost(AppHost, Protocol):
    """What the views' part (tui/views_part.py) uses besides AppHost: the panel, the
    screen's size, the focus helpers it defines itself."""

    _made_room: bool
    _said_small: bool  # the terminal is below 80x24 and that was said
    _shown_view: str | None

    @property
    def panel(self) -> SetupPanel: ...

    @property
    def size(self) -> Size: ...

    def query_one(self, selector: Any) -> Any: ...

    def call_after_refresh(self, callback: Any, *args: Any, **kwargs: Any) -> bool: ...

    def active_view(self) -> str | None: ...

    def focus_view(self) -> None: ...

    def make_room(self) -> None: ...

    def hide_panel(self) -> None: ...

    def _focus_out_of_panel(self) -> None: ...


class TrainingHost(AppHost, Protocol):
    """What the run's part (tui/training/app_part.py) uses besides AppHost: the panel, the
    Training view and the views' focus helpers."""

    @property
    def panel(self) -> SetupPanel: ...

    @property
    def training_view(self) -> TrainingView: ...

    def make_room(self) -> None: ...

    def focus_view(self) -> None: ...

    def start_run(self, cfg: TrainConfig) -> bool: ...

    def _announce(self, event: RunEnded) -> None: ...
