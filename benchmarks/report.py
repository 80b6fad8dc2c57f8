"""The results as one table of rows: what, tui-cnn's figure, the baseline's, the ratio, target."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    section: str
    what: str
    value: str  # tui-cnn's figure, formatted
    baseline: str  # the baseline's figure, formatted
    ratio: float | None  # value over baseline (or baseline over value for times): > 1 is better
    target: str = ""
    met: bool | None = None
    cpu_time_ratio: float | None = None  # the same ratio from thread CPU time (1 thread)
    of_peak: float | None = None  # tui-cnn's figure as a fraction of the fp32 peak
    baseline_of_peak: float | None = None  # the baseline's


def rate(value: float) -> str:
    return f"{value:,.0f} img/s"


def seconds(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.2f} s"


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def mib(value: float) -> str:
    return f"{value:,.0f} MiB"


def ratio_text(row: Row) -> str:
    text = "-" if row.ratio is None else f"x{row.ratio:.2f}"
    if row.cpu_time_ratio is not None:
        text += f" (cpu-time x{row.cpu_time_ratio:.2f})"
    return text


def peak_text(row: Row) -> str:
    if row.of_peak is None:
        return ""
    base = "" if row.baseline_of_peak is None else f" / {100 * row.baseline_of_peak:.0f}%"
    return f"{100 * row.of_peak:.0f}%{base}"


def met_text(row: Row) -> str:
    return {True: "yes", False: "NO", None: ""}[row.met]


def table(rows: list[Row]) -> str:
    """A Markdown table (it reads as a plain-text table too)."""
    head = ["section", "measure", "tui-cnn", "baseline", "ratio", "of fp32 peak", "target", "met"]
    body = [[r.section, r.what, r.value, r.baseline, ratio_text(r), peak_text(r), r.target,
             met_text(r)] for r in rows]
    widths = [max(len(str(line[i])) for line in [head, *body]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), rule, *(line(cells) for cells in body)])


def rows_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]
