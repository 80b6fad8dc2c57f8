"""Choose one of the chapter's exercises: what it trains and what to look for."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.exercises import Exercise


def run_line(cfg: TrainConfig) -> str:
    return f"{cfg.arch.name} on {cfg.dataset}, {cfg.epochs} epochs, seed {cfg.seed}"


def details(exercise: Exercise) -> Text:
    """What it trains first (short), then the chapter's question and what to look for."""
    text = Text("Trains: " + "; then ".join(run_line(cfg) for cfg in exercise.configs),
                style="bold")
    text.append("\n" + exercise.question, style="italic")
    text.append("\n" + exercise.look_for)
    return text


class ExerciseScreen(ModalScreen[int | None]):
    """Dismissed with the exercise's number, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        *(Binding(str(n), f"pick({n})", show=False) for n in (1, 2, 3)),
    ]

    def __init__(self, exercises: tuple[Exercise, ...]) -> None:
        super().__init__()
        self.exercises = exercises

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="exercises", classes="dialog"):
            yield Static("The chapter's exercises", classes="section-title")
            yield OptionList(*(Option(f"{e.number}  {e.title}", id=str(e.number))
                               for e in self.exercises), id="exercise-list")
            yield Static("enter or 1-3: train it, then compare · esc: cancel",
                         classes="dialog-note")
            yield Static("", id="exercise-details")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        exercise = self.exercises[int(str(event.option.id)) - 1]
        self.query_one("#exercise-details", Static).update(details(exercise))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(str(event.option.id)))

    def action_pick(self, number: int) -> None:
        self.dismiss(number)
