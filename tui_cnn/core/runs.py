"""The run store: one folder per run, JSON and JSON lines. No torch at import.

Layout of ``<runs_dir>/<run_id>/``:
  config.json   the TrainConfig plus what the run found (params, device, sizes)
  status.json   rewritten atomically: running / finished / stopped / ... with the summary
  steps.jsonl   one StepMetrics per line
  epochs.jsonl  one EpochMetrics per line
  model.pt      the last epoch's weights: a plain state_dict (torch.load(weights_only=True))
  resume.pt     optimiser, scheduler and step counters, to carry a run on
A reader never trusts a file to be whole: a torn last line or a missing file is reported, not
raised, so a run killed at any moment is still listed with what it had. The folder is
written by core.runwriter (through core.atomic's whole-file writes); this module finds and
reads runs back.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from tui_cnn.core import runfiles
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.run_refs import refers_to, short_ids
from tui_cnn.core.runfiles import RunFileError as RunFileError
from tui_cnn.core.runfiles import RunStoreError as RunStoreError

ENV_RUNS_DIR = "TUI_CNN_RUNS_DIR"
SWEEPS_DIRNAME = "sweeps"
"""The runs dir's folder of sweeps (core/sweep/store.py): not a run."""
CLAIMS_DIRNAME = "claims"
"""The runs dir's folder of the claims lab (core/claims/lab.py): not a run."""


def default_runs_dir() -> Path:
    env = os.environ.get(ENV_RUNS_DIR)
    return Path(env) if env else Path(user_data_dir("tui-cnn")) / "runs"


def resolve_runs_dir(runs_dir: str | os.PathLike[str] | None) -> Path:
    return Path(runs_dir).expanduser() if runs_dir else default_runs_dir()


@dataclass
class RunRecord:
    """A saved run as read back, whatever state it was left in."""

    run_id: str
    path: Path
    config: dict[str, Any]
    status: dict[str, Any]
    epochs: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    mtime: float | None = None  # the folder's, when read: the date of a run with no config

    @property
    def state(self) -> str:
        return str(self.status.get("status", "unknown"))

    @property
    def damaged(self) -> bool:
        return bool(self.problems)

    @property
    def best_test_acc(self) -> float | None:
        accs = [e["test_acc"] for e in self.epochs if isinstance(e.get("test_acc"), (int, float))]
        return max(accs) if accs else None

    @property
    def started(self) -> float:
        value = self.config.get("created")
        if isinstance(value, (int, float)) and math.isfinite(value):
            return float(value)  # config.json's created is checked to be a sane time
        if self.mtime is None:
            try:
                self.mtime = self.path.stat().st_mtime
            except OSError:  # the folder went away
                self.mtime = 0.0
        return self.mtime


def read_json(path: Path, problems: list[str]) -> dict[str, Any]:
    """A JSON object file, checked by runfiles (config.json and status.json field by
    field); {} with one line in ``problems`` when it is missing or damaged."""
    try:
        data = runfiles.load_object(path)
        if path.name == "config.json":
            runfiles.validate_config(path, data)
        elif path.name == "status.json":
            runfiles.validate_status(path, data)
    except FileNotFoundError:
        problems.append(f"{path.name} missing")
        return {}
    except RunFileError as exc:
        problems.append(f"{path.name}: {exc.problem}")
        return {}
    return data


