"""The list of saved runs: one row per run folder, filtered by words, sorted by a column."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from tui_cnn.core.config import PRESETS, ArchSpec, ConfigError
from tui_cnn.core.rows import run_row
from tui_cnn.core.runs import RunRecord
from tui_cnn.tui.runs.compare_data import Colour

COLUMNS = ("", "arch", "dataset", "device", "params", "epochs", "best acc", "seconds",
           "img/s", "status", "started", "run")
RIGHT = {"params", "epochs", "best acc", "seconds", "img/s"}
STARTED = COLUMNS.index("started")
_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?")


def changed_preset(config: dict[str, Any]) -> bool:
    """The run's network is a preset's name with other settings (a fork of one)."""
    arch = config.get("arch")
    if not isinstance(arch, dict) or arch.get("name") not in PRESETS:
        return False
    try:
        return ArchSpec.from_dict(arch) != PRESETS[arch["name"]]
    except (ConfigError, TypeError):
        return True


def row_cells(record: RunRecord) -> list[str]:
    """The CLI's `tui-cnn runs` row with the run id moved to the end; ``cnn*``: the preset
    changed (its settings differ from the preset's)."""
    cells = run_row(record)
    if changed_preset(record.config):
        cells[1] += "*"
    return [*cells[1:], cells[0]]


def matches(cells: list[str], words: list[str]) -> bool:
    """Every word (lower case) is in some cell: ``cnn mnist`` finds CNN runs on MNIST."""
    text = " ".join(cells).lower()
    return all(word in text for word in words)


def sort_key(cell: str) -> tuple[int, float, str]:
    """Numbers (``1,234``, ``97.5%``, ``2/3``) by value, then text; ``-`` last."""
    if cell in ("", "-"):
        return (2, 0.0, "")
    found = _NUMBER.match(cell)
    if found and found.group(0) not in ("-", ","):
        try:
            return (0, float(found.group(0).replace(",", "")), cell)
        except ValueError:
            pass
    return (1, 0.0, cell.lower())


class RunsTable(DataTable[Any]):
    """Shows ``records`` (the run store's order: newest first) through a filter and a sort.
    Selection lives with the caller; each selected run's mark is drawn in its colour."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.records: dict[str, RunRecord] = {}
        self.cells: dict[str, list[str]] = {}
        self.words: list[str] = []
        self.sort_column = STARTED
        self.reverse = True

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(Text(name, justify="right" if name in RIGHT else "left"), key=name)

    @property
    def shown(self) -> list[str]:
        """The run ids on screen, in order."""
        return [str(key.value) for key in self.rows]

    @property
    def current(self) -> RunRecord | None:
        """The run under the cursor."""
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return self.records.get(str(key.value))

    def load(self, records: list[RunRecord], selected: Mapping[str, Colour]) -> None:
        self.records = {record.run_id: record for record in records}
        self.cells = {record.run_id: row_cells(record) for record in records}
        self.rebuild(selected)

    def set_filter(self, text: str, selected: Mapping[str, Colour]) -> None:
        self.words = text.lower().split()
        self.rebuild(selected)

    def sort_by(self, column: int, selected: Mapping[str, Colour]) -> None:
        """Sort by ``column``; the same column again reverses the order."""
        self.reverse = not self.reverse if column == self.sort_column else column == STARTED
        self.sort_column = column
        self.rebuild(selected)

    def rebuild(self, selected: Mapping[str, Colour]) -> None:
        current = self.current
        ids = [rid for rid, cells in self.cells.items() if matches(cells, self.words)]
        if self.sort_column == STARTED:  # by the time itself, not the minute shown
            ids.sort(key=lambda rid: (self.records[rid].started, rid), reverse=self.reverse)
        elif self.sort_column > 0:
            ids.sort(key=lambda rid: sort_key(self.cells[rid][self.sort_column - 1]),
                     reverse=self.reverse)
        self.clear()
        for rid in ids:
            cells = [Text(c, justify="right" if name in RIGHT else "left")
                     for c, name in zip(self.cells[rid], COLUMNS[1:], strict=True)]
            self.add_row(self.mark(rid, selected), *cells, key=rid)
        if current is not None and current.run_id in ids:
            self.move_cursor(row=ids.index(current.run_id))

    def mark(self, run_id: str, selected: Mapping[str, Colour]) -> Text:
        colour = selected.get(run_id)
        return Text("●", style=f"bold {colour.rich}") if colour else Text("·", style="dim")

    def update_marks(self, selected: Mapping[str, Colour]) -> None:
        for rid in self.shown:
            self.update_cell(rid, "", self.mark(rid, selected))
