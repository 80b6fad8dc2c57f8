"""The comparison table: settings that differ, then what each selected run achieved."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui_cnn.core.compare import Comparison, compare
from tui_cnn.core.rows import accuracy_gaps, difference_rows, result_rows
from tui_cnn.core.runs import RunRecord
from tui_cnn.tui.runs.compare_data import RunCurves


def wrappable(label: str) -> str:
    """``arch.conv_channels`` -> ``arch conv channels``: a setting's name that may wrap."""
    return label.replace(".", " ").replace("_", " ")


def comparison_table(comparison: Comparison, curves: list[RunCurves], *,
                     compact: bool = False) -> Table:
    """One column per run (its legend name in its mark's colour); ratios are against the
    first. ``compact``: one space between columns and the settings' names wrapped at their
    dots and underscores, for a table that would not fit otherwise."""
    table = Table(box=None, padding=(0, 1 if compact else 2, 0, 0), show_edge=False,
                  expand=False, pad_edge=not compact)
    rows = [[wrappable(label) if compact else label, *cells]
            for label, *cells in difference_rows(comparison)]
    results = result_rows(comparison)
    headers = ["", *(f"● {curve.label}" for curve in curves)]
    words = [longest_word([headers[i], *(row[i] for row in rows + results)])
             for i in range(len(headers))]  # wrapped at spaces, a column is never narrower
    table.add_column("", style="bold", no_wrap=not compact, min_width=words[0])
    for curve, header, word in zip(curves, headers[1:], words[1:], strict=True):
        table.add_column(Text(header, style=f"bold {curve.colour.rich}"), min_width=word)
    for row in rows:
        table.add_row(*row)
    if comparison.differences:
        table.add_section()
    elif len(curves) > 1:
        table.add_row("settings", *(["same"] * len(curves)))
    for row in results:
        table.add_row(*row)
    return table


def longest_word(cells: list[str]) -> int:
    return max((cell_len(word) for cell in cells for word in cell.split()), default=0)


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


class FittedTable:
    """The comparison table as it fits the width it is drawn in: whole on a line where it
    can, else compact (:func:`comparison_table`), its cells wrapped at spaces."""

    def __init__(self, comparison: Comparison, curves: list[RunCurves]) -> None:
        self.comparison, self.curves = comparison, curves
        self._tables: dict[bool, Table] = {}  # by compact: each built once, drawn often
        self._natural: int | None = None  # the whole table's width on one line

    def table(self, compact: bool) -> Table:
        if compact not in self._tables:
            self._tables[compact] = comparison_table(self.comparison, self.curves,
                                                     compact=compact)
        return self._tables[compact]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self._natural is None:
            self._natural = Measurement.get(console, options.update_width(10_000),
                                            self.table(compact=False)).maximum
        yield self.table(compact=self._natural > options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table(compact=False))


class CompareTable(Static):
    def show(self, records: list[RunRecord], curves: list[RunCurves]) -> None:
        if not records:
            self.update("")
            return
        comparison = compare(records)
        gaps = gaps_line(comparison, curves)
        table = FittedTable(comparison, curves)
        self.update(table if gaps is None else Group(table, Text(""), gaps))
