"""The one validating loader for the files of a run folder. No torch at import.

Every file is read through :func:`read_regular` (a regular file only, never a FIFO, device
or folder, and at most a size bound), then checked field by field (the checks and which
field gets which are in core.runfile_checks): types, finite numbers, ranges, the
architecture through ``ArchSpec``. Anything else raises :class:`RunFileError`,
whose message is ``FILE: what is wrong``; the run store lists such a run as damaged, and
every reader turns it into one line (exit 2) or an in-app message.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.runfile_checks import (
    ARCH_TEXT,
    CONFIG_EXTRA,
    MAX_PID,
    SUMMARY,
    Checks,
    describe,
    row_problem,
    text,
)

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
JSON_LIMIT = 4 * MiB  # config.json, status.json
JSONL_LIMIT = 1 * GiB  # steps.jsonl, epochs.jsonl, layers.jsonl
TORCH_LIMIT = 2 * GiB  # model.pt, resume.pt, checkpoints/epoch-E.pt
NPY_LIMIT = 256 * MiB  # filters/epoch-E.npy


class RunStoreError(OSError):
    """The runs directory or a run in it cannot be used; the message says which path and
    why."""


class RunFileError(RunStoreError):
    """A run file is missing, not a regular file, too big or holds a wrong value."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = Path(path), problem


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    FileNotFoundError when it is missing (the caller says what that means); RunFileError
    for a FIFO, a device (a symlink to /dev/zero), a folder, a file too big or a read error.
    Opened non-blocking, so a FIFO never hangs the reader."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise RunFileError(path, "a folder, not a file") from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise FileNotFoundError(errno.ENOENT, "missing", str(path)) from None
        raise RunFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise RunFileError(path, "a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise RunFileError(path, f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise RunFileError(path, f"{info.st_size:,} bytes, more than the {limit:,} "
                               "a run file may have")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limit + 1)
    except OSError as exc:
        if isinstance(exc, RunFileError):
            raise
        raise RunFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise RunFileError(path, f"grew past the {limit:,} bytes a run file may have")
    return data


WRITTEN = ("config.json", "status.json", "steps.jsonl", "epochs.jsonl", "layers.jsonl",
           "model.pt", "resume.pt")
"""The files a run carried on writes again."""


def check_writable(run_dir: Path, names: tuple[str, ...] = WRITTEN) -> None:
    """RunFileError for the first of ``names`` in ``run_dir`` that exists but is not a
    regular file (a FIFO would hang the writer, a folder or device would fail it late),
    and likewise every file in its checkpoints/ and filters/ folders."""
    run_dir = Path(run_dir)
    paths = [run_dir / name for name in names]
    for folder in ("checkpoints", "filters"):
        if (run_dir / folder).exists() and not (run_dir / folder).is_dir():
            raise RunFileError(run_dir / folder, "a file where a folder goes")
        with contextlib.suppress(OSError):
            paths += sorted((run_dir / folder).iterdir())
    for path in paths:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise RunFileError(path, f"cannot be read ({exc.strerror or exc})") from None
        if stat.S_ISLNK(mode):
            raise RunFileError(path, "a symbolic link, not a run's own file")
        if not stat.S_ISREG(mode):
            raise RunFileError(path, "a folder, not a file" if stat.S_ISDIR(mode)
                               else f"not a regular file ({_kind(mode)})")


def open_append(path: Path) -> int:
    """A descriptor to append to ``path``, a regular file (made if missing); RunFileError
    for a FIFO, device or folder in its place. Never blocks."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except IsADirectoryError:
        raise RunFileError(path, "a folder, not a file") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO no one reads
            raise RunFileError(path, "not a regular file (a FIFO)") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise RunFileError(path, f"not a regular file ({_kind(mode)})")
    os.set_blocking(fd, True)
    return fd


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def parse_json(path: Path, raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise RunFileError(path, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        what = exc.msg.removesuffix(" at")  # "Unterminated string starting at" + " at line"
        raise RunFileError(path, f"not valid JSON ({what} at line {exc.lineno}, column "
                                 f"{exc.colno})") from None
    except RecursionError:
        raise RunFileError(path, "not valid JSON (nested too deeply)") from None


def load_object(path: Path) -> dict[str, Any]:
    """A JSON object file (config.json, status.json); FileNotFoundError when missing."""
    data = parse_json(path, read_regular(path, JSON_LIMIT))
    if not isinstance(data, dict):
        raise RunFileError(path, f"holds {describe(data)}, not a JSON object")
    return data


def check_fields(path: Path, data: dict[str, Any], checks: Checks, where: str = "") -> None:
    """RunFileError for the first present key whose value fails its check."""
    for key, check in checks.items():
        if key in data:
            problem = check(data[key])
            if problem:
                raise RunFileError(path, f"{where}{key} {problem}")


def validate_config(path: Path, data: dict[str, Any]) -> TrainConfig:
    """config.json as a TrainConfig: every field checked, the arch through ArchSpec."""
    arch = data.get("arch")
    if "arch" in data and not isinstance(arch, dict):
        raise RunFileError(path, f"arch must be an object (name, conv_channels, ...), "
                           f"got {describe(arch)}")
    if isinstance(arch, dict):
        check_fields(path, arch, {k: text for k in ARCH_TEXT}, "arch.")
        for key in ("conv_channels", "hidden"):
            if key in arch and not isinstance(arch[key], list):
                raise RunFileError(path, f"arch.{key} must be a list, got {describe(arch[key])}")
        if isinstance(arch.get("kernel_size"), bool):
            raise RunFileError(path, "arch.kernel_size must be 1, 3, 5 or 7, got true/false")
        if "batch_norm" in arch and not isinstance(arch["batch_norm"], bool):
            raise RunFileError(path, f"arch.batch_norm must be true or false, got "
                               f"{describe(arch['batch_norm'])}")
    check_fields(path, data, CONFIG_EXTRA)
    for key in ("data_dir", "runs_dir", "resume_from", "sweep"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise RunFileError(path, f"{key} must be text or null, got {describe(data[key])}")
    try:
        return TrainConfig.from_dict({**data, "resume_from": None})
    except (ConfigError, TypeError, ValueError) as exc:
        raise RunFileError(path, f"does not describe a valid run: {exc}") from None


def validate_status(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    check_fields(path, data, SUMMARY)
    return data


def load_rows(path: Path) -> tuple[list[dict[str, Any]], int, str]:
    """(good rows, bad line count, the first wrong value's line and problem, "" if all
    bad lines were torn) of a metrics file; [] when it is missing; RunFileError when it
    cannot be read at all."""
    try:
        raw = read_regular(path, JSONL_LIMIT)
    except FileNotFoundError:
        return [], 0, ""
    rows: list[dict[str, Any]] = []
    bad, first = 0, ""
    for number_, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError
            bad += 1  # a torn line: the count says it all
            continue
        problem = row_problem(path.name, row)
        if problem:
            bad += 1
            first = first or f"line {number_}: {problem}"
        else:
            rows.append(row)
    return rows, bad, first


def pid_alive(pid: object) -> bool:
    """Whether ``pid`` (from a run file: anything) names a live process; a zombie (dead,
    not yet reaped by its parent: a SIGKILLed child of a running app) is not one."""
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid <= MAX_PID:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read(4096)
    except OSError:
        return False  # no /proc (not Linux): trust kill(pid, 0)
    return stat.rpartition(b")")[2].split()[:1] == [b"Z"]
