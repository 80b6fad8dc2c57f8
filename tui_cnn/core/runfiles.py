"""The one validating loader for the files of a run folder. No torch at import.

Every file is read through :func:`read_regular` (a regular file only, never a FIFO, device
or folder, and at most a size bound), then checked field by field: types, finite numbers,
ranges, the architecture through ``ArchSpec``. Anything else raises :class:`RunFileError`,
whose message is ``FILE: what is wrong``; the run store lists such a run as damaged, and
every reader turns it into one line (exit 2) or an in-app message.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui_cnn.core.config import MAX_EPOCHS, ConfigError, TrainConfig

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
JSON_LIMIT = 4 * MiB  # config.json, status.json
JSONL_LIMIT = 1 * GiB  # steps.jsonl, epochs.jsonl, layers.jsonl
TORCH_LIMIT = 2 * GiB  # model.pt, resume.pt, checkpoints/epoch-E.pt
NPY_LIMIT = 256 * MiB  # filters/epoch-E.npy
MAX_PID = 2**31 - 1
MAX_TIME = 1e11  # seconds since 1970: the year 5138
MAX_COUNT = 10**15


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
        raise RunFileError(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise RunFileError(path, "not valid JSON (nested too deeply)") from None


def load_object(path: Path) -> dict[str, Any]:
    """A JSON object file (config.json, status.json); FileNotFoundError when missing."""
    data = parse_json(path, read_regular(path, JSON_LIMIT))
    if not isinstance(data, dict):
        raise RunFileError(path, f"holds {_type(data)}, not a JSON object")
    return data


# ---- value checks: each returns a problem or None --------------------------------------


def _type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return repr(value) if len(repr(value)) <= 24 else f"a {len(str(value))}-digit number"
    if isinstance(value, str):
        return repr(value[:30])
    return {"list": "a list", "dict": "an object"}.get(type(value).__name__,
                                                        type(value).__name__)


def whole(value: object, low: int, high: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number, got {_type(value)}"
    if not low <= value <= high:
        return f"must be between {low:,} and {high:,}, got {_type(value)}"
    return None


def number(value: object, low: float, high: float, *, finite: bool = True) -> str | None:
    """A number in [low, high]; with ``finite=False`` NaN and infinities pass too (a loss
    that diverged is a fact worth keeping, not damage)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, got {_type(value)}"
    if not math.isfinite(value):
        return None if not finite else f"must be a finite number, got {value!r}"
    if not low <= value <= high:
        return f"must be between {low:g} and {high:g}, got {_type(value)}"
    return None


def text(value: object, longest: int = 4096) -> str | None:
    if not isinstance(value, str):
        return f"must be text, got {_type(value)}"
    return None if len(value) <= longest else f"is {len(value):,} characters long"


def optional(check: Callable[[object], str | None]) -> Callable[[object], str | None]:
    return lambda value: None if value is None else check(value)


def _shape(value: object) -> str | None:
    if not isinstance(value, list) or len(value) != 3:
        return f"must be a list of 3 sizes (C, H, W), got {_type(value)}"
    return next((p for p in (whole(v, 1, 4096) for v in value) if p), None)


def _classes(value: object) -> str | None:
    if not isinstance(value, list) or not 2 <= len(value) <= 1000:
        return f"must be a list of 2 to 1,000 class names, got {_type(value)}"
    return next((f"names {p}" for p in (text(v, 200) for v in value) if p), None)


Checks = dict[str, Callable[[object], str | None]]


def check_fields(path: Path, data: dict[str, Any], checks: Checks, where: str = "") -> None:
    """RunFileError for the first present key whose value fails its check."""
    for key, check in checks.items():
        if key in data:
            problem = check(data[key])
            if problem:
                raise RunFileError(path, f"{where}{key} {problem}")


CONFIG_EXTRA: Checks = {
    "run_id": lambda v: text(v, 300), "created": lambda v: number(v, 0, MAX_TIME),
    "params": lambda v: whole(v, 0, MAX_COUNT), "macs": lambda v: whole(v, 0, MAX_COUNT),
    "device_resolved": text, "device_name": text, "precision_resolved": text,
    "train_size_actual": lambda v: whole(v, 0, 10**9),
    "test_size_actual": lambda v: whole(v, 0, 10**9),
    "input_shape": _shape, "classes": _classes,
}
ARCH_TEXT = ("name", "description", "downsample")
SUMMARY: Checks = {
    "status": lambda v: text(v, 40), "reason": text,
    "pid": optional(lambda v: whole(v, 1, MAX_PID)),
    "updated": lambda v: number(v, 0, MAX_TIME),
    "epochs_done": lambda v: whole(v, 0, MAX_EPOCHS),
    "steps_done": lambda v: whole(v, 0, MAX_COUNT),
    "final_test_acc": optional(lambda v: number(v, 0, 1)),
    "best_test_acc": optional(lambda v: number(v, 0, 1)),
    "train_seconds": lambda v: number(v, 0, MAX_TIME),
    "images_per_s": lambda v: number(v, 0, 1e12), "params": lambda v: whole(v, 0, MAX_COUNT),
}


