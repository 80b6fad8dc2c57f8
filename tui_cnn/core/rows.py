"""The rows both faces show, built once: a saved run's row (``tui-cnn runs`` and the Runs
view) and the rows of a comparison (``tui-cnn compare`` and the Runs view's table).

Plain strings, no styling: each face lays them out its own way.
"""

from __future__ import annotations

import time
from typing import Any

from tui_cnn import fmt
from tui_cnn.core.compare import Comparison, RunSummary, as_percent
from tui_cnn.core.live.registry import live_note
from tui_cnn.core.runs import RunRecord

RUN_COLUMNS = ("run", "arch", "dataset", "seed", "device", "params", "epochs", "best acc",
               "seconds", "img/s", "status", "started")
RUN_NUMBER_COLUMNS = frozenset({"params", "epochs", "best acc", "seconds", "img/s"})


def run_row(record: RunRecord) -> list[str]:
    """One saved run as the cells of RUN_COLUMNS."""
    cfg, status = record.config, record.status
    arch = cfg.get("arch", {}).get("name", "?") if isinstance(cfg.get("arch"), dict) else "?"
    state = run_state(record) + (" (damaged)" if record.damaged else "")
    seconds = status.get("train_seconds")
    rate = status.get("images_per_s")
    return [record.run_id, str(arch), str(cfg.get("dataset", "?")), show(cfg.get("seed")),
            str(cfg.get("device_resolved", cfg.get("device", "?"))),
            fmt.count(cfg.get("params")), f"{len(record.epochs)}/{cfg.get('epochs', '?')}",
            fmt.percent(record.best_test_acc),
            f"{seconds:.1f}" if isinstance(seconds, (int, float)) else "-",
            f"{rate:,.0f}" if isinstance(rate, (int, float)) else "-", state,
            time.strftime("%Y-%m-%d %H:%M", time.localtime(record.started))]


def run_state(record: RunRecord) -> str:
    """The run's status; a run training in its own process says so: "live 45%"."""
    note = live_note(record.path) if record.state == "running" else None
    return note or record.state


def show(value: Any) -> str:
    """A setting as a cell: lists joined, None as '-', fractions to 4 significant digits
    (a dataset's measured mean is 0.12504419976323863 in config.json)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(show, value)) or "none"
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)


LABELS = {"train_size_actual": "train images", "test_size_actual": "test images",
          "device_resolved": "device used", "precision_resolved": "precision used",
          "train_size": "train images asked", "test_size": "test images asked",
          "lr": "learning rate", "batch_size": "batch size",
          "target_acc": "target accuracy", "lr_steered": "learning rate steered"}
"""People's names for config.json's keys where the key is not one (arch.* stay as they
are: the fork dialog and the CLI use those names)."""


def difference_rows(comparison: Comparison) -> list[list[str]]:
    """One row per setting that differs: its name, then each run's value."""
    return [[LABELS.get(key, key.replace("_", " ") if "." not in key else key),
             *(show(as_percent(key, v)) for v in values)]
            for key, values in comparison.differences.items()]


def _ratio(value: float | None, first: float | None) -> str:
    return f" ({value / first:.2f}x)" if value is not None and first else ""


def accuracy_gap(run: RunSummary, first: RunSummary) -> str | None:
    """``+0.35 pp = 7 of 2,000 test images``: the run's final test accuracy against the first
    run's, in percentage points and, where both were measured on the same test set, in test
    images (one run each has no noise estimate: the count shows how few images a gap is).
    None when either has no accuracy."""
    if run.final_test_acc is None or first.final_test_acc is None:
        return None
    gap = run.final_test_acc - first.final_test_acc
    text = f"{100 * gap:+.2f} pp"
    images = run.test_images
    if images is not None and (images, run.dataset) == (first.test_images, first.dataset):
        text += f" = {round(abs(gap) * images):,} of {images:,} test images"
    return text


def accuracy_gaps(comparison: Comparison) -> list[tuple[str, str]]:
    """(run id, accuracy_gap) for each run after the first that has one."""
    first = comparison.runs[0]
    gaps = [(run.run_id, accuracy_gap(run, first)) for run in comparison.runs[1:]]
    return [(run_id, gap) for run_id, gap in gaps if gap is not None]


def result_rows(comparison: Comparison) -> list[list[str]]:
    """What each run achieved, one row per measure; ratios are against the first run."""
    runs = comparison.runs
    first = runs[0]

    def row(label: str, cells: list[str]) -> list[str]:
        return [label, *cells]

    return [
        row("parameters", [fmt.count(r.params) + (_ratio(r.params, first.params) if i else "")
                           for i, r in enumerate(runs)]),
        row("mult-adds", [(fmt.si(r.macs) if r.macs is not None else "-")
                          + (_ratio(r.macs, first.macs) if i else "") for i, r in enumerate(runs)]),
        row("epochs done", [str(r.epochs_done) for r in runs]),  # "epochs": asked, above
        row("best test acc", [fmt.percent(r.best_test_acc) for r in runs]),
        row("final test acc", [fmt.percent(r.final_test_acc) for r in runs]),
        row("train seconds", ["-" if r.train_seconds is None else f"{r.train_seconds:.1f}"
                              for r in runs]),
        row("images/s", ["-" if r.images_per_s is None else f"{r.images_per_s:,.0f}"
                         for r in runs]),
        row("status", [r.status for r in runs]),
    ]
