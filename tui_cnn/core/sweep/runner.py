"""Run a sweep: pick the trials not yet finished, run them on a backend, keep the store true.

``run_sweep(spec, backend, ...)`` is what every face calls (the command line; the app's run
controller). It takes the sweep's lock, writes each trial's state as the workers report, and
returns the final progress. A backend is ``execute(trials, on_message, stop)``: the local
process pool or Ray.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tui_cnn.core.config import ConfigError
from tui_cnn.core.sweep.grid import SweepSpec, Trial
from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.store import SUMMARY_KEYS, SweepStore, TrialState, sweeps_root

Listener = Callable[[SweepProgress, int], None]


class Backend(Protocol):
    workers: int

    def execute(self, trials: list[Trial], on_message: Callable[[int, str, dict[str, Any]],
                None], stop: threading.Event) -> None: ...


@dataclass
class LocalBackend:
    """Worker processes on this machine; ``threads`` torch threads each; with ``gpus`` > 1,
    worker i trains on cuda:i (one trial per GPU)."""

    workers: int
    threads: int
    gpus: int = 0
    log_dir: str | None = None  # workers' stdout/stderr to files there (the app sets it)

    def execute(self, trials: list[Trial], on_message: Callable[[int, str, dict[str, Any]],
                None], stop: threading.Event) -> None:
        from tui_cnn.core.sweep.local import LocalPool

        LocalPool(self.workers, self.threads, self.gpus, self.log_dir).run(
            trials, on_message, stop)


@dataclass
class SweepPlan:
    spec: SweepSpec
    store: SweepStore
    trials: list[Trial]
    to_run: list[Trial]

    @property
    def skipped(self) -> tuple[int, ...]:
        todo = {t.index for t in self.to_run}
        return tuple(t.index for t in self.trials if t.index not in todo)


def plan_sweep(spec: SweepSpec, confirmed: bool = False, create: bool = True) -> SweepPlan:
    """Check the grid and the size, create the sweep folder (unless ``create`` is False, for
    a dry run), find what is left to do."""
    if spec.base.runs_dir == "":
        raise ConfigError("a sweep saves every trial: give a runs dir")
    spec.check_size(confirmed)
    trials = spec.trials()
    store = (SweepStore.create(spec, spec.base.runs_dir) if create
             else SweepStore(sweeps_root(spec.base.runs_dir) / spec.sweep_id()))
    return SweepPlan(spec, store, trials, store.to_run(trials))


def with_runs_dir(trials: list[Trial], runs_dir: str) -> list[Trial]:
    return [Trial(t.index, t.values, t.config.replace(runs_dir=runs_dir)) for t in trials]


def run_sweep(plan: SweepPlan, backend: Backend, stop: threading.Event,
              listener: Listener | None = None) -> SweepProgress:
    """Run ``plan.to_run`` on ``backend``; every trial's state is saved as it changes."""
    store = plan.store
    progress = SweepProgress.of(store.sweep_id, {t.index: t.label for t in plan.trials},
                                backend.workers, plan.skipped)
    states = {t.index: store.read_trial(t) for t in plan.to_run}

    def on_message(index: int, kind: str, payload: dict[str, Any]) -> None:
        progress.update(index, kind, payload)
        state = states[index]
        if kind == "assigned":
            state.status, state.reason, state.attempts = "running", "", state.attempts + 1
            state.run_id, state.summary = None, {}
            store.write_trial(state)
        elif kind == "started":
            state.run_id = payload.get("run_id")
            store.write_trial(state)
        elif kind == "end":
            _record_end(state, payload)
            store.write_trial(state)
        if listener is not None:
            listener(progress, index)

    trials = with_runs_dir(plan.to_run, str(store.runs_dir))
    with store.lock():
        for state in states.values():
            if state.status == "running":  # left by a sweep process that died
                state.status = "killed"
                store.write_trial(state)
        backend.execute(trials, on_message, stop)
        for state in states.values():
            if state.status == "running" and stop.is_set():
                state.status, state.reason = "interrupted", "the sweep was stopped"
                store.write_trial(state)
    return progress


def _record_end(state: TrialState, payload: dict[str, Any]) -> None:
    state.status = str(payload.get("status", "failed"))
    state.reason = str(payload.get("reason", ""))
    state.run_id = payload.get("run_id") or state.run_id
    state.summary = {k: payload[k] for k in SUMMARY_KEYS if payload.get(k) is not None}
