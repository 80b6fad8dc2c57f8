"""The parent's side: a run in its own process, seen through the Runner shape the app
already drives, ``run(cfg, stop, pause, steering) -> Iterator[Event]``.

:class:`ProcessRunner` starts a child (spawn.py) and yields the events of its stream as
they come; a change of ``stop``, ``pause`` or ``steering`` becomes a command on the
control channel. :meth:`ProcessRunner.attach` gives the same for a run already going
(replayed from its first event). :meth:`ProcessRunner.detach` stops following and leaves
the run training. A child that dies without its RunEnded (SIGKILL, the OOM killer) ends
the stream with a RunEnded of status "killed"; its folder resumes as any killed run's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.events import ControlNote, EpochMetrics, Event, RunEnded, RunStarted
from tui_cnn.core.live.control import ControlError, append_command
from tui_cnn.core.live.paths import CONTROL, EVENTS, LOG
from tui_cnn.core.live.spawn import LiveRun, spawn
from tui_cnn.core.live.state import LIVE_STATES, liveness, read_state
from tui_cnn.core.live.stream import TrainingProcessError, follow
from tui_cnn.core.steer import Steering

KILLED = "killed"


class Commands:
    """Turns the caller's stop, pause and steering into control commands, once each."""

    def __init__(self, path: Path, stop: threading.Event, pause: threading.Event,
                 steering: Steering) -> None:
        self.path, self.stop, self.pause, self.steering = path, stop, pause, steering
        self.stop_sent = False
        self.paused = pause.is_set()
        self.target = steering.target_acc

    def send(self, cmd: str, value: object = None) -> None:
        with contextlib.suppress(OSError, ControlError):
            append_command(self.path, cmd, value)

    def tick(self) -> None:
        if self.stop.is_set() and not self.stop_sent:
            self.stop_sent = True
            self.send("stop", "interrupted" if getattr(self.stop, "reason", "") ==
                      "interrupted" else None)
        if self.pause.is_set() != self.paused and not self.stop_sent:
            self.paused = self.pause.is_set()
            self.send("pause" if self.paused else "resume")
        lr = self.steering.take_lr()
        if lr is not None:
            self.send("lr", lr)
        if self.steering.target_acc != self.target:
            self.target = self.steering.target_acc
            self.send("target", self.target)

    def note(self, event: Event) -> None:
        """A pause or resume another app (or ``tui-cnn ctl``) asked for is ours too."""
        if (isinstance(event, ControlNote) and event.applied
                and event.command in ("pause", "resume")):
            self.paused = event.command == "pause"
            (self.pause.set if self.paused else self.pause.clear)()


@dataclass
class Tracker:
    """What the stream said so far: enough to end a killed run's stream."""

    started: RunStarted | None = None
    epochs: int = 0
    steps: int = 0
    accs: tuple[float, ...] = ()
    ended: bool = False

    def note(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.started = event
            self.epochs = event.start_epoch - 1
        elif isinstance(event, EpochMetrics):
            self.epochs, self.steps = event.epoch, event.step
            self.accs = (*self.accs, event.test_acc)
        elif isinstance(event, RunEnded):
            self.ended = True

    def killed(self, why: str) -> RunEnded:
        started = self.started
        assert started is not None
        return RunEnded(KILLED, why, started.run_id, started.run_dir, self.epochs,
                        self.steps, self.accs[-1] if self.accs else None,
                        max(self.accs) if self.accs else None, 0.0, 0.0, started.params)


def written_lines(path: Path) -> int:
    """How many whole lines the file holds now (0 if it is not there)."""
    try:
        with open(path, "rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return 0


def follow_run(folder: Path, stop: threading.Event, pause: threading.Event,
               steering: Steering, detached: threading.Event,
               process: subprocess.Popen[bytes] | None = None,
               replay: bool = False) -> Iterator[Event]:
    """The events of the run whose live folder is ``folder``, until it ends (or is
    killed, or ``detached`` is set). With ``replay`` (attaching to a run going), the
    control notes written before now come marked ``replayed``: old news, not notices."""
    commands = Commands(folder / CONTROL, stop, pause, steering)
    tracker = Tracker()
    history = written_lines(folder / EVENTS) if replay else 0
    for seen, event in enumerate(_follow(folder, commands, detached, process)):
        if seen < history and isinstance(event, ControlNote):
            event = dataclasses.replace(event, replayed=True)
        commands.note(event)
        tracker.note(event)
        yield event
    if tracker.ended or detached.is_set():
        return
    yield from _end_of_stream(folder, tracker, stop, process)


def _follow(folder: Path, commands: Commands, detached: threading.Event,
            process: subprocess.Popen[bytes] | None) -> Iterator[Event]:

    def alive() -> bool:
        if process is not None:
            return process.poll() is None
        return liveness(read_state(folder)) in LIVE_STATES

    return follow(folder / EVENTS, alive=alive, tick=commands.tick, detached=detached)


def _end_of_stream(folder: Path, tracker: Tracker, stop: threading.Event,
                   process: subprocess.Popen[bytes] | None) -> Iterator[Event]:
    """A stream that stopped without its RunEnded: the child died (or never started)."""
    state = read_state(folder)
    pid = process.pid if process is not None else (state.pid if state else "?")
    if tracker.started is None:
        if stop.is_set():
            return  # stopped while its data loaded: nothing saved, as in-process
        raise TrainingProcessError(f"the training process ({pid}) ended before the run "
                                   f"started; its log: {folder / LOG}")
    yield tracker.killed(f"the training process ({pid}) died without saving (killed?); "
                         f"its folder keeps {tracker.epochs} epoch(s) and resumes (R in "
                         "the Runs view).")


def _removing(events: Iterator[Event], child: LiveRun,
              detached: threading.Event) -> Iterator[Event]:
    """``events``; then, for a run that is not saved (runs dir ""), its temp live folder is
    removed once the stream has ended and the child exited (not when the app only left
    it: the run still writes there)."""
    yield from events
    if not detached.is_set():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=10)
        shutil.rmtree(child.folder.parent, ignore_errors=True)


Runner = Callable[[TrainConfig, threading.Event, threading.Event, Steering],
                  Iterator[Event]]
"""``core.train.run``'s shape, ``run(cfg, stop, pause, steering)``: what the app's run
controller drives (tui/session.py)."""


class ProcessRunner:
    """``run(cfg, stop, pause, steering)``, each run in a process of its own."""

    def __init__(self) -> None:
        self.detached = threading.Event()

    def __call__(self, cfg: TrainConfig, stop: threading.Event, pause: threading.Event,
                 steering: Steering) -> Iterator[Event]:
        self.detached.clear()
        child = spawn(cfg)
        events = follow_run(child.folder, stop, pause, steering, self.detached, child.process)
        return events if cfg.runs_dir else _removing(events, child, self.detached)

    def attach(self, folder: Path) -> Runner:
        """A Runner that follows the run of live folder ``folder`` (its config unused)."""

        def run(cfg: TrainConfig, stop: threading.Event, pause: threading.Event,
                steering: Steering) -> Iterator[Event]:
            self.detached.clear()
            return follow_run(folder, stop, pause, steering, self.detached, replay=True)

        return run

    def detach(self) -> None:
        """Stop following every run; they go on training."""
        self.detached.set()
