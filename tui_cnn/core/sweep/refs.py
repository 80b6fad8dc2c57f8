"""Run references that may name a sweep: ``compare`` and ``report`` take run ids and sweep
ids alike, a sweep standing for its trials' runs (in grid order)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tui_cnn.core.runs import RunStoreError, find_run
from tui_cnn.core.sweep.store import SweepStore, find_sweep


@dataclass(frozen=True)
class Expanded:
    paths: tuple[Path, ...]  # every run folder, each once, in the order given
    sweeps: tuple[SweepStore, ...]  # the sweeps named, in the order given


def trial_runs(store: SweepStore) -> list[Path]:
    """The run folders of a sweep's trials that have one, in grid order."""
    spec = store.spec()
    out = []
    for state in store.states(spec.trials()):
        if state.run_id and (store.runs_dir / state.run_id / "config.json").exists():
            out.append(store.runs_dir / state.run_id)
    return out


def _one(ref: str, runs_dir: str | os.PathLike[str] | None) -> Path | SweepStore:
    """A run folder, or a sweep (an ``sw-`` id, or a ref that names no run)."""
    if ref.startswith("sw-"):
        return find_sweep(ref, runs_dir)
    try:
        return find_run(ref, runs_dir)
    except RunStoreError as run_error:
        try:
            return find_sweep(ref, runs_dir)
        except RunStoreError:
            raise run_error from None


def expand_refs(refs: list[str], runs_dir: str | os.PathLike[str] | None = None) -> Expanded:
    """Each ref a run or a sweep; RunStoreError naming the first that is neither, or a sweep
    with no trial run yet."""
    paths: dict[Path, None] = {}
    sweeps = []
    for ref in refs:
        found = _one(ref, runs_dir)
        if isinstance(found, Path):
            paths[found] = None
            continue
        runs = trial_runs(found)
        if not runs:
            raise RunStoreError(f"sweep {found.sweep_id} has no trial run yet; run it with "
                                "`tui-cnn sweep` (the same grid) first")
        sweeps.append(found)
        paths.update(dict.fromkeys(runs))
    return Expanded(tuple(paths), tuple(sweeps))
