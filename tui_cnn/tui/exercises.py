"""Runs queued one after another through the app's one training worker (forks, resumes,
exercises), and what each exercise shows when its runs are done."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.events import RunEnded
from tui_cnn.core.exercises import Exercise
from tui_cnn.core.inspect import edge_summary
from tui_cnn.core.report import edge_scores_or_none, no_edge_scores
from tui_cnn.tui.session import TrainingSession

if TYPE_CHECKING:
    from textual.app import SystemCommand

    from tui_cnn.tui.app import TuiCnnApp

TICK_S = 0.25
"""How often the queue looks whether the running run has ended."""


@dataclass
class Plan:
    """Configs to train in order; ``then`` gets the runs that ended (all of them, or fewer
    when one was stopped or failed) and whether every run finished."""

    title: str
    configs: list[TrainConfig]
    then: Callable[[list[RunEnded], bool], None]
    after_start: Callable[[TrainConfig], None] | None = None  # e.g. load the saved curves
    ended: list[RunEnded] = field(default_factory=list)


class RunQueue:
    """Starts each run of a plan with ``app.start_run`` once the one before has ended."""

    def __init__(self, app: TuiCnnApp) -> None:
        self.app = app
        self.plan: Plan | None = None
        self.session: TrainingSession | None = None

    @property
    def busy(self) -> bool:
        return self.plan is not None

    def submit(self, plan: Plan) -> bool:
        """Start ``plan``'s first run; False (and a notice) if it cannot start now."""
        if self.plan is not None:
            self.app.notify(f"{self.plan.title} is still going: wait for it, or stop its "
                            "run with x.", severity="warning")
            return False
        self.plan = plan
        self._start_next()
        return self.plan is not None

    def _start_next(self) -> None:
        plan = self.plan
        assert plan is not None
        cfg = plan.configs[len(plan.ended)]
        self.session = self.app.start_run(cfg)
        if self.session is None:
            self._finish(False)
        elif plan.after_start is not None:
            plan.after_start(cfg)

    def tick(self) -> None:
        """Called on a timer: move on when the running run's worker has ended."""
        plan, session = self.plan, self.session
        if plan is None or session is None or session.running:
            return
        self.session = None
        if session.ended is not None:
            plan.ended.append(session.ended)
        finished = session.ended is not None and session.ended.status == "finished"
        if finished and len(plan.ended) < len(plan.configs):
            if len(plan.configs) > 1:
                self.app.notify(f"{plan.title}: run {len(plan.ended) + 1} of "
                                f"{len(plan.configs)} starts.")
            self._start_next()
        else:
            self._finish(finished and len(plan.ended) == len(plan.configs))

    def _finish(self, complete: bool) -> None:
        """Done, or cut short; ``then`` runs if any run ended (a run that failed to start
        has already said why)."""
        plan, self.plan = self.plan, None
        if plan is not None and plan.ended:
            plan.then(plan.ended, complete)


# ---- exercises ---------------------------------------------------------------------------


def exercise_commands(run_action: Callable[[str], object],
                      titles: dict[int, str]) -> Iterator[SystemCommand]:
    """One command palette entry per exercise."""
    from textual.app import SystemCommand

    for number, title in titles.items():
        yield SystemCommand(f"Exercise {number}: {title}",
                            "train the runs one after another, then compare them",
                            partial(run_action, f"exercise({number})"))


def edge_lines(run_dir: Path) -> list[str]:
    """How edge-like the layer-1 filters were before training, after the first and the last
    epoch (epoch-0.npy holds the initial weights), then any file that could not be used."""
    from tui_cnn.core.inference import stored_filters  # imports torch: on need

    found, problems = stored_filters(run_dir)
    epochs = sorted(found)
    lines = []
    for epoch in dict.fromkeys(epochs[:2] + epochs[-1:]):
        when = "before training" if epoch == 0 else f"after epoch {epoch}"
        scores = edge_scores_or_none(found[epoch])
        lines.append(f"{when}: " + (edge_summary(scores) if scores is not None
                                    else no_edge_scores(found[epoch])))
    return lines + problems or ["no filter snapshots were saved, so no edge scores"]


def note_text(exercise: Exercise, state: str, results: Sequence[str] = ()) -> Text:
    """The exercise's title and state, the chapter's question, what to look for, results."""
    text = Text.assemble((f"Exercise {exercise.number} · {exercise.title}", "bold"),
                         f" · {state}\n", (exercise.question, "italic"), "\n",
                         exercise.look_for)
    for line in results:
        text.append("\n" + line, style="bold")
    return text
