"""The parent's side of starting a run in its own process (child.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.live.paths import LOG, SPEC, live_dir
from tui_cnn.core.live.state import LIVE_STATES, liveness, read_state
from tui_cnn.core.runfiles import RunFileError, RunStoreError, read_regular
from tui_cnn.core.runlock import RunBusyError
from tui_cnn.core.runwriter import new_run_id

CHILD_MODULE = "tui_cnn.core.live.child"


@dataclass
class LiveRun:
    run_id: str
    folder: Path  # its live folder
    process: subprocess.Popen[bytes]


def _folder_for(cfg: TrainConfig, run_id: str) -> Path:
    if cfg.runs_dir == "":  # a run that is not saved: its live files go to a temp folder
        return Path(tempfile.mkdtemp(prefix="tui-cnn-live-")) / run_id
    return live_dir(cfg.runs_dir, run_id)


def prepare(cfg: TrainConfig) -> tuple[str, Path]:
    """A fresh live folder with spec.json; RunBusyError if that run is live already."""
    run_id = Path(cfg.resume_from).name if cfg.resume_from else new_run_id(
        cfg.arch.name, cfg.dataset)
    folder = _folder_for(cfg, run_id)
    if folder.exists():  # a run carried on again: its last stream is done with
        if liveness(read_state(folder)) in LIVE_STATES:
            raise RunBusyError(f"run {run_id} is being trained by another process; "
                               "attach to it or stop it first")
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / SPEC).write_text(json.dumps({"run_id": run_id, "config": cfg.to_dict(),
                                           "created": time.time()}), encoding="utf-8")
    return run_id, folder


def read_spec(folder: Path) -> tuple[str, TrainConfig]:
    """The run id and config a live folder's child trains; RunFileError if it has none."""
    try:
        spec = json.loads(read_regular(folder / SPEC, 1 << 20))
        return str(spec["run_id"]), TrainConfig.from_dict(spec["config"])
    except FileNotFoundError:
        raise RunFileError(folder / SPEC, "missing: not a live run's folder") from None
    except (RunStoreError, ValueError, KeyError, TypeError, ConfigError) as exc:
        raise RunFileError(folder / SPEC, f"not a run's spec ({exc})") from None


def spawn(cfg: TrainConfig) -> LiveRun:
    """Start training ``cfg`` in a child process of its own session, output to its log."""
    run_id, folder = prepare(cfg)
    with open(folder / LOG, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", CHILD_MODULE, str(folder)], stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True,
            env={**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY",
                                                                 "PASSIVE")})
    return LiveRun(run_id, folder, process)
