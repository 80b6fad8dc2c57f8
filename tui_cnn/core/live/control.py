"""The control channel of a run trained in its own process: ``control.jsonl``.

Append-only, one JSON object per line: ``{"seq": N, "cmd": C, "value": V}`` with C one of
  pause            pause between batches       resume   go on
  stop             stop at the next batch, saved ("stopped"; value "interrupted": as a
                   signal would, saved "interrupted")
  lr               value: the new learning rate (as --lr takes it), from the next step
  target           value: a target accuracy (0.95 or "95%"; null: none)
Writers (the app, ``tui-cnn ctl``) append under an exclusive flock, which numbers the line
(``seq`` = lines before it + 1). The child polls the file's size (one stat) a few times a
second, takes each new whole line once, and acknowledges it in live.json (``acked``,
``message``) and in its event stream (a ControlNote). A line it cannot use (not JSON, an
unknown command, a bad value) is ignored, and said so in the same places and its log.
SIGTERM to the child is ``stop`` with "interrupted".
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_cnn.core.config import ConfigError
from tui_cnn.core.parse import parse_field

COMMANDS = ("pause", "resume", "stop", "lr", "target")
MAX_LINE = 4096


@dataclass(frozen=True)
class Command:
    seq: int
    cmd: str
    value: float | str | None = None


class ControlError(ValueError):
    """A line of control.jsonl that is not a command; the message says why."""


def check_value(cmd: str, value: object) -> float | str | None:
    """The command's value as the child takes it; ControlError naming what is wrong."""
    if cmd not in COMMANDS:
        raise ControlError(f"unknown command {cmd!r} (one of {', '.join(COMMANDS)})")
    try:
        if cmd == "lr":
            if value is None or isinstance(value, bool):
                raise ControlError("lr needs a value, e.g. lr 1e-3")
            return float(parse_field("lr", str(value)))
        if cmd == "target":
            parsed = None if value is None else parse_field("target_acc", str(value))
            return None if parsed is None else float(parsed)
    except ConfigError as exc:
        raise ControlError(str(exc)) from None
    if cmd == "stop":
        if value not in (None, "stopped", "interrupted"):
            raise ControlError(f"stop takes no value (or 'interrupted'), got {value!r}")
        return None if value is None else str(value)
    return None


def parse_line(line: bytes) -> Command:
    try:
        row = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise ControlError("not JSON") from None
    if not isinstance(row, dict) or not isinstance(row.get("cmd"), str):
        raise ControlError("not a command object with a 'cmd'")
    seq = row.get("seq", 0)
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise ControlError(f"seq must be a whole number, got {seq!r}")
    return Command(seq, row["cmd"], check_value(row["cmd"], row.get("value")))


def append_command(path: Path, cmd: str, value: Any = None) -> Command:
    """Check and append one command; ControlError if it is not one. The flock makes the
    seq unique among writers."""
    checked = Command(0, cmd, check_value(cmd, value))
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with open(path, "rb") as handle:
            before = handle.read()
        seq = before.count(b"\n") + 1
        command = Command(seq, checked.cmd, checked.value)
        line = json.dumps({"seq": seq, "cmd": command.cmd, "value": command.value})
        torn = before and not before.endswith(b"\n")  # a writer left half a line: end it
        os.write(fd, ("\n" if torn else "").encode() + (line + "\n").encode())
    finally:
        os.close(fd)  # drops the flock
    return command


class ControlReader:
    """The child's side: new whole lines since the last :meth:`poll`, each parsed once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._line_number = 0

    def poll(self) -> list[Command | ControlError]:
        """Commands (or, for a line that is not one, the ControlError saying why)."""
        try:
            size = os.stat(self.path).st_size
        except OSError:
            return []
        if size <= self._offset:
            return []
        with contextlib.suppress(OSError), open(self.path, "rb") as handle:
            handle.seek(self._offset)
            chunk = handle.read(size - self._offset)
            whole = chunk[:chunk.rfind(b"\n") + 1]
            self._offset += len(whole)
            return [self._parse(line) for line in whole.splitlines() if line.strip()]
        return []

    def _parse(self, line: bytes) -> Command | ControlError:
        self._line_number += 1
        if len(line) > MAX_LINE:
            return ControlError(f"line {self._line_number}: longer than {MAX_LINE} bytes")
        try:
            return parse_line(line)
        except ControlError as exc:
            return ControlError(f"line {self._line_number}: {exc}")
