"""The list of saved runs: one row per run folder, filtered by words, sorted by a column.

Each run is named by its short id (the shortest suffix of its id that the CLI resolves to it
alone); the columns that tell runs apart stay at the left while the rest scroll sideways.
Where the list is too narrow for those and the status (beside the setup panel at 80 columns)
it is drawn compact: one space between columns, ``acc`` and ``ep`` as headings, and the
columns that matter first (id, arch, dataset, best acc, epochs, status); the rest (seed,
device, params, seconds, img/s, started) still scroll into view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from rich.cells import cell_len
from rich.text import Text
from textual.actions import SkipAction
from textual.events import Resize
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable

from tui_cnn.core.config import PRESETS, ArchSpec, ConfigError
from tui_cnn.core.rows import RUN_COLUMNS, RUN_NUMBER_COLUMNS, run_row
from tui_cnn.core.run_refs import short_ids
from tui_cnn.core.runs import RunRecord
from tui_cnn.render.marks import MarkColour

COLUMNS = ("", "id", "arch", "dataset", "seed", "best acc", "epochs", "status", "device",
           "params", "seconds", "img/s", "started")
IDENTIFYING = COLUMNS.index("seed") + 1
"""The mark and the columns that tell runs apart: kept in view when the list scrolls."""
SCROLLED_ROOM = 16
"""Columns the list leaves to the scrolled part; where the identifying columns would not
leave them, only the mark and the id stay."""
NARROW_ORDER = ("", "id", "arch", "dataset", "best acc", "epochs", "status", "seed",
                "device", "params", "seconds", "img/s", "started")
"""The compact list's column order: what tells runs apart and how they did, first."""
NARROW_LABELS = {"best acc": "acc", "epochs": "ep"}
RIGHT = RUN_NUMBER_COLUMNS
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


def row_cells(record: RunRecord, short_id: str) -> list[str]:
    """The CLI's `tui-cnn runs` row in COLUMNS' order (after the mark), the run named by its
    short id; ``cnn*``: the preset changed (its settings differ from the preset's)."""
    cells = dict(zip(RUN_COLUMNS, run_row(record), strict=True))
    cells["id"] = short_id
    if changed_preset(record.config):
        cells["arch"] += "*"
    return [cells[name] for name in COLUMNS[1:]]


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


def wide_fits(rows: list[list[str]], room: int) -> bool:
    """The mark and COLUMNS up to the status, each padded by one cell on either side, fit
    in ``room`` for these rows (cells in COLUMNS' order after the mark)."""
    needed = 3  # the mark
    for index, name in enumerate(COLUMNS[1:COLUMNS.index("status") + 1]):
        needed += 2 + max([cell_len(name), *(cell_len(row[index]) for row in rows)])
    return needed <= room


