"""A Markdown report of saved runs, meant to be pasted into a GitHub issue, and the small
value helpers the report and the inspecting commands share (finite values, edge labels).

Pure text assembly (no torch, no plotting library): the caller passes the pictures
(curves, filter grids) already drawn as plain text; they go into fenced code blocks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tui_cnn import fmt
from tui_cnn.core.compare import Comparison, RunSummary, as_percent, flatten
from tui_cnn.core.inspect import EdgeScore, edge_scores

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SPARKS = "▁▂▃▄▅▆▇█"
# Towards brighter, for each edge angle of core.inspect (0 = rightward, 90 = upward).
ARROWS = {0: "→", 45: "↗", 90: "↑", 135: "↖", 180: "←", 225: "↙", 270: "↓", 315: "↘"}

# (label, flat config key): the settings table, in this order.
CONFIG_ROWS = (
    ("arch", "arch.name"), ("conv channels", "arch.conv_channels"),
    ("kernel", "arch.kernel_size"), ("downsampling", "arch.downsample"),
    ("hidden units", "arch.hidden"), ("batch norm", "arch.batch_norm"),
    ("dropout", "arch.dropout"), ("dataset", "dataset"),
    ("train images", "train_size_actual"), ("test images", "test_size_actual"),
    ("epochs", "epochs"), ("batch size", "batch_size"), ("optimizer", "optimizer"),
    ("learning rate", "lr"), ("learning rate steered", "lr_steered"),
    ("schedule", "schedule"), ("augment", "augment"),
    ("label smoothing", "label_smoothing"), ("target accuracy", "target_acc"),
    ("seed", "seed"), ("device", "device_resolved"), ("threads", "threads"),
)


@dataclass(frozen=True)
class Figure:
    """A titled picture drawn as plain text (it goes in a fenced code block)."""

    title: str
    text: str
    note: str = ""  # a line of Markdown under the block


@dataclass(frozen=True)
class RunSection:
    """What the report says about one run beyond the tables."""

    run_id: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Markdown lines (edge summary, problems)


# ---- values made safe to show ------------------------------------------------------------


def json_safe(value: Any) -> Any:
    """NaN and infinities become None, recursively (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def finite_points(rows: Sequence[dict[str, Any]], x: str,
                  y: str) -> tuple[list[float], list[float]]:
    """(xs, ys) of the rows where both are finite numbers: a plot never sees NaN/inf."""
    ok = [(float(r[x]), float(r[y])) for r in rows if _finite(r.get(x)) and _finite(r.get(y))]
    return [a for a, _ in ok], [b for _, b in ok]


def finite_range(weights: np.ndarray) -> tuple[float, float]:
    """(min, max) of the finite weights; (0, 0) if there are none."""
    finite = weights[np.isfinite(weights)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)


def no_edge_scores(weights: np.ndarray) -> str:
    """Why (N, C, k, k) weights cannot be edge-scored, or "" if they can."""
    k_h, k_w = weights.shape[2:]
    if k_h != k_w or k_h < 3 or k_h % 2 == 0:
        return "edge scores need odd square kernels of 3x3 or more; none for these"
    if not np.isfinite(weights).all():
        return "the weights hold NaN or infinity (the run diverged); no edge scores"
    return ""


def edge_scores_or_none(weights: np.ndarray) -> list[EdgeScore] | None:
    """Edge scores of (N, C, k, k) weights; None where ``no_edge_scores`` says why not
    (1x1 or even kernels, an MLP's image-sized templates, non-finite weights)."""
    return None if no_edge_scores(weights) else edge_scores(weights)


def edge_label(score: EdgeScore) -> str:
    """Tile label: the filter index, with an arrow towards brighter when edge-like."""
    return f"{score.index} {ARROWS[score.angle]}" if score.edge_like else str(score.index)


# ---- Markdown ------------------------------------------------------------------------------


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def sparkline(values: Sequence[float]) -> str:
    """``▁▃▅█``-style line of the finite values (NaN/inf skipped); "" if none."""
    finite = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not finite:
        return ""
    lo, hi = min(finite), max(finite)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((v - lo) / (hi - lo) * top) if hi > lo else 0] for v in finite)


