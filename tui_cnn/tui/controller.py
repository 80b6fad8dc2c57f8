"""The run controller: the app's one training worker and the queue of planned runs.

Owned by the App. Views never start runs: they post intents (messages.StartRequested,
ForkRequested, ...), the App turns each into a :class:`Plan` and submits it here. The
controller trains a plan's runs one after another in one thread worker, moves on when a
worker ends (never by polling), handles every worker's failure in one place, and tells the
App what happened through messages (RunStarting, RunFailed, WorkerEnded, PlanEnded).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import Worker, WorkerState

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.events import Event, RunEnded
from tui_cnn.core.exercises import Exercise
from tui_cnn.core.runs import RunStoreError
from tui_cnn.core.steer import Steering
from tui_cnn.tui.session import TrainingSession, freeze_after_first_step, pump

if TYPE_CHECKING:
    from textual.app import App

Runner = Callable[[TrainConfig, threading.Event, threading.Event, Steering], Iterator[Event]]
"""``core.train.run``'s shape: ``run(cfg, stop, pause, steering)``."""

PREPARATION_ERRORS = (ConfigError, DataError, RunStoreError)
"""What run() raises before training when the setup cannot work: said plainly."""

GROUP = "train"


def core_runner() -> Runner:
    from tui_cnn.core.train import run

    return run


@dataclass
class Plan:
    """Configs to train in order, and what they are for (shown when the plan ends)."""

    title: str
    configs: list[TrainConfig]
    kind: str = "run"  # run, fork, resume, exercise
    exercise: Exercise | None = None
    base_run: str | None = None  # fork: the run forked; resume: the run carried on
    history_from: Path | None = None  # resume: the saved curves to carry on in the charts
    ended: list[RunEnded] = field(default_factory=list)

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


class RunController:
    def __init__(self, app: App[int], runner: Runner | None = None) -> None:
        self.app = app
        self.runner = runner
        self.session: TrainingSession | None = None
        self.plan: Plan | None = None
        self.worker: Worker[None] | None = None
        self.reserve_core_for_ui = True

    @property
    def training(self) -> bool:
        return self.session is not None and self.session.running

    @property
    def busy(self) -> bool:
        """A plan is going (a run is training, or the next of its runs is about to)."""
        return self.plan is not None

    def refused(self, before: str) -> bool:
        """True, with a notice, if a run is going: a new one cannot start ``before`` it is
        stopped (e.g. "starting another")."""
        if self.training or self.busy:
            self.app.notify(f"A run is already going: stop it with x before {before}.",
                            severity="warning")
            return True
        return False

    def submit(self, plan: Plan) -> bool:
        """Start ``plan``'s first run; False (and a notice) if a run is going."""
        if self.refused("starting another"):
            return False
        self.plan = plan
        self._start_next()
        return True

    def _start_next(self) -> None:
        plan = self.plan
        assert plan is not None
        number = len(plan.ended)
        cfg = plan.configs[number]
        if number and len(plan.configs) > 1:
            self.app.notify(f"{plan.title}: run {number + 1} of {len(plan.configs)} starts.")
        self.session = TrainingSession(cfg)
        self.app.post_message(RunStarting(cfg, plan, number))
        self.worker = self.app.run_worker(
            self._train_in_thread(self.session), thread=True, exclusive=True, group=GROUP,
            exit_on_error=False, name=f"train {cfg.arch.name} on {cfg.dataset}")

    def _train_in_thread(self, session: TrainingSession) -> Callable[[], None]:
        runner, reserve = self.runner, self.reserve_core_for_ui
        post = self.app.post_message

        def work() -> None:
            try:
                run = runner or core_runner()
                cfg = session.config
                if cfg.threads is None:
                    from tui_cnn.core.devices import default_threads

                    cfg = cfg.replace(threads=default_threads(reserve_for_ui=reserve))
                events = run(cfg, session.stop, session.pause, session.steering)
                pump(freeze_after_first_step(events), post)
            finally:
                session.done.set()

        return work

    # The one place a training worker's end is handled -------------------------------------

    def worker_changed(self, event: Worker.StateChanged) -> None:
        """Called by the App for every worker state change of the training group."""
        if event.state == WorkerState.ERROR:
            self.app.post_message(RunFailed(describe_failure(event.worker.error)))
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            session = self.session
            if session is not None:
                self.app.post_message(WorkerEnded(session))

    def run_ended(self, session: TrainingSession) -> None:
        """After WorkerEnded has been shown: the plan's next run, or the plan's end."""
        plan = self.plan
        if plan is None or session is not self.session:
            return
        if session.ended is not None:
            plan.ended.append(session.ended)
        finished = session.ended is not None and session.ended.status == "finished"
        if finished and len(plan.ended) < len(plan.configs):
            self._start_next()
            return
        self.plan = None
        if plan.ended:  # a run that failed to start has already said why
            self.app.post_message(PlanEnded(plan))

    # Controls -----------------------------------------------------------------------------

    def toggle_pause(self) -> bool | None:
        """Pause or resume between batches; the new state (None: nothing to pause)."""
        session = self.session
        if session is None or not session.running or session.stop.is_set():
            return None
        if session.pause.is_set():
            session.pause.clear()
        else:
            session.pause.set()
        return session.pause.is_set()

    def steer(self, name: str, value: object) -> bool:
        """Ask the run going for a new learning rate ("lr") or target accuracy
        ("target_acc"), taken at its next step or epoch end; False when no run is going."""
        session = self.session
        if session is None or not session.running or session.stop.is_set():
            return False
        if name == "lr":
            session.steering.request_lr(str(value))
        else:
            session.steering.request_target(value if isinstance(value, float) else None)
        return True

    def stop(self, *, interrupt: bool = False) -> bool:
        """Stop the run at the next batch (saved as stopped, or interrupted); the rest of
        its plan is dropped when it ends. False when no run is going."""
        session = self.session
        if session is None or not session.running:
            return False
        if interrupt:
            session.stop.interrupt()
        session.stop.set()
        session.pause.clear()
        return True


def describe_failure(error: BaseException | None) -> str:
    if isinstance(error, PREPARATION_ERRORS):
        return f"Can't train: {error}"
    return f"Training failed: {type(error).__name__}: {error}"
