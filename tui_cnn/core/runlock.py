"""One process trains a run folder at a time: an exclusive ``flock`` on ``<run>/.lock``,
taken when the folder is made or reopened to carry the run on, dropped when the run ends.

The kernel drops a flock when its holder dies, even by SIGKILL, so a killed run never stays
locked. A second process (or a second run in the same app) is refused with
:class:`RunBusyError` naming the holder's pid. No torch.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.runfiles import (
    RunFileError,
    RunStoreError,
    load_object,
    pid_alive,
    read_regular,
)

LOCK_NAME = ".lock"


class RunBusyError(RunStoreError):
    """Another process (or another run in this one) is training the run."""


def _holder(path: Path) -> str:
    try:
        text = read_regular(path, 64).decode("ascii", "replace").strip()
    except (OSError, RunStoreError):
        text = ""
    if not text.isdigit():
        return "another process"
    pid = int(text)
    return f"process {pid} (this one)" if pid == os.getpid() else f"process {pid}"


class RunLock:
    """An exclusive lock on one run folder, held until :meth:`release` (or process exit)."""

    def __init__(self, run_dir: Path, fd: int) -> None:
        self.run_dir, self._fd = run_dir, fd

    @classmethod
    def acquire(cls, run_dir: Path) -> RunLock:
        path = Path(run_dir) / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise RunStoreError(f"cannot lock {path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RunBusyError(f"run {Path(run_dir).name} is being trained by "
                                   f"{_holder(path)}; wait for it to end or stop it "
                                   "first") from None
            raise RunStoreError(f"cannot lock {path}: {exc.strerror or exc}") from None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(Path(run_dir), fd)

    @property
    def held(self) -> bool:
        return self._fd >= 0

    def release(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the only descriptor drops the flock

    def __del__(self) -> None:
        self.release()


def refuse_if_running(run_dir: Path) -> None:
    """RunBusyError when status.json says running with a live pid other than this one (a
    run started by a tui-cnn that took no lock)."""
    try:
        status = load_object(Path(run_dir) / "status.json")
    except (FileNotFoundError, RunFileError):
        return
    pid = status.get("pid")
    if status.get("status") != "running" or isinstance(pid, bool) or not isinstance(pid, int):
        return
    if 0 < pid < 2**31 and pid != os.getpid() and pid_alive(pid):
        raise RunBusyError(f"run {Path(run_dir).name} is being trained by process {pid} "
                           "(its status.json says running); wait for it to end or stop it "
                           "first")


def claim(run_dir: Path) -> RunLock:
    """The run folder locked for carrying it on: RunBusyError if it is in use."""
    lock = RunLock.acquire(run_dir)
    try:
        refuse_if_running(run_dir)
    except BaseException:
        lock.release()
        raise
    return lock


FORK_HINT = "fork it instead (tui-cnn train with the new settings, or f in the app's Runs view)"


def check_resume(saved: TrainConfig, cfg: TrainConfig, run_name: str) -> None:
    """ConfigError when ``cfg`` would carry run ``run_name`` on as something it is not: a
    changed architecture, dataset or optimiser (its saved weights and optimiser state only
    fit what it was)."""
    for label, old, new in (
            ("architecture", saved.arch.name, cfg.arch.name),
            ("dataset", saved.dataset, cfg.dataset),
            ("optimizer", saved.optimizer, cfg.optimizer)):
        if old != new:
            raise ConfigError(f"run {run_name} was trained with {label} {old}; --resume "
                              f"carries it on as it was, not with {label} {new}: "
                              f"{FORK_HINT}")
    if saved.arch != cfg.arch:
        raise ConfigError(f"run {run_name}'s architecture {saved.arch.name} differs from the "
                          f"one asked for; --resume keeps it as it was: {FORK_HINT}")