def cell(value: Any) -> str:
    """A value as one Markdown table cell: lists joined, floats short, pipes escaped."""
    if value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, (list, tuple)):
        text = ", ".join(cell(v) for v in value) or "none"
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
             right: set[int] | None = None) -> str:
    right = right or set()
    rule = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = [headers, rule, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def config_table(configs: Sequence[dict[str, Any]], run_ids: Sequence[str],
                 differing: set[str]) -> str:
    """Settings as rows, runs as columns; rows that differ between runs in bold."""
    flats = [flatten(c) for c in configs]
    rows = []
    for label, key in CONFIG_ROWS:
        if all(key not in flat for flat in flats):
            continue
        name = f"**{label}**" if key in differing else label
        rows.append([name, *(cell(as_percent(key, flat.get(key))) for flat in flats)])
    return md_table(["setting", *(f"`{run_id}`" for run_id in run_ids)], rows)



def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def result_row(run: RunSummary) -> list[str]:
    return [f"`{run.run_id}`", cell(run.arch), fmt.count(run.params),
            fmt.si(run.macs) if run.macs is not None else "-", str(run.epochs_done),
            fmt.percent(run.best_test_acc), fmt.percent(run.final_test_acc),
            _seconds(run.train_seconds),
            "-" if run.images_per_s is None else f"{run.images_per_s:,.0f}", cell(run.status)]


def result_table(comparison: Comparison) -> str:
    headers = ["run", "arch", "parameters", "mult-adds", "epochs", "best test acc",
               "final test acc", "train time", "img/s", "status"]
    return md_table(headers, [result_row(run) for run in comparison.runs],
                    right={2, 3, 4, 5, 6, 7, 8})


def code_block(text: str) -> str:
    """Plain text in a ```text fence (ANSI codes stripped, trailing spaces trimmed)."""
    lines = [line.rstrip() for line in strip_ansi(text).strip("\n").splitlines()]
    fence = "````" if any(line.startswith("```") for line in lines) else "```"
    return "\n".join([f"{fence}text", *lines, fence])


def figure(fig: Figure, level: int = 3) -> str:
    parts = [f"{'#' * level} {fig.title}", "", code_block(fig.text)]
    if fig.note:
        parts += ["", fig.note]
    return "\n".join(parts)


def build_report(comparison: Comparison, configs: Sequence[dict[str, Any]],
                 curves: Sequence[Figure], sections: Sequence[RunSection],
                 *, title: str = "tui-cnn report", footer: str = "",
                 after_results: Sequence[str] = ()) -> str:
    """The whole report as Markdown: settings, results (then ``after_results``, e.g. a
    sweep's groups and verdict), curves, then one part per run."""
    ids = [run.run_id for run in comparison.runs]
    noun = "run" if len(ids) == 1 else "runs"
    out = [f"# {title}", "", f"{len(ids)} {noun}: " + ", ".join(f"`{i}`" for i in ids), "",
           "## Settings", "", config_table(configs, ids, set(comparison.differences)), ""]
    if len(ids) > 1:
        out += ["Settings in **bold** differ between the runs.", ""]
    out += ["## Results", "", result_table(comparison), ""]
    for part in after_results:
        out += [part, ""]
    if curves:
        out += ["## Curves", ""]
        for fig in curves:
            out += [figure(fig), ""]
    for section in sections:
        out += [f"## Run `{section.run_id}`", ""]
        for note in section.notes:
            out += [note, ""]
        for fig in section.figures:
            out += [figure(fig), ""]
    if footer:
        out += ["---", "", footer, ""]
    return "\n".join(out).rstrip("\n") + "\n"
