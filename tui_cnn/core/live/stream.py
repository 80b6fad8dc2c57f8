"""A run's event stream, ``events.jsonl``: written by the child, followed by any number of
readers from the first line on (replay, then follow), each on its own.

Step metrics, layer statistics and data progress are written in batches at most every
FLUSH_S (like the app's pump: nothing is dropped, the readers see them a little later);
every other event is written at once with whatever waited. A run that fails before it
starts ends the stream with one ``{"type": "Failure", "error": ..., "message": ...}``
line, which a reader raises as the exception the in-process loop would have raised.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tui_cnn.core.config import ConfigError
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.events import DataProgress, Event, LayerStatsReport, RunEnded, StepMetrics
from tui_cnn.core.live.codec import CodecError, decode, encode_line
from tui_cnn.core.runfiles import RunStoreError

FLUSH_S = 0.25
BATCHED = (StepMetrics, DataProgress, LayerStatsReport)
FAILURE = "Failure"
FAILURES: dict[str, type[Exception]] = {
    "ConfigError": ConfigError, "DataError": DataError, "RunStoreError": RunStoreError}


class TrainingProcessError(RuntimeError):
    """The training process failed in a way the in-process loop has no exception for."""


class EventWriter:
    """The child's side; thread-safe (control notes come from the control thread)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                           0o644)
        self._lock = threading.Lock()
        self._pending: list[bytes] = []
        self._last = -float("inf")
        self._clock = clock

    def write(self, event: Event) -> None:
        line = encode_line(event)
        with self._lock:
            self._pending.append(line)
            if isinstance(event, BATCHED) and self._clock() - self._last < FLUSH_S:
                return
            self._flush()

    def failure(self, exc: BaseException) -> None:
        """The run could not start (or the child broke): the stream's last line."""
        row = {"type": FAILURE, "error": type(exc).__name__, "message": str(exc)}
        with self._lock:
            self._pending.append((json.dumps(row) + "\n").encode())
            self._flush()

    def flush(self) -> None:
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        if self._pending and self._fd >= 0:
            os.write(self._fd, b"".join(self._pending))
        self._pending = []
        self._last = self._clock()

    def close(self) -> None:
        with self._lock:
            self._flush()
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def raise_failure(row: dict[str, object]) -> None:
    kind, message = str(row.get("error", "")), str(row.get("message", ""))
    if kind in FAILURES:
        raise FAILURES[kind](message)
    raise TrainingProcessError(f"{kind}: {message}" if kind else message)


class LineTail:
    """The whole lines appended to a file since the last :meth:`lines` (a line still being
    written waits for its newline); nothing while the file is not there yet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def lines(self) -> list[bytes]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        self._offset += len(chunk)
        whole, _, self._partial = (self._partial + chunk).rpartition(b"\n")
        return whole.split(b"\n") if whole else []


class EventReader:
    """A reader's side: the whole lines written since the last :meth:`read`, decoded. A
    line that is not an event is counted in ``skipped`` (a reader never stops for one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tail = LineTail(path)
        self.skipped = 0

    def read(self) -> list[Event]:
        found: list[Event] = []
        for line in self._tail.lines():
            try:
                row = json.loads(line)
            except ValueError:
                self.skipped += 1
                continue
            if isinstance(row, dict) and row.get("type") == FAILURE:
                raise_failure(row)
            try:
                found.append(decode(row))
            except CodecError:
                self.skipped += 1
        return found


def follow(path: Path, *, alive: Callable[[], bool], tick: Callable[[], None],
           detached: threading.Event, poll_s: float = 0.1) -> Iterator[Event]:
    """Every event of the stream from its first line, then each new one as it is written,
    until a RunEnded, ``detached`` is set, or the writer is gone (``alive()`` false) with
    nothing more to read. ``tick()`` is called between reads (the caller's controls)."""
    reader = EventReader(path)
    while not detached.is_set():
        tick()
        running = alive()  # before reading: what it wrote before dying is read below
        batch = reader.read()
        for event in batch:
            yield event
            if isinstance(event, RunEnded):
                return
        if not batch:
            if not running:
                return
            detached.wait(poll_s)