class RunsTable(DataTable[Any]):
    """Shows ``records`` (the run store's order: newest first) through a filter and a sort.
    Selection lives with the caller; each selected run's mark is drawn in its colour.

    Up and down move the cursor, left and right scroll sideways; Page Up/Down, Home and End
    are the Runs view's (its comparison and notes run on below the list)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True,
                         cursor_foreground_priority="renderable")  # a mark keeps its colour
        self.records: dict[str, RunRecord] = {}
        self.short_ids: dict[str, str] = {}  # run id -> its short id among the runs listed
        self.cells: dict[str, list[str]] = {}
        self.words: list[str] = []
        self.sort_column = STARTED
        self.reverse = True
        self.compact = False  # drawn in NARROW_ORDER, one space between columns
        self.marks_drawn: dict[str, MarkColour] = {}  # the caller's selection, last drawn
        self.laid_out_for = 0  # the width the columns were last fitted to

    def on_mount(self) -> None:
        self.add_columns_for(compact=False)

    def add_columns_for(self, *, compact: bool) -> None:
        """The columns, in COLUMNS' order, or compact (NARROW_ORDER, short headings, the
        space between columns drawn as each cell's last)."""
        self.compact = compact
        self.cell_padding = 0 if compact else 1
        for name in NARROW_ORDER if compact else COLUMNS:
            label = NARROW_LABELS.get(name, name) if compact else name
            self.add_column(self.cell_text(name, label), key=name)

    def cell_text(self, name: str, text: str) -> Text:
        """Compact, a cell ends with the space before the next column (kept with the id
        when the columns after it scroll); a right-aligned cell's space would be trimmed
        (Rich trims trailing spaces to align right), so the cell after it starts with it."""
        justify: Literal["right", "left"] = "right" if name in RIGHT else "left"
        if not self.compact:
            return Text(text, justify=justify)
        place = NARROW_ORDER.index(name)
        lead = " " if place and NARROW_ORDER[place - 1] in RIGHT else ""
        trail = " " if name not in RIGHT and place < len(NARROW_ORDER) - 1 else ""
        return Text(lead + text + trail, justify=justify)

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

    def load(self, records: list[RunRecord], selected: Mapping[str, MarkColour]) -> None:
        self.records = {record.run_id: record for record in records}
        self.short_ids = short_ids(self.records)
        self.cells = {rid: row_cells(record, self.short_ids[rid])
                      for rid, record in self.records.items()}
        self.rebuild(selected)

    def set_filter(self, text: str, selected: Mapping[str, MarkColour]) -> None:
        self.words = text.lower().split()
        self.rebuild(selected)

    def sort_by(self, column: int, selected: Mapping[str, MarkColour]) -> None:
        """Sort by ``column``; the same column again reverses the order."""
        self.reverse = not self.reverse if column == self.sort_column else column == STARTED
        self.sort_column = column
        self.rebuild(selected)

    def rebuild(self, selected: Mapping[str, MarkColour]) -> None:
        current = self.current
        ids = [rid for rid, cells in self.cells.items() if matches([*cells, rid], self.words)]
        if self.sort_column == STARTED:  # by the time itself, not the minute shown
            ids.sort(key=lambda rid: (self.records[rid].started, rid), reverse=self.reverse)
        elif self.sort_column > 0:
            ids.sort(key=lambda rid: sort_key(self.cells[rid][self.sort_column - 1]),
                     reverse=self.reverse)
        self.marks_drawn = dict(selected)
        room = self.scrollable_content_region.width  # 0 before the first layout
        compact = self.compact if not room else not wide_fits(list(self.cells.values()), room)
        self.clear(columns=compact != self.compact)
        if not self.columns:
            self.add_columns_for(compact=compact)
        for rid in ids:
            cells = dict(zip(COLUMNS[1:], self.cells[rid], strict=True))
            self.add_row(*(self.mark(rid, selected) if not name else
                           self.cell_text(name, cells[name]) for name in self.columns_order),
                         key=rid)
        if current is not None and current.run_id in ids:
            self.move_cursor(row=ids.index(current.run_id))
        self.fit_fixed_columns()

    @property
    def columns_order(self) -> tuple[str, ...]:
        return NARROW_ORDER if self.compact else COLUMNS

    def mark(self, run_id: str, selected: Mapping[str, MarkColour]) -> Text:
        colour = selected.get(run_id)
        glyph = Text("●", style=f"bold {colour.rich}") if colour else Text("·", style="dim")
        return glyph.append(" " if self.compact else "")

    def update_marks(self, selected: Mapping[str, MarkColour]) -> None:
        self.marks_drawn = dict(selected)
        for rid in self.shown:
            self.update_cell(rid, "", self.mark(rid, selected))

    # Sideways and the page ------------------------------------------------------------

    def fit_fixed_columns(self) -> None:
        """Keep the identifying columns in view as the list scrolls sideways, or only the
        mark and the id where those would leave the rest too little room (or compact)."""
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        room = self.scrollable_content_region.width
        fits = not self.compact and sum(widths[:IDENTIFYING]) + SCROLLED_ROOM <= room
        keep = IDENTIFYING if fits else 2
        self.fixed_columns = min(keep, len(widths))

    def on_resize(self, _: Resize) -> None:
        self.fit_fixed_columns()  # the layout's own fit: render_lines, at the new width

    def render_lines(self, crop: Region) -> list[Strip]:
        """Scrolled out of view when the setup panel comes or goes, the list gets no resize:
        drawn at a width it was not laid out for, it fits itself then."""
        room = self.scrollable_content_region.width
        if room != self.laid_out_for:
            self.laid_out_for = room
            self.call_after_refresh(self.fit_layout)
        return super().render_lines(crop)

    def fit_layout(self) -> None:
        """Compact where the list became too narrow, as before where it is wide again."""
        room = self.scrollable_content_region.width
        if room and self.compact == wide_fits(list(self.cells.values()), room):
            self.rebuild(self.marks_drawn)

    def action_page_down(self) -> None:
        raise SkipAction()  # the view's: down to the comparison and the notes

    def action_page_up(self) -> None:
        raise SkipAction()

    def action_scroll_home(self) -> None:
        raise SkipAction()

    def action_scroll_end(self) -> None:
        raise SkipAction()

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self.scroll_visible(animate=False)  # the view scrolled down: back to the list

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self.scroll_visible(animate=False)
