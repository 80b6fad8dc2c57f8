"""The parent's side of a sweep in a process of its own: follow its stream from the first
line (replayed, then as written), rebuilding the SweepProgress the sweep's process holds,
and turn the caller's stop into a ``stop`` command. A sweep process that dies without
saying it ended (SIGKILL, the OOM killer) is seen within a poll: its trials still going
read killed, as the sweep store reads them, and a re-run resumes the sweep. No torch.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tui_cnn.core.events import ControlNote
from tui_cnn.core.live.control import ControlError, append_command
from tui_cnn.core.live.paths import CONTROL, EVENTS, sweep_live_dir
from tui_cnn.core.live.registry import LiveRun, live_run, live_runs
from tui_cnn.core.live.state import LIVE_STATES, liveness, read_state
from tui_cnn.core.live.sweep_stream import NoteListener, SweepEventReader
from tui_cnn.core.sweep.progress import SweepProgress

Listener = Callable[[SweepProgress, int], None]
"""run_sweep's listener shape: called with the progress and the trial it just moved."""
KILLED, DETACHED = "killed", "detached"


@dataclass
class FollowedSweep:
    """How following ended: "finished" or "stopped" (the sweep process said so),
    "killed" (it died without saying), "detached" (the caller stopped following)."""

    status: str
    progress: SweepProgress | None


def follow_sweep(folder: Path, stop: threading.Event, detached: threading.Event,
                 listener: Listener | None = None,
                 process: subprocess.Popen[bytes] | None = None,
                 poll_s: float = 0.1, noted: NoteListener | None = None) -> FollowedSweep:
    """Follow the sweep of live folder ``folder`` until it ends, dies or ``detached`` is
    set; ``noted`` gets what its process did with each control command (``replayed``: said
    before this follower came). Raises what the sweep process failed with (a ConfigError:
    already running...)."""
    reader = SweepEventReader(folder / EVENTS)
    stop_sent = False
    caught_up = False

    def note(control: ControlNote) -> None:
        if noted is not None:
            noted(control if caught_up else replace(control, replayed=True))

    while not detached.is_set():
        if stop.is_set() and not stop_sent:
            stop_sent = True
            with contextlib.suppress(OSError, ControlError):
                append_command(folder / CONTROL, "stop")
        state = None if process is not None else read_state(folder)
        running = process.poll() is None if process is not None else (
            liveness(state) in LIVE_STATES)  # before reading: what it wrote is read below
        lines = reader.read(listener, note)
        caught_up = True
        replay = reader.replay
        if replay.ended is None and state is not None and state.ended is not None:
            lines += reader.read(listener, note)  # it said so in live.json first: the
            replay.ended = replay.ended or state.ended  # stream's line follows at once
        if replay.ended is not None:
            if process is not None:  # it is closing its files: reap it, not leave a zombie
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
            return FollowedSweep(replay.ended, replay.progress)
        if not lines and not running:
            return FollowedSweep(KILLED, _killed(replay.progress, _pid(folder, process)))
        if not lines:
            detached.wait(poll_s)
    return FollowedSweep(DETACHED, reader.replay.progress)


def _pid(folder: Path, process: subprocess.Popen[bytes] | None) -> int | str:
    if process is not None:
        return process.pid
    state = read_state(folder)
    return state.pid if state is not None else "?"


def _killed(progress: SweepProgress | None, pid: int | str) -> SweepProgress | None:
    """The trials the dead sweep process was running, ended as killed."""
    if progress is None:
        return None
    for trial in progress.trials.values():
        if trial.status in ("assigned", "running"):
            progress.update(trial.index, "end", {
                "status": KILLED, "run_id": trial.run_id,
                "reason": f"the sweep's process ({pid}) died (killed?); r re-runs it"})
    return progress


def live_sweeps(runs_dir: str | os.PathLike[str] | None) -> list[LiveRun]:
    """The sweeps going in a process of their own now, newest first (``state.run_id``:
    the sweep id)."""
    return live_runs(runs_dir, kind="sweep")


def live_sweep(runs_dir: str | os.PathLike[str] | None, sweep_id: str) -> LiveRun | None:
    """Sweep ``sweep_id``'s process, if it is going now."""
    found = live_run(sweep_live_dir(runs_dir, sweep_id))
    return found if found is not None and found.live else None
