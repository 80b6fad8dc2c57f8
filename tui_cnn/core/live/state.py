"""The live-state file of a run trained in its own process: ``live.json``.

The child rewrites it atomically (temp file + ``os.replace``) about once a second (its
heartbeat) and whenever its status changes. A reader decides from it whether the run is
live: a status that is not ended, a pid that is a live process (not a zombie) and a
heartbeat at most STALE_S old. A child killed by SIGKILL leaves the file saying
"running": its pid is gone (or a zombie: runfiles.pid_alive) at once, so it reads as
killed within a poll.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from tui_cnn.core.live.paths import STATE
from tui_cnn.core.runfiles import RunStoreError, pid_alive, read_regular

HEARTBEAT_S = 1.0
STALE_S = 15.0
"""A heartbeat older than this, with the pid still there, reads as not responding (a
stopped process, or the pid taken by another one): never as running forever."""
LIVE_STATES = ("starting", "running", "paused", "stopping")


@dataclass(frozen=True)
class LiveState:
    pid: int
    run_id: str
    status: str = "starting"  # starting, running, paused, stopping, ended
    run_dir: str | None = None
    step: int = 0
    total_steps: int = 0
    epoch: int = 0
    epochs: int = 0
    heartbeat: float = field(default_factory=time.time)
    started: float = field(default_factory=time.time)
    acked: int = 0  # the last control command's seq the child took
    message: str = ""  # what it said about it (or about a line it could not read)
    ended: str | None = None  # the run's end status once ended
    kind: str = "run"  # "sweep": a sweep's process (sweep_child.py); step/total_steps
    # are then its trials ended (skipped ones included) and its trials in all

    @property
    def fraction(self) -> float:
        return self.step / self.total_steps if self.total_steps else 0.0


def liveness(state: LiveState | None, now: float | None = None) -> str:
    """live (starting, running, paused, stopping), ended, killed or not responding."""
    if state is None:
        return "missing"
    if state.status == "ended":
        return "ended"
    if not pid_alive(state.pid):
        return "killed"
    if (now or time.time()) - state.heartbeat > STALE_S:
        return "not responding"
    return state.status


def read_state(live_dir: Path) -> LiveState | None:
    """The live state in ``live_dir``, or None when missing or not one."""
    try:
        data = json.loads(read_regular(live_dir / STATE, 64 * 1024))
        names = set(LiveState.__dataclass_fields__)
        state = LiveState(**{k: v for k, v in data.items() if k in names})
    except (OSError, RunStoreError, ValueError, TypeError):
        return None
    if not isinstance(state.pid, int) or not isinstance(state.run_id, str):
        return None
    return state


def write_state(live_dir: Path, state: LiveState) -> None:
    """Atomically: temp file in the folder, then os.replace (no fsync: it is transient)."""
    fd, tmp = tempfile.mkstemp(dir=live_dir, prefix=".live.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(state), handle)
        os.replace(tmp, live_dir / STATE)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Heartbeat:
    """The child's live.json: :meth:`update` changes fields (and writes at once when the
    status changes); a thread rewrites it every HEARTBEAT_S with a fresh heartbeat."""

    def __init__(self, live_dir: Path, state: LiveState) -> None:
        self.live_dir, self._state = live_dir, state
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="tui-cnn-heartbeat",
                                        daemon=True)

    def start(self) -> Heartbeat:
        self._write()
        self._thread.start()
        return self

    @property
    def state(self) -> LiveState:
        return self._state

    def update(self, **changes: Any) -> None:
        with self._lock:
            before = self._state.status
            self._state = replace(self._state, **changes)
            now_status = self._state.status
        if now_status != before or "acked" in changes:
            self._write()

    def _write(self) -> None:
        with self._lock:
            self._state = replace(self._state, heartbeat=time.time())
            state = self._state
            with contextlib.suppress(OSError):
                write_state(self.live_dir, state)

    def _beat(self) -> None:
        while not self._done.wait(HEARTBEAT_S):
            self._write()

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2 * HEARTBEAT_S)
        self._write()
