"""Where a live run's files are: ``<runs dir>/.live/<run id>/``.

The run folder itself is made by the training loop only once its data has loaded, so the
files a parent and its child share from the first moment live beside it:
  spec.json      what the child trains (the TrainConfig and the run id), by the parent
  live.json      the child's live state, rewritten about once a second (state.py)
  events.jsonl   every event of the run, one JSON line each (codec.py, stream.py)
  control.jsonl  commands to the child, appended by the app or ``tui-cnn ctl`` (control.py)
  child.log      the child's stdout and stderr
A sweep in a process of its own (sweep_child.py) has ``<runs dir>/.live/sweep-<sweep id>/``
with the same files: spec.json holds the SweepSpec, events.jsonl the sweep's messages.
"""

from __future__ import annotations

import os
from pathlib import Path

from tui_cnn.core.runs import resolve_runs_dir

LIVE_DIRNAME = ".live"
SWEEP_PREFIX = "sweep-"
SPEC, STATE, EVENTS, CONTROL, LOG = (
    "spec.json", "live.json", "events.jsonl", "control.jsonl", "child.log")


def live_root(runs_dir: str | os.PathLike[str] | None) -> Path:
    return resolve_runs_dir(runs_dir) / LIVE_DIRNAME


def live_dir(runs_dir: str | os.PathLike[str] | None, run_id: str) -> Path:
    return live_root(runs_dir) / run_id


def sweep_live_dir(runs_dir: str | os.PathLike[str] | None, sweep_id: str) -> Path:
    return live_root(runs_dir) / f"{SWEEP_PREFIX}{sweep_id}"


def live_dir_of_run(run_dir: Path) -> Path:
    """The live folder of the run in ``run_dir`` (it may not exist)."""
    return run_dir.parent / LIVE_DIRNAME / run_dir.name


def live_dirs(runs_dir: str | os.PathLike[str] | None) -> list[Path]:
    """Every live folder under the runs dir (any state), newest first by spec.json."""
    root = live_root(runs_dir)
    try:
        found = [p for p in root.iterdir() if (p / SPEC).is_file()]
    except OSError:
        return []
    return sorted(found, key=_mtime, reverse=True)


def _mtime(path: Path) -> float:
    try:
        return (path / SPEC).stat().st_mtime
    except OSError:
        return 0.0
