"""The comparison table: settings that differ, then what each selected run achieved."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui_cnn.core.compare import Comparison, compare
from tui_cnn.core.rows import accuracy_gaps, difference_rows, result_rows
from tui_cnn.core.runs import RunRecord
from tui_cnn.tui.runs.compare_data import RunCurves


def comparison_table(comparison: Comparison, curves: list[RunCurves]) -> Table:
    """One column per run (its legend name in its mark's colour); ratios are against the
    first."""
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, expand=False)
    table.add_column("", style="bold", no_wrap=True, max_width=16)
    for curve in curves:
        table.add_column(Text(f"● {curve.label}", style=f"bold {curve.colour.rich}"))
    for row in difference_rows(comparison):
        table.add_row(*row)
    if comparison.differences:
        table.add_section()
    elif len(curves) > 1:
        table.add_row("settings", *(["same"] * len(curves)))
    for row in result_rows(comparison):
        table.add_row(*row)
    return table


def gaps_line(comparison: Comparison, curves: list[RunCurves]) -> Text | None:
    """The final test accuracy of each run against the first's, also counted in test
    images: one run each, a gap has no noise estimate."""
    gaps = accuracy_gaps(comparison)
    if not gaps:
        return None
    name = {curve.run_id: curve.short_id for curve in curves}
    text = Text(f"Final test accuracy against {curves[0].short_id}'s: ")
    for i, (run_id, gap) in enumerate(gaps):
        text.append(", " if i else "")
        text.append(name[run_id], style="bold").append(f" {gap}")
    return text.append(". One run each: no noise estimate; a sweep of seeds (s in the "
                       "exercises dialog, e) gives one.", style="dim")


class CompareTable(Static):
    def show(self, records: list[RunRecord], curves: list[RunCurves]) -> None:
        if not records:
            self.update("")
            return
        comparison = compare(records)
        gaps = gaps_line(comparison, curves)
        table = comparison_table(comparison, curves)
        self.update(table if gaps is None else Group(table, Text(""), gaps))
