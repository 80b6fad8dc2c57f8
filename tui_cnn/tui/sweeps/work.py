"""A sweep in the app: what the run controller's sweep worker does, and what it tells the App.

The controller (tui/controller.py, ``submit_sweep``) runs :func:`sweep_work` in a thread
worker. It calls the core's ``run_sweep`` with the LocalBackend: the trials train in worker
processes whose output goes to files in the sweep folder (``logs/``), so nothing writes to
the terminal the app draws on. Progress is posted as :class:`SweepProgressed` (a copy, at
most every ``POST_S`` seconds, and at once when a trial ends); torch is imported only in the
worker processes.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message

from tui_cnn.core.sweep.grid import SweepSpec
from tui_cnn.core.sweep.progress import SweepProgress

POST_S = 0.25
"""The sweep worker posts its progress at most this often (a trial's end goes at once)."""


@dataclass
class SweepJob:
    """A sweep for the controller: the grid, a title, and its stop flag."""

    title: str
    spec: SweepSpec
    workers: int | None = None  # None: what local_layout picks for the cores
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    progress: SweepProgress | None = None  # the last, once it ran

    @property
    def sweep_id(self) -> str:
        return self.spec.sweep_id()

    @property
    def running(self) -> bool:
        return not self.done.is_set()


@dataclass
class SweepStarting(Message):
    """The controller has started ``job``'s worker."""

    job: SweepJob


@dataclass
class SweepProgressed(Message):
    """Where a running sweep stands (a copy the main thread may keep)."""

    progress: SweepProgress


@dataclass
class SweepEnded(Message):
    """The sweep worker has ended: every trial ended, or it was stopped, or it failed."""

    job: SweepJob


class Throttle:
    """The run_sweep listener: posts a copy of the progress now and then."""

    def __init__(self, post: Callable[[Message], object], every_s: float = POST_S) -> None:
        self.post, self.every_s = post, every_s
        self.last = 0.0

    def __call__(self, progress: SweepProgress, index: int) -> None:
        now = time.monotonic()
        if progress.trials[index].ended or now - self.last >= self.every_s:
            self.last = now
            self.post(SweepProgressed(copy.deepcopy(progress)))


def sweep_work(job: SweepJob, post: Callable[[Message], object]) -> Callable[[], None]:
    """The thread worker's body: plan the sweep (skipping finished trials), run the rest."""

    def work() -> None:
        try:
            from tui_cnn.core.sweep.local import local_layout
            from tui_cnn.core.sweep.runner import LocalBackend, plan_sweep, run_sweep

            plan = plan_sweep(job.spec)
            logs = plan.store.path / "logs"
            logs.mkdir(exist_ok=True)
            base = job.spec.base
            workers, threads, gpus = local_layout(job.workers, base.threads, base.device)
            backend = LocalBackend(workers, threads, gpus, log_dir=str(logs))
            job.progress = run_sweep(plan, backend, job.stop, Throttle(post))
            post(SweepProgressed(copy.deepcopy(job.progress)))
        finally:
            job.done.set()

    return work
