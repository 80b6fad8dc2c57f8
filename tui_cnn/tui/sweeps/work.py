"""A sweep in the app: what the run controller's sweep worker does, and what it tells the App.

The controller (tui/controller.py, ``submit_sweep``) runs :func:`sweep_work` in a thread
worker. It starts the sweep in a process of its own (core/live/sweep_child.py: ``run_sweep``
with the LocalBackend, the workers' output in the sweep folder's ``logs/``, so nothing
writes to the terminal the app draws on) and follows it, or follows one already going
(``SweepJob.follow``, attached). The app can quit and leave it running (``detached``).
Progress is posted as :class:`SweepProgressed` (a copy, at most every ``POST_S`` seconds,
and at once when a trial ends), what the sweep's process did with a control command (this
app's, another app's, ``tui-cnn ctl``'s) as :class:`SweepNoted`; torch is never imported
in the app's process for it.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message

from tui_cnn.core.events import ControlNote
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
    follow: Path | None = None  # the live folder of a sweep going already: attach to it
    stop: threading.Event = field(default_factory=threading.Event)
    detached: threading.Event = field(default_factory=threading.Event)  # left running
    done: threading.Event = field(default_factory=threading.Event)
    progress: SweepProgress | None = None  # the last, once it ran
    outcome: str | None = None  # finished, stopped, killed or detached, once it ended
    stopping: bool = False  # its process took a stop (this app's, or another's)

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
class SweepNoted(Message):
    """The sweep's process took (or refused) a control command; ``ours``: this app had
    asked it to stop before the note came."""

    job: SweepJob
    note: ControlNote
    ours: bool


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
    """The thread worker's body: start the sweep's process (it skips finished trials) or
    take the one ``job.follow`` names, and follow it to its end (or until detached)."""

    def noted(note: ControlNote) -> None:
        post(SweepNoted(job, note, job.stop.is_set()))

    def work() -> None:
        try:
            from tui_cnn.core.live.sweep_follow import follow_sweep
            from tui_cnn.core.live.sweep_spawn import spawn_sweep

            process = None
            folder = job.follow
            if folder is None:
                child = spawn_sweep(job.spec, job.workers)
                folder, process = child.folder, child.process
            followed = follow_sweep(folder, job.stop, job.detached, Throttle(post), process,
                                    noted=noted)
            job.progress, job.outcome = followed.progress, followed.status
            if job.progress is not None:
                post(SweepProgressed(copy.deepcopy(job.progress)))
        finally:
            job.done.set()

    return work
