"""A sweep's report as text: the group table (n, mean, std, 95% intervals) and the verdicts,
plain or Markdown. Shared by ``sweep-report``, ``compare`` and ``report`` given a sweep."""

from __future__ import annotations

from tui_cnn import fmt
from tui_cnn.core.sweep.stats import Summary
from tui_cnn.core.sweep.summary import SweepReport


def _ci(summary: Summary, scale: float, digits: int) -> str:
    if summary.mean is None:
        return "-"
    if summary.half_width is None:
        return f"{summary.mean * scale:.{digits}f}"
    return f"{summary.mean * scale:.{digits}f} +/- {summary.half_width * scale:.{digits}f}"


def _std(summary: Summary, scale: float, digits: int) -> str:
    return "-" if summary.std is None else f"{summary.std * scale:.{digits}f}"


def report_text(report: SweepReport, markdown: bool = False) -> str:
    headers = ["group", "n", "final acc % (95% CI)", "std", "best acc % (95% CI)",
               "train s", "img/s"]
    rows = [[g.label, f"{g.metrics['final_test_acc'].n}/{len(g.trials)}",
             _ci(g.metrics["final_test_acc"], 100, 2), _std(g.metrics["final_test_acc"], 100, 2),
             _ci(g.metrics["best_test_acc"], 100, 2), _ci(g.metrics["train_seconds"], 1, 1),
             _ci(g.metrics["images_per_s"], 1, 0)] for g in report.groups]
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.counts().items()))
    head = f"sweep {report.sweep_id}: {len(report.trials)} trial(s): {counts}"
    verdicts = [f"- {c.verdict}" for c in report.comparisons]
    if markdown:
        table = "\n".join(["| " + " | ".join(headers) + " |",
                           "|" + "|".join("---" for _ in headers) + "|",
                           *("| " + " | ".join(r) + " |" for r in rows)])
        return "\n".join([f"**{head}**", "", table, "", *verdicts])
    table = fmt.table(headers, rows, right={1, 2, 3, 4, 5, 6})
    note = "(n: finished trials of the group; intervals: Student t, 95%; " \
           "verdicts: final test accuracy, Welch's interval)"
    return "\n".join([head, table, *verdicts, note])


def markdown_section(report: SweepReport) -> str:
    """A sweep's part of a Markdown report: a heading, its groups, its verdicts."""
    return f"## Sweep `{report.sweep_id}`\n\n" + report_text(report, markdown=True)
