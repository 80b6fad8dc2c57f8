"""Which runs are live, found by id as the other commands find runs, and what a run list
says of them. No torch."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tui_cnn.core.live.paths import SWEEP_PREFIX, live_dir_of_run, live_dirs, live_root
from tui_cnn.core.live.state import LIVE_STATES, LiveState, liveness, read_state
from tui_cnn.core.runs import RunStoreError, find_run, read_run, resolve_runs_dir


@dataclass(frozen=True)
class LiveRun:
    folder: Path  # the live folder
    state: LiveState
    liveness: str  # starting, running, paused, stopping, ended, killed, not responding

    @property
    def run_id(self) -> str:
        return self.folder.name

    @property
    def live(self) -> bool:
        return self.liveness in LIVE_STATES


def live_run(folder: Path) -> LiveRun | None:
    state = read_state(folder)
    return None if state is None else LiveRun(folder, state, liveness(state))


def live_runs(runs_dir: str | os.PathLike[str] | None, kind: str = "run") -> list[LiveRun]:
    """The runs training in a process of their own now (``kind`` "sweep": the sweeps
    going in one), newest first."""
    found = (live_run(folder) for folder in live_dirs(runs_dir))
    return [run for run in found
            if run is not None and run.live and run.state.kind == kind]


def live_note(run_dir: Path) -> str | None:
    """What a run list says of a run whose status.json says running: "live 45%",
    "live, paused", "not responding", or None when it has no live process state."""
    run = live_run(live_dir_of_run(run_dir))
    if run is None:
        return None
    if run.liveness == "paused":
        return f"live, paused {run.state.fraction:.0%}"
    if run.live:
        return f"live {run.state.fraction:.0%}"
    return run.liveness if run.liveness == "not responding" else None


def find_live(ref: str | None, runs_dir: str | os.PathLike[str] | None) -> LiveRun:
    """The live run ``ref`` names (as other commands name runs: a path, an id, a unique
    prefix or suffix; a sweep: ``sweep-ID`` or its id's prefix), or the newest live run
    (else sweep) when ``ref`` is None; RunStoreError saying why there is none."""
    if ref is None:  # the newest live run, else the newest live sweep
        running = live_runs(runs_dir) or live_runs(runs_dir, kind="sweep")
        if not running:
            raise RunStoreError(f"no run is training (and no sweep running) in the "
                                f"background in {resolve_runs_dir(runs_dir)}; `tui-cnn "
                                "runs` lists them")
        return running[0]
    folder = _folder_of(ref, runs_dir)
    run = live_run(folder)
    if run is None:
        raise RunStoreError(_not_detached(folder.name, runs_dir))
    if not run.live:
        end = f"it ended ({run.state.ended})" if run.liveness == "ended" and run.state.ended \
            else f"it is {run.liveness}"
        raise RunStoreError(f"run {folder.name} is not training: {end}")
    return run


def _not_detached(run_id: str, runs_dir: str | os.PathLike[str] | None) -> str:
    """Why a run with no process of its own cannot be attached to or controlled: it
    ended, or it trains in the foreground of the terminal that started it."""
    try:
        state = read_run(find_run(run_id, runs_dir)).state
    except RunStoreError:
        state = ""
    if state == "running":
        return (f"run {run_id} trains in the foreground of the terminal (or app) that "
                "started it, not in a process of its own: only there can it be paused or "
                "stopped (Ctrl-C or x saves it); `tui-cnn train --detach` trains in the "
                "background")
    if state:
        return f"run {run_id} is not training: it ended ({state})"
    return (f"run {run_id} was not trained in a process of its own: there is nothing to "
            "attach to or control")


def _folder_of(ref: str, runs_dir: str | os.PathLike[str] | None) -> Path:
    try:
        return live_dir_of_run(find_run(ref, runs_dir))
    except RunStoreError:
        pass
    names = sorted(p.name for p in live_dirs(runs_dir))  # still loading: no run folder yet
    matches = [n for n in names if n == ref or n.startswith(ref) or n.endswith(ref)
               or n.startswith(SWEEP_PREFIX + ref)]  # a sweep by its id: sw-...
    if len(matches) == 1:
        return live_root(runs_dir) / matches[0]
    return live_dir_of_run(find_run(ref, runs_dir))  # raises, saying why
