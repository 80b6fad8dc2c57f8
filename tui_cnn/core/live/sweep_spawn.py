"""The parent's side of starting a sweep in a process of its own (sweep_child.py): its
live folder ``<runs dir>/.live/sweep-<sweep id>/`` with spec.json, then the process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tui_cnn.core.config import ConfigError
from tui_cnn.core.live.paths import LOG, SPEC, sweep_live_dir
from tui_cnn.core.live.state import LIVE_STATES, liveness, read_state
from tui_cnn.core.runfiles import RunFileError, RunStoreError, read_regular
from tui_cnn.core.sweep.grid import SweepSpec
from tui_cnn.core.sweep.store import SweepStore

SWEEP_CHILD_MODULE = "tui_cnn.core.live.sweep_child"


@dataclass
class LiveSweepProcess:
    sweep_id: str
    folder: Path  # its live folder
    process: subprocess.Popen[bytes]


def prepare_sweep(spec: SweepSpec, workers: int | None) -> Path:
    """The sweep's folder (as the sweep process will find it), and a fresh live folder
    with spec.json (the SweepSpec as the sweep store saves it, and the workers asked
    for); ConfigError if that sweep is going in a process already, RunStoreError if the
    runs dir cannot take it."""
    if spec.base.runs_dir == "":
        raise ConfigError("a sweep saves every trial: give a runs dir")
    folder = sweep_live_dir(spec.base.runs_dir, spec.sweep_id())
    if folder.exists():  # the sweep run again: its last stream is done with
        state = liveness(read_state(folder))
        if state in LIVE_STATES:
            raise ConfigError(f"sweep {spec.sweep_id()} is already running in the "
                              "background; attach to it (4, then a on the sweeps list) "
                              "or stop it first")
        shutil.rmtree(folder, ignore_errors=True)
    SweepStore.create(spec, spec.base.runs_dir)  # listed (and chosen) from the start
    folder.mkdir(parents=True)
    (folder / SPEC).write_text(json.dumps({
        "sweep_id": spec.sweep_id(), "sweep": spec.to_dict(), "workers": workers,
        "created": time.time()}), encoding="utf-8")
    return folder


def read_sweep_spec(folder: Path) -> tuple[SweepSpec, int | None]:
    """The sweep (and the workers asked for) a sweep's live folder runs; RunFileError if
    it has none."""
    try:
        data = json.loads(read_regular(folder / SPEC, 1 << 20))
        workers = data.get("workers")
        return SweepSpec.from_dict(data["sweep"]), None if workers is None else int(workers)
    except FileNotFoundError:
        raise RunFileError(folder / SPEC, "missing: not a live sweep's folder") from None
    except (RunStoreError, ValueError, KeyError, TypeError, ConfigError) as exc:
        raise RunFileError(folder / SPEC, f"not a sweep's spec ({exc})") from None


def spawn_sweep(spec: SweepSpec, workers: int | None = None) -> LiveSweepProcess:
    """Start running ``spec`` in a process of its own session, output to its log."""
    folder = prepare_sweep(spec, workers)
    with open(folder / LOG, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", SWEEP_CHILD_MODULE, str(folder)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True,
            env={**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY",
                                                                 "PASSIVE")})
    return LiveSweepProcess(spec.sweep_id(), folder, process)
