"""Choose one of the chapter's exercises: what it trains and what to look for."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.exercises import Exercise

DEFAULT_SEEDS = 3
"""A comparison run as a sweep starts at this many seeds per variant (core.sweep.exercise's
EXERCISE_SEEDS; the dialog does not import the sweep core)."""
MAX_SEEDS = 10


@dataclass(frozen=True)
class ExercisePick:
    """The exercise chosen; ``seeds``: run it as a sweep with that many seeds per variant;
    ``retrain``: train runs that a finished identical run would answer."""

    number: int
    seeds: int | None = None
    retrain: bool = False  # train every run, even those a finished identical run answers


def sweep_line(exercise: Exercise, seeds: int | None) -> Text:
    """What s, + and - do, and whether the chosen exercise runs as a sweep."""
    if exercise.shows_filters:
        return Text("one run (sweeps are for the comparisons, 2 and 3)", style="dim")
    if seeds is None:
        return Text("once per variant · s: as a sweep with seeds, to tell a difference "
                    "from seed noise", style="dim")
    return Text.assemble(("as a sweep with ", "bold"), (f"{seeds} seeds", "bold cyan"),
                         (f" per variant ({seeds * len(exercise.configs)} trials in worker "
                          "processes) · +/-: seeds · s: once per variant", "bold"))


def reuse_text(reused: tuple[str, ...], retrain: bool, seeds: int | None) -> Text:
    """Which saved runs the exercise reuses instead of training, and what r does."""
    if seeds is not None:
        return Text("a sweep trains its own trials", style="dim")
    if not reused:
        return Text("")
    if retrain:
        return Text("trains every run again · r: reuse the finished identical runs",
                    style="bold")
    runs = "; ".join(line.removeprefix("reusing run ") for line in reused)
    again = "it" if len(reused) == 1 else "them"
    return Text.assemble(("reuses ", "bold"), (runs, "bold cyan"),
                         (f" (same settings, not trained again) · r: train {again} again",
                          "dim"))


def run_line(cfg: TrainConfig) -> str:
    return f"{cfg.arch.name} on {cfg.dataset}, {cfg.epochs} epochs, seed {cfg.seed}"


def details(exercise: Exercise) -> Text:
    """What it trains first (short), then the chapter's question and what to look for."""
    text = Text("Trains: " + "; then ".join(run_line(cfg) for cfg in exercise.configs),
                style="bold")
    text.append("\n" + exercise.question, style="italic")
    text.append("\n" + exercise.look_for)
    return text


class ExerciseScreen(ModalScreen[ExercisePick | None]):
    """Dismissed with the pick (the exercise, seeds for a sweep, whether to train again),
    or None when cancelled. s toggles "as a sweep with N seeds" (default 3), + and -
    change N; r: train the runs a finished identical run would answer, too."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        *(Binding(str(n), f"pick({n})", show=False) for n in (1, 2, 3)),
        Binding("s", "toggle_sweep", "Sweep", show=False),
        Binding("plus,equals_sign", "seeds(1)", "More seeds", show=False),
        Binding("minus", "seeds(-1)", "Fewer seeds", show=False),
        Binding("r", "toggle_retrain", "Train again", show=False),
    ]

    def __init__(self, exercises: tuple[Exercise, ...],
                 reused: dict[int, tuple[str, ...]] | None = None) -> None:
        """``reused``: per exercise, a line per finished identical run it would reuse."""
        super().__init__()
        self.exercises = exercises
        self.reused = reused or {}
        self.seeds: int | None = None  # None: once per variant
        self.retrain = False
        self.highlighted = exercises[0]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="exercises", classes="dialog"):
            yield Static("The chapter's exercises", classes="section-title")
            yield OptionList(*(Option(f"{e.number}  {e.title}", id=str(e.number))
                               for e in self.exercises), id="exercise-list")
            yield Static("enter or 1-3: train it, then compare · s: as a sweep of seeds · "
                         "esc: cancel", classes="dialog-note")
            yield Static("", id="exercise-sweep")
            yield Static("", id="exercise-reuse")
            yield Static("", id="exercise-details")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        exercise = self.exercises[int(str(event.option.id)) - 1]
        self.highlighted = exercise
        self.query_one("#exercise-details", Static).update(details(exercise))
        self._show_sweep()

    def _show_sweep(self) -> None:
        self.query_one("#exercise-sweep", Static).update(
            sweep_line(self.highlighted, self.seeds))
        self.query_one("#exercise-reuse", Static).update(reuse_text(
            self.reused.get(self.highlighted.number, ()), self.retrain, self.seeds))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(int(str(event.option.id)))

    def action_pick(self, number: int) -> None:
        one_run = self.exercises[number - 1].shows_filters
        self.dismiss(ExercisePick(number, None if one_run else self.seeds, self.retrain))

    def action_toggle_retrain(self) -> None:
        self.retrain = not self.retrain
        self._show_sweep()

    def action_toggle_sweep(self) -> None:
        self.seeds = DEFAULT_SEEDS if self.seeds is None else None
        self._show_sweep()

    def action_seeds(self, change: int) -> None:
        self.seeds = max(1, min(MAX_SEEDS, (self.seeds or DEFAULT_SEEDS) + change))
        self._show_sweep()
