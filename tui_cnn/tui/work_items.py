"""What the run controller (tui/controller.py) works on and tells the App: plans of runs,
background jobs, and the messages of their lives."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.control import StopFlag
from tui_cnn.core.events import RunEnded
from tui_cnn.core.exercises import Exercise
from tui_cnn.tui.session import TrainingSession

Post = Callable[[Message], object]


@dataclass
class Job:
    """Background work that is not one training run (the claims lab): ``work(stop, post)``
    runs on a worker thread, checks ``stop`` and posts its news with ``post``."""

    title: str
    work: Callable[[StopFlag, Post], None]
    stop: StopFlag = field(default_factory=StopFlag)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        return not self.done.is_set()


@dataclass
class JobEnded(Message):
    """A Job's worker has ended; ``error`` says why if it raised."""

    job: Job
    error: str | None = None


@dataclass
class Plan:
    """Configs to train in order, and what they are for (shown when the plan ends)."""

    title: str
    configs: list[TrainConfig]
    kind: str = "run"  # run, fork, resume, exercise
    exercise: Exercise | None = None
    base_run: str | None = None  # fork: the run forked; resume: the run carried on
    history_from: Path | None = None  # resume: the saved curves to carry on in the charts
    follow: Path | None = None  # attach: the live folder of a run training already
    ended: list[RunEnded] = field(default_factory=list)  # first: the runs reused, not trained
    reused: tuple[str, ...] = ()  # what was reused instead of trained, a line each

    @property
    def complete(self) -> bool:
        return (len(self.ended) == len(self.configs)
                and all(run.status == "finished" for run in self.ended))


@dataclass
class RunStarting(Message):
    """A run of ``plan`` is about to train ``config`` (run ``number`` of the plan's)."""

    config: TrainConfig
    plan: Plan
    number: int


@dataclass
class RunFailed(Message):
    """The worker raised: ``reason`` says what, plainly."""

    reason: str


@dataclass
class WorkerEnded(Message):
    """The training worker has ended (after its RunEnded, or a failure, or a stop)."""

    session: TrainingSession


@dataclass
class PlanEnded(Message):
    """Every run of ``plan`` has ended, or one stopped or failed and the rest were dropped."""

    plan: Plan
