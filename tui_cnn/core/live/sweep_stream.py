"""A sweep's event stream, ``events.jsonl`` of its live folder: what run_sweep's backend
told it, one plain JSON object a line, written by the sweep's process (sweep_child.py).

  {"type": "planned", "sweep_id", "labels": {"0": "seed=0", ...}, "workers", "skipped"}
  {"type": "message", "index": 0, "kind": "assigned", "payload": {"pid": 123}}  (many)
  {"type": "control", "seq": 3, "command": "stop", "applied": true, "message": "..."}
      (what it did with a line of control.jsonl: every follower learns of a stop)
  {"type": "ended", "status": "finished" | "stopped", "counts": {"finished": 2}}
  {"type": "Failure", "error", "message"}   (the sweep could not run; as stream.py's)

A reader rebuilds the sweep's SweepProgress by replaying the messages
(``SweepProgress.update``): the same progress the sweep's process holds. A float that is
not finite (a diverged trial's loss) is written as null.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_cnn.core.events import ControlNote
from tui_cnn.core.live.stream import FAILURE, LineTail, raise_failure
from tui_cnn.core.sweep.progress import SweepProgress

PLANNED, MESSAGE, CONTROL, ENDED = "planned", "message", "control", "ended"
NoteListener = Callable[[ControlNote], None]


def plain(value: Any) -> Any:
    """``value`` with every non-finite float as None and tuples as lists: strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class SweepEventWriter:
    """The sweep process's side; thread-safe (the control thread may write too)."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                           0o644)
        self._lock = threading.Lock()

    def _write(self, row: dict[str, Any]) -> None:
        line = (json.dumps(plain(row), allow_nan=False) + "\n").encode()
        with self._lock:
            if self._fd >= 0:
                os.write(self._fd, line)  # one write per line: readers never see half

    def planned(self, sweep_id: str, labels: dict[int, str], workers: int,
                skipped: tuple[int, ...]) -> None:
        self._write({"type": PLANNED, "sweep_id": sweep_id, "labels": labels,
                     "workers": workers, "skipped": list(skipped)})

    def message(self, index: int, kind: str, payload: dict[str, Any]) -> None:
        self._write({"type": MESSAGE, "index": index, "kind": kind, "payload": payload})

    def control(self, note: ControlNote) -> None:
        self._write({"type": CONTROL, "seq": note.seq, "command": note.command,
                     "applied": note.applied, "message": note.message})

    def ended(self, status: str, counts: dict[str, int]) -> None:
        self._write({"type": ENDED, "status": status, "counts": counts})

    def failure(self, exc: BaseException) -> None:
        self._write({"type": FAILURE, "error": type(exc).__name__, "message": str(exc)})

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


@dataclass
class SweepReplay:
    """What a reader rebuilt so far: the progress (once planned) and the end."""

    progress: SweepProgress | None = None
    ended: str | None = None  # the sweep process's end status, once it said it
    stopping: bool = False  # it took a stop (from any app, or tui-cnn ctl)
    skipped_lines: int = 0

    def apply(self, row: Any) -> int | ControlNote | None:
        """Take one line; the trial it moved (a message), or the note (a control row)."""
        if not isinstance(row, dict):
            self.skipped_lines += 1
        elif row.get("type") == PLANNED:
            labels = {int(k): str(v) for k, v in dict(row["labels"]).items()}
            self.progress = SweepProgress.of(str(row["sweep_id"]), labels,
                                             int(row["workers"]),
                                             tuple(int(i) for i in row["skipped"]))
        elif row.get("type") == MESSAGE and self.progress is not None:
            index = int(row["index"])
            if index in self.progress.trials:
                self.progress.update(index, str(row["kind"]), dict(row["payload"]))
                return index
        elif row.get("type") == CONTROL:
            note = control_note(row)
            self.stopping = self.stopping or note.applied and note.command == "stop"
            return note
        elif row.get("type") == ENDED:
            self.ended = str(row.get("status", "finished"))
        else:
            self.skipped_lines += 1
        return None


class SweepEventReader:
    """Reads the whole lines written since the last :meth:`read` into ``replay``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.replay = SweepReplay()
        self._tail = LineTail(path)

    def read(self, moved: Callable[[SweepProgress, int], None] | None = None,
             noted: NoteListener | None = None) -> int:
        """Take the new lines; ``moved(progress, index)`` right after each message (the
        progress as it was then, as run_sweep's listener sees it), ``noted(note)`` after
        each control row; how many lines there were."""
        count = 0
        for line in self._tail.lines():
            try:
                row = json.loads(line)
            except ValueError:
                self.replay.skipped_lines += 1
                continue
            if isinstance(row, dict) and row.get("type") == FAILURE:
                raise_failure(row)  # the sweep could not run: its exception, here
            try:
                moved_or_noted = self.replay.apply(row)
            except (ValueError, KeyError, TypeError):
                self.replay.skipped_lines += 1
                continue
            count += 1
            if isinstance(moved_or_noted, ControlNote):
                if noted is not None:
                    noted(moved_or_noted)
            elif (moved_or_noted is not None and moved is not None
                  and self.replay.progress is not None):
                moved(self.replay.progress, moved_or_noted)
        return count


def control_note(row: dict[str, Any]) -> ControlNote:
    """A control row of the stream as the ControlNote the sweep's process wrote."""
    return ControlNote(int(row["seq"]), str(row["command"]), bool(row["applied"]),
                       str(row["message"]))