def validate_config(path: Path, data: dict[str, Any]) -> TrainConfig:
    """config.json as a TrainConfig: every field checked, the arch through ArchSpec."""
    arch = data.get("arch")
    if "arch" in data and not isinstance(arch, dict):
        raise RunFileError(path, f"arch must be an object (name, conv_channels, ...), "
                           f"got {_type(arch)}")
    if isinstance(arch, dict):
        check_fields(path, arch, {k: text for k in ARCH_TEXT}, "arch.")
        for key in ("conv_channels", "hidden"):
            if key in arch and not isinstance(arch[key], list):
                raise RunFileError(path, f"arch.{key} must be a list, got {_type(arch[key])}")
        if isinstance(arch.get("kernel_size"), bool):
            raise RunFileError(path, "arch.kernel_size must be 1, 3, 5 or 7, got true/false")
        if "batch_norm" in arch and not isinstance(arch["batch_norm"], bool):
            raise RunFileError(path, f"arch.batch_norm must be true or false, got "
                               f"{_type(arch['batch_norm'])}")
    check_fields(path, data, CONFIG_EXTRA)
    for key in ("data_dir", "runs_dir", "resume_from", "sweep"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise RunFileError(path, f"{key} must be text or null, got {_type(data[key])}")
    try:
        return TrainConfig.from_dict({**data, "resume_from": None})
    except (ConfigError, TypeError, ValueError) as exc:
        raise RunFileError(path, f"does not describe a valid run: {exc}") from None


def validate_status(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    check_fields(path, data, SUMMARY)
    return data


EPOCH_ROW: Checks = {
    "epoch": lambda v: whole(v, 0, MAX_EPOCHS), "epochs": lambda v: whole(v, 1, MAX_EPOCHS),
    "step": lambda v: whole(v, 0, MAX_COUNT),
    "train_loss": lambda v: number(v, 0, math.inf, finite=False),
    "test_loss": lambda v: number(v, 0, math.inf, finite=False),
    "train_acc": lambda v: number(v, 0, 1), "test_acc": lambda v: number(v, 0, 1),
    "seconds": lambda v: number(v, 0, MAX_TIME), "eval_seconds": lambda v: number(v, 0, MAX_TIME),
    "images_per_s": lambda v: number(v, 0, 1e12), "elapsed_s": lambda v: number(v, 0, MAX_TIME),
}
STEP_ROW: Checks = {
    "epoch": lambda v: whole(v, 0, MAX_EPOCHS), "step": lambda v: whole(v, 0, MAX_COUNT),
    "total_steps": lambda v: whole(v, 0, MAX_COUNT), "epoch_step": lambda v: whole(v, 0, MAX_COUNT),
    "steps_per_epoch": lambda v: whole(v, 1, MAX_COUNT),
    "loss": lambda v: number(v, 0, math.inf, finite=False),
    "accuracy": lambda v: number(v, 0, 1), "lr": lambda v: number(v, 0, 1e3),
    "images_per_s": lambda v: number(v, 0, 1e12), "elapsed_s": lambda v: number(v, 0, MAX_TIME),
    "eta_s": lambda v: number(v, 0, 1e15),
}


def _layers(value: object) -> str | None:
    if not isinstance(value, dict):
        return f"must be an object of layers, got {_type(value)}"
    for stats in value.values():
        if not isinstance(stats, dict):
            return f"holds {_type(stats)}, not a layer's statistics"
        for v in stats.values():
            if v is not None and number(v, 0, math.inf, finite=False):
                return f"holds {_type(v)}, not a statistic"
    return None


LAYER_ROW: Checks = {"step": lambda v: whole(v, 0, MAX_COUNT),
                     "epoch": lambda v: whole(v, 0, MAX_EPOCHS), "layers": _layers}
ROW_CHECKS: dict[str, Checks] = {"epochs.jsonl": EPOCH_ROW, "steps.jsonl": STEP_ROW,
                                 "layers.jsonl": LAYER_ROW}
REQUIRED: dict[str, tuple[str, ...]] = {"epochs.jsonl": ("epoch",), "steps.jsonl": ("step",),
                                        "layers.jsonl": ("step",)}


def row_problem(name: str, row: object) -> str | None:
    """Why one JSON line of a metrics file cannot be used (None if it can)."""
    if not isinstance(row, dict):
        return f"holds {_type(row)}, not an object"
    missing = [k for k in REQUIRED.get(name, ()) if k not in row]
    if missing:
        return f"has no {missing[0]}"
    for key, check in ROW_CHECKS.get(name, {}).items():
        if key in row:
            problem = check(row[key])
            if problem:
                return f"{key} {problem}"
    return None


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
