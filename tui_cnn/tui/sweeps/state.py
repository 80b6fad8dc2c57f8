"""What the sweep widgets show, worked out without Textual: cells of the trial grid (rows:
the groups, columns: the seeds) and the rows of the group table. No torch."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tui_cnn import fmt
from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.stats import Summary
from tui_cnn.core.sweep.store import TrialState
from tui_cnn.core.sweep.summary import SweepReport, group_label

STYLES = {"finished": "green", "running": "bold cyan", "assigned": "cyan", "pending": "dim",
          "skipped": "green", "interrupted": "yellow", "stopped": "yellow",
          "diverged": "red", "failed": "bold red", "killed": "bold red", "missing": "red"}
MARKS = {"finished": "✓", "skipped": "✓", "running": "▶", "assigned": "…", "pending": "·",
         "interrupted": "‖", "stopped": "‖", "diverged": "↯", "failed": "✗", "killed": "✗",
         "missing": "?"}


@dataclass(frozen=True)
class SweepStatus:
    """What the status line says while a sweep goes (the app's own or an attached one)."""

    sweep_id: str
    device: str  # the sweep's setting ("auto"), then the devices its trials train on
    done: int = 0
    total: int = 0  # 0: not planned yet (nothing came back from its process)
    running: int = 0
    stopping: bool = False

    def moved(self, progress: SweepProgress) -> SweepStatus:
        return replace(self, done=progress.done, total=len(progress.trials),
                       running=progress.counts().get("running", 0),
                       device=", ".join(progress.devices) or self.device)

    @property
    def text(self) -> str:
        """e.g. "sweep sw-4fe8c03d74 3/6 trials (1 running)", ", stopping" once asked."""
        shown = (f"sweep {self.sweep_id} {self.done}/{self.total} trials" if self.total
                 else f"sweep {self.sweep_id} starting")
        if self.running:
            shown += f" ({self.running} running)"
        return shown + (", stopping" if self.stopping else "")


def trials_done(status: str, done: int, total: int) -> str:
    """How far a background sweep is, from its live.json: "2/6 trials done", or "planning its
    trials" while it starts (its count of trials already done is not written yet)."""
    if status == "starting":
        return "planning its trials"
    return f"{done}/{total} trials done"


@dataclass(frozen=True)
class Cell:
    index: int
    status: str
    text: str  # e.g. "✓ 91.2", "▶ 45%", "✗ killed"
    style: str


def cell(index: int, status: str, fraction: float | None = 0.0,
         acc: float | None = None) -> Cell:
    """``fraction`` None: how far a running trial is is not known (read from its file)."""
    mark = MARKS.get(status, "?")
    if status in ("finished", "skipped"):
        text = mark if acc is None else f"{mark} {100 * acc:.1f}"
    elif status == "running":
        text = f"{mark} running" if fraction is None else f"{mark} {fraction:.0%}"
    elif status in ("pending", "assigned"):
        text = mark
    else:
        text = f"{mark} {status}"
    return Cell(index, status, text, STYLES.get(status, ""))


def cells_from_progress(progress: SweepProgress) -> dict[int, Cell]:
    return {i: cell(i, t.status, t.fraction, t.test_acc) for i, t in progress.trials.items()}


def cells_from_states(states: tuple[TrialState, ...] | list[TrialState]) -> dict[int, Cell]:
    return {s.index: cell(s.index, s.status, None, s.summary.get("final_test_acc"))
            for s in states}


@dataclass(frozen=True)
class TrialGrid:
    columns: tuple[str, ...]  # "seed=0", ... (or "#1", ... without a seed field)
    rows: tuple[tuple[str, tuple[Cell | None, ...]], ...]  # (group label, cells)


def trial_grid(values: dict[int, dict[str, str]], cells: dict[int, Cell]) -> TrialGrid:
    """One row per group (every field but the seed), one column per seed, in grid order."""
    rows: dict[str, dict[str, Cell | None]] = {}
    columns: list[str] = []
    for index in sorted(values):
        trial = values[index]
        key = tuple((k, v) for k, v in trial.items() if k != "seed")
        label = group_label(key)
        row = rows.setdefault(label, {})
        column = f"seed={trial['seed']}" if "seed" in trial else f"#{len(row) + 1}"
        if column not in columns:
            columns.append(column)
        row[column] = cells.get(index)
    return TrialGrid(tuple(columns), tuple(
        (label, tuple(row.get(c) for c in columns)) for label, row in rows.items()))


def _ci(s: Summary, scale: float, digits: int) -> str:
    if s.mean is None:
        return "-"
    if s.half_width is None:
        return f"{s.mean * scale:.{digits}f}"
    return f"{s.mean * scale:.{digits}f} ± {s.half_width * scale:.{digits}f}"


GROUP_HEADERS = ("group", "n", "final acc %", "best acc %", "train s", "img/s")


def group_rows(report: SweepReport) -> list[tuple[str, ...]]:
    return [(g.label, f"{g.finished}/{len(g.trials)}",
             _ci(g.metrics["final_test_acc"], 100, 2), _ci(g.metrics["best_test_acc"], 100, 2),
             _ci(g.metrics["train_seconds"], 1, 1), _ci(g.metrics["images_per_s"], 1, 0))
            for g in report.groups]


def verdicts(report: SweepReport) -> list[str]:
    return [c.verdict for c in report.comparisons]


def headline(progress: SweepProgress) -> str:
    counts = ", ".join(f"{n} {s}" for s, n in sorted(progress.counts().items()))
    return (f"sweep {progress.sweep_id}: {progress.done}/{len(progress.trials)} done "
            f"({counts})  ETA {fmt.duration(progress.eta_s())}")
