"""Group curves of a sweep: per epoch, the mean of the group's trials with a band (min-max
and +/- one sample std), for the app's chart. Read from the trials' run folders."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tui_cnn.core.runs import read_run
from tui_cnn.core.sweep.store import SweepStore, TrialState
from tui_cnn.core.sweep.summary import group_states


@dataclass(frozen=True)
class GroupCurve:
    label: str
    epochs: tuple[int, ...]
    n: tuple[int, ...]  # trials with that epoch
    mean: tuple[float, ...]
    low: tuple[float, ...]  # min over the trials
    high: tuple[float, ...]  # max over the trials
    std: tuple[float | None, ...]  # sample std, None where n < 2


def curve_of(label: str, series: list[dict[int, float]]) -> GroupCurve:
    """``series``: one {epoch: value} per trial (unfinished trials may be shorter)."""
    epochs = sorted({e for s in series for e in s})
    columns = [[s[e] for s in series if e in s] for e in epochs]
    means = [math.fsum(c) / len(c) for c in columns]
    stds = [math.sqrt(math.fsum((v - m) ** 2 for v in c) / (len(c) - 1)) if len(c) > 1
            else None for c, m in zip(columns, means, strict=True)]
    return GroupCurve(label, tuple(epochs), tuple(len(c) for c in columns), tuple(means),
                      tuple(min(c) for c in columns), tuple(max(c) for c in columns),
                      tuple(stds))


def _series(store: SweepStore, state: TrialState, metric: str) -> dict[int, float]:
    if not state.run_id:
        return {}
    record = read_run(store.runs_dir / state.run_id)
    return {int(e["epoch"]): float(e[metric]) for e in record.epochs
            if isinstance(e.get("epoch"), int) and isinstance(e.get(metric), (int, float))}


def group_curves(store: SweepStore, metric: str = "test_acc") -> list[GroupCurve]:
    """One curve per group (every grid field but the seed), over the trials that have run."""
    spec = store.spec()
    states = store.states(spec.trials())
    by_index = {s.index: s for s in states}
    out = []
    for group in group_states(states, spec.fields):
        series = [_series(store, by_index[i], metric) for i in group.trials]
        series = [s for s in series if s]
        if series:
            out.append(curve_of(group.label, series))
    return out
