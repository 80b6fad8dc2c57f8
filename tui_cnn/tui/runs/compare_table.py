"""The comparison table: settings that differ, then what each selected run achieved."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui_cnn.core.compare import compare
from tui_cnn.core.rows import difference_rows, result_rows
from tui_cnn.core.runs import RunRecord
from tui_cnn.tui.runs.compare_data import RunCurves


def comparison_table(records: list[RunRecord], curves: list[RunCurves]) -> Table:
    """One column per run (its legend name in its colour); ratios are against the first."""
    comparison = compare(records)
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, expand=False)
    table.add_column("", style="bold", no_wrap=True)
    for curve in curves:
        table.add_column(Text(f"● {curve.label}", style=f"bold {curve.colour.rich}"),
                         no_wrap=True)
    for row in difference_rows(comparison):
        table.add_row(*row)
    if comparison.differences:
        table.add_section()
    elif len(records) > 1:
        table.add_row("settings", *(["same"] * len(records)))
    for row in result_rows(comparison):
        table.add_row(*row)
    return table


class CompareTable(Static):
    def show(self, records: list[RunRecord], curves: list[RunCurves]) -> None:
        self.update(comparison_table(records, curves) if records else "")