def read_jsonl(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    """Every whole, valid JSON object line; torn, corrupt or wrong lines are counted in
    ``problems``, as is a file that cannot be read at all."""
    try:
        rows, bad, first = runfiles.load_rows(path)
    except RunFileError as exc:
        problems.append(f"{path.name}: {exc.problem}")
        return []
    if bad:
        problems.append(f"{path.name}: {bad} torn or corrupt line(s) skipped"
                        + (f" ({first})" if first else ""))
    return rows


_pid_alive = runfiles.pid_alive  # the name core.sweep.store imports


def read_run(path: Path) -> RunRecord:
    """The run in ``path`` as far as its files allow; never raises for what they hold."""
    problems: list[str] = []
    config = read_json(path / "config.json", problems)
    status = read_json(path / "status.json", problems)
    epochs = read_jsonl(path / "epochs.jsonl", problems)
    if status.get("status") == "running" and not _pid_alive(status.get("pid")):
        status = {**status, "status": "killed"}
        problems.append(f"process ended without saving; recovered {len(epochs)} epoch(s)")
    if not (path / "model.pt").exists() and epochs:
        problems.append("no checkpoint")
    try:
        mtime: float | None = path.stat().st_mtime
    except OSError:
        mtime = None
    return RunRecord(path.name, path, config, status, epochs, problems, mtime)


def _still_there(record: RunRecord) -> bool:
    """False for a folder deleted while it was read (its files all came back missing)."""
    return record.mtime is not None and record.path.is_dir()


def run_folders(root: Path) -> list[Path]:
    """The run folders in a runs dir: not hidden ones, not the sweeps or claims folders;
    a folder removed while this looks is left out."""
    return [p for p in root.iterdir()
            if not p.name.startswith(".") and p.name not in (SWEEPS_DIRNAME, CLAIMS_DIRNAME)
            and _is_dir(p)]


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def runs_dir_problem(runs_dir: str | os.PathLike[str] | None = None) -> str | None:
    """Why the runs dir cannot be listed (a file, unreadable), or None: missing is fine
    (no runs yet)."""
    root = resolve_runs_dir(runs_dir)
    try:
        if not root.exists():
            return None
        if not root.is_dir():
            return f"runs dir {root} is a file, not a folder; choose another with --runs-dir"
        next(iter(os.scandir(root)), None)
    except OSError as exc:
        return f"cannot read runs dir {root}: {exc.strerror or exc}"
    return None


def list_runs(runs_dir: str | os.PathLike[str] | None = None) -> list[RunRecord]:
    """Every run folder under ``runs_dir``, newest first. Never raises for a bad folder."""
    root = resolve_runs_dir(runs_dir)
    try:
        folders = run_folders(root)
    except OSError:
        return []
    records = [r for r in map(read_run, folders) if _still_there(r)]
    records.sort(key=lambda r: (r.started, r.run_id), reverse=True)
    return records


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def runs_fingerprint(runs_dir: str | os.PathLike[str] | None = None) -> frozenset[
        tuple[str, int, int]]:
    """Changes when a run folder is added or removed, or a run writes its status or an
    epoch: stat calls only, cheap enough to poll for runs another process saves."""
    root = resolve_runs_dir(runs_dir)
    try:
        folders = run_folders(root)
    except OSError:
        return frozenset()
    return frozenset((p.name, _mtime_ns(p / "status.json"), _mtime_ns(p / "epochs.jsonl"))
                     for p in folders)


def find_run(ref: str, runs_dir: str | os.PathLike[str] | None = None) -> Path:
    """A run folder from a path, a full id, or a unique prefix or suffix of an id."""
    if not ref.strip():  # '' is a prefix of every id: "matches 26 runs" said nothing useful
        raise RunStoreError("empty run id; give a run's id (or its last 4 characters)")
    direct = Path(ref).expanduser()
    if direct.is_dir() and (direct / "config.json").exists():
        return direct
    root = resolve_runs_dir(runs_dir)
    try:
        names = sorted(p.name for p in run_folders(root))
    except OSError as exc:
        raise RunStoreError(f"cannot read runs dir {root}: {exc.strerror or exc}") from exc
    if ref in names:
        return root / ref
    matches = [n for n in names if refers_to(ref, n)]
    if len(matches) == 1:
        return root / matches[0]
    if not matches:
        raise RunStoreError(f"no run {ref!r} in {root}; `tui-cnn runs` lists them")
    raise RunStoreError(f"{ref!r} matches {len(matches)} runs; give more of the id")


def short_id(run_dir: str | os.PathLike[str]) -> str:
    """The run's shortest id among the runs beside it (run_refs.short_ids): what notices
    name it by, and what find_run takes back."""
    path = Path(run_dir)
    try:
        names = [p.name for p in run_folders(path.parent)]
    except OSError:
        names = []
    return short_ids([*names, path.name])[path.name]


def read_config(run_dir: str | os.PathLike[str]) -> TrainConfig:
    """The TrainConfig saved in ``run_dir/config.json`` (the one reader of that file as a
    config); RunStoreError naming the file when it is missing, torn or not a valid run."""
    path = Path(run_dir) / "config.json"
    try:
        return runfiles.validate_config(path, runfiles.load_object(path))
    except FileNotFoundError:
        raise RunFileError(path, "missing: this is not a run folder, or it was "
                           "deleted") from None


def missing_checkpoint(run_dir: Path) -> str:
    """What a missing model.pt or resume.pt means: no epoch finished, or, when epochs.jsonl
    says some did, that the file was deleted or moved."""
    done = len(read_jsonl(Path(run_dir) / "epochs.jsonl", []))
    if done:
        return (f"{done} epoch(s) finished but the file is gone (deleted or moved); the "
                "run cannot be loaded or carried on")
    return "the run saved no checkpoint (no epoch finished)"
