"""A sweep's report as plain data: its trials, groups of seeds, and each group against the
first. Read from the sweep folder; shown by ``sweep-report`` and the app's sweep widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui_cnn.core.sweep.stats import Difference, Summary, summarize, verdict, welch
from tui_cnn.core.sweep.store import DONE, SweepStore, TrialState

METRICS = ("final_test_acc", "best_test_acc", "train_seconds", "images_per_s")
GROUP_EXCLUDES = ("seed",)


@dataclass(frozen=True)
class Group:
    key: tuple[tuple[str, str], ...]  # the grid's values but the seed
    label: str
    trials: tuple[int, ...]  # every trial of the group, finished or not
    finished: int
    metrics: dict[str, Summary]


@dataclass(frozen=True)
class Comparison:
    reference: str
    other: str
    metric: str
    difference: Difference | None
    verdict: str


@dataclass(frozen=True)
class SweepReport:
    sweep_id: str
    grid: tuple[tuple[str, tuple[str, ...]], ...]
    trials: tuple[TrialState, ...]
    groups: tuple[Group, ...]
    comparisons: tuple[Comparison, ...]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.trials:
            out[t.status] = out.get(t.status, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "sweep_id": self.sweep_id, "grid": {n: list(v) for n, v in self.grid},
            "counts": self.counts(),
            "trials": [t.to_dict() for t in self.trials],
            "groups": [{"label": g.label, "values": dict(g.key), "trials": list(g.trials),
                        "finished": g.finished,
                        "metrics": {m: _summary_dict(s) for m, s in g.metrics.items()}}
                       for g in self.groups],
            "comparisons": [{"reference": c.reference, "other": c.other, "metric": c.metric,
                             "diff": c.difference.diff if c.difference else None,
                             "half_width": c.difference.half_width if c.difference else None,
                             "df": c.difference.df if c.difference else None,
                             "verdict": c.verdict} for c in self.comparisons]}


def _summary_dict(s: Summary) -> dict[str, Any]:
    return {"n": s.n, "mean": s.mean, "std": s.std, "ci95_half_width": s.half_width,
            "ci95_low": s.low, "ci95_high": s.high}


def group_label(key: tuple[tuple[str, str], ...]) -> str:
    if not key:
        return "all"
    if len(key) == 1:
        return key[0][1]
    return " ".join(f"{n}={v}" for n, v in key)


def group_states(states: list[TrialState], fields: tuple[str, ...]) -> list[Group]:
    """Trials grouped by every grid field but the seed, in grid order."""
    keep = tuple(f for f in fields if f not in GROUP_EXCLUDES)
    buckets: dict[tuple[tuple[str, str], ...], list[TrialState]] = {}
    for state in states:
        key = tuple((f, state.values[f]) for f in keep)
        buckets.setdefault(key, []).append(state)
    groups = []
    for key, members in buckets.items():
        done = [m for m in members if m.status == DONE]
        metrics = {m: summarize([float(s.summary[m]) for s in done
                                 if s.summary.get(m) is not None]) for m in METRICS}
        groups.append(Group(key, group_label(key), tuple(m.index for m in members),
                            len(done), metrics))
    return groups


def _values(states: list[TrialState], group: Group, metric: str) -> list[float]:
    wanted = set(group.trials)
    return [float(s.summary[metric]) for s in states if s.index in wanted
            and s.status == DONE and s.summary.get(metric) is not None]


def compare_groups(states: list[TrialState], groups: list[Group],
                   metric: str = "final_test_acc") -> list[Comparison]:
    """Each group against the first (the grid's first value), by Welch's interval."""
    if len(groups) < 2:
        return []
    ref = groups[0]
    out = []
    for other in groups[1:]:
        d = welch(_values(states, ref, metric), _values(states, other, metric))
        out.append(Comparison(ref.label, other.label, metric, d,
                              verdict(ref.label, other.label, d)))
    return out


def sweep_report(store: SweepStore) -> SweepReport:
    spec = store.spec()
    trials = spec.trials()
    states = store.states(trials)
    for state in states:  # a finished trial whose run folder went away is not finished
        if state.status == DONE and not store.is_done(state):
            state.status, state.reason = "missing", "its run folder is gone or unfinished"
    groups = group_states(states, spec.fields)
    return SweepReport(store.sweep_id, spec.grid, tuple(states), tuple(groups),
                       tuple(compare_groups(states, groups)))
