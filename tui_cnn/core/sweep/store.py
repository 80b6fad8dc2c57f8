"""A sweep's folder: ``<runs_dir>/sweeps/<sweep_id>/`` with the grid and each trial's state.

  sweep.json          the spec (base config and grid), written once
  trials/NNNN.json    one small file per trial, rewritten atomically by the sweep's process:
                      status, reason, run id, attempts, and the result summary
  lock                the pid of the process running the sweep (one at a time per sweep)

Each trial is an ordinary run folder in the runs dir whose config carries
``sweep = "<sweep_id>/<index>"``. Only the process holding the lock writes trial files, and
each sweep has its own folder, so two sweeps on one runs dir never write the same file.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_cnn.core.atomic import atomic_write_json
from tui_cnn.core.config import ConfigError
from tui_cnn.core.runs import (
    SWEEPS_DIRNAME,
    RunStoreError,
    _pid_alive,
    read_json,
    read_run,
    resolve_runs_dir,
)
from tui_cnn.core.sweep.grid import SweepSpec, Trial

DONE = "finished"
TRIAL_STATES = ("pending", "running", "finished", "stopped", "interrupted", "diverged",
                "failed", "killed")
SUMMARY_KEYS = ("final_test_acc", "best_test_acc", "train_seconds", "images_per_s",
                "epochs_done", "params")


@dataclass
class TrialState:
    index: int
    values: dict[str, str]
    status: str = "pending"
    reason: str = ""
    run_id: str | None = None
    attempts: int = 0
    updated: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "values": self.values, "status": self.status,
                "reason": self.reason, "run_id": self.run_id, "attempts": self.attempts,
                "updated": self.updated, "summary": self.summary}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialState:
        return cls(int(data["index"]), dict(data.get("values", {})),
                   str(data.get("status", "pending")), str(data.get("reason", "")),
                   data.get("run_id"), int(data.get("attempts", 0)),
                   float(data.get("updated", 0.0)), dict(data.get("summary") or {}))


def sweeps_root(runs_dir: str | os.PathLike[str] | None) -> Path:
    return resolve_runs_dir(runs_dir) / SWEEPS_DIRNAME


class SweepStore:
    """Reads and writes one sweep's folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs_dir = path.parent.parent

    @classmethod
    def create(cls, spec: SweepSpec, runs_dir: str | os.PathLike[str] | None) -> SweepStore:
        store = cls(sweeps_root(runs_dir) / spec.sweep_id())
        try:
            (store.path / "trials").mkdir(parents=True, exist_ok=True)
            if not (store.path / "sweep.json").exists():
                atomic_write_json(store.path / "sweep.json",
                                  {**spec.to_dict(), "created": time.time()})
        except OSError as exc:
            raise RunStoreError(f"cannot write the sweep to {store.path}: "
                                f"{exc.strerror or exc}") from exc
        return store

    @property
    def sweep_id(self) -> str:
        return self.path.name

    def spec(self) -> SweepSpec:
        problems: list[str] = []
        data = read_json(self.path / "sweep.json", problems)
        if problems:
            raise RunStoreError(f"sweep {self.sweep_id}: {'; '.join(problems)}")
        return SweepSpec.from_dict(data)

    def _trial_path(self, index: int) -> Path:
        return self.path / "trials" / f"{index:04d}.json"

    def read_trial(self, trial: Trial) -> TrialState:
        problems: list[str] = []
        data = read_json(self._trial_path(trial.index), problems)
        if problems or "index" not in data:
            return TrialState(trial.index, dict(trial.values))
        state = TrialState.from_dict(data)
        if state.status == "running" and not _pid_alive(data.get("pid")):
            state.status, state.reason = "killed", "the sweep's process ended during the trial"
        return state

    def write_trial(self, state: TrialState) -> None:
        state.updated = time.time()
        atomic_write_json(self._trial_path(state.index), {**state.to_dict(), "pid": os.getpid()})

    def states(self, trials: list[Trial]) -> list[TrialState]:
        return [self.read_trial(t) for t in trials]

    def is_done(self, state: TrialState) -> bool:
        """Finished, and its run folder is still there and says so."""
        if state.status != DONE or not state.run_id:
            return False
        record = read_run(self.runs_dir / state.run_id)
        return record.state == DONE

    def to_run(self, trials: list[Trial]) -> list[Trial]:
        """The trials a (re-)run must do: every one not finished."""
        return [t for t in trials if not self.is_done(self.read_trial(t))]

    # -- one process per sweep ------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Any:
        path = self.path / "lock"
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = _read_pid(path)
                if _pid_alive(holder):
                    raise ConfigError(f"sweep {self.sweep_id} is already running (process "
                                      f"{holder}); wait for it or stop it") from None
                with contextlib.suppress(OSError):
                    path.unlink()  # left by a process that died
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(str(os.getpid()))
            break
        else:
            raise ConfigError(f"sweep {self.sweep_id}: cannot take its lock {path}")
        try:
            yield self
        finally:
            with contextlib.suppress(OSError):
                path.unlink()


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def list_sweeps(runs_dir: str | os.PathLike[str] | None = None) -> list[SweepStore]:
    """Every sweep folder, newest first."""
    root = sweeps_root(runs_dir)
    try:
        folders = [p for p in root.iterdir() if (p / "sweep.json").exists()]
    except OSError:
        return []
    folders.sort(key=lambda p: (p / "sweep.json").stat().st_mtime, reverse=True)
    return [SweepStore(p) for p in folders]


def find_sweep(ref: str, runs_dir: str | os.PathLike[str] | None = None) -> SweepStore:
    """A sweep from its id or a unique prefix of it (with or without ``sw-``)."""
    stores = list_sweeps(runs_dir)
    names = {s.sweep_id: s for s in stores}
    if ref in names:
        return names[ref]
    matches = [s for s in stores if s.sweep_id.startswith(ref)
               or s.sweep_id.startswith("sw-" + ref)]
    if len(matches) == 1:
        return matches[0]
    root = sweeps_root(runs_dir)
    if not matches:
        raise RunStoreError(f"no sweep {ref!r} in {root}")
    raise RunStoreError(f"{ref!r} matches {len(matches)} sweeps; give more of the id")


def trials_fingerprint(store: SweepStore) -> frozenset[tuple[str, int]]:
    """(file name, mtime in ns) of each trial file: it changes whenever a trial's state
    does, whichever process runs the sweep (the app polls it while the sweep is shown)."""
    out = set()
    for path in (store.path / "trials").glob("*.json"):
        with contextlib.suppress(OSError):  # replaced or removed between glob and stat
            out.add((path.name, path.stat().st_mtime_ns))
    return frozenset(out)
