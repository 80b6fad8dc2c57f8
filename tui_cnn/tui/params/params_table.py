"""The per-layer parameter table: shapes, formulas, shares, multiply-adds, receptive fields.

The columns match ``tui-cnn summary``; the share is drawn as a bar of eighth blocks so that
small layers (0.1%) still differ from empty ones. Where the view is too narrow for every
column (80 columns, or 120 beside the setup panel) the table drops what it can spare
first: the long header of the receptive field (RF), the bar, then the type (the layer's
name says it: conv1, pool1, fc1), so that the multiply-adds and receptive fields stay on
screen (issue 20, item 9: they were off it, behind a sideways scroll).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from tui_cnn.core.layers import Layer, LayerTable

COLUMNS = ("layer", "type", "output", "parameters", "share", "mult-adds", "receptive field")
"""The columns' keys (and, at full width, their headers)."""
BAR_WIDTH = 8
_EIGHTHS = " ▏▎▍▌▋▊▉"

Cell = str | Text


def share_bar(share: float, width: int = BAR_WIDTH) -> str:
    """``share`` in [0, 1] as ``width`` cells of eighth blocks (at least a sliver if > 0)."""
    eighths = round(min(1.0, max(0.0, share)) * width * 8)
    if share > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


def shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(str(size) for size in shape)


def field_text(layer: Layer) -> str:
    rf = layer.receptive_field
    return f"{rf}x{rf}" if rf else "all"


def _right(text: str, style: str = "") -> Text:
    return Text(text, style=style, justify="right")


@dataclass(frozen=True)
class Layout:
    """What the table shows of its columns."""

    kind: bool = True  # the type column
    bar: int = BAR_WIDTH  # the share's bar, in cells (0: the percentage alone)
    field: str = "receptive field"  # the receptive field's header

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in COLUMNS if self.kind or c != "type")

    def header(self, column: str) -> str:
        return self.field if column == "receptive field" else column


LAYOUTS = (Layout(), Layout(field="RF"), Layout(bar=0, field="RF"),
           Layout(kind=False, bar=0, field="RF"))
"""From the widest to the narrowest: the first that fits is shown."""


def layer_cells(table: LayerTable, layer: Layer, bar: int = BAR_WIDTH) -> dict[str, Cell]:
    """One row by column: name, kind, output shape, formula (or 0), share, multiply-adds,
    field."""
    share = table.share(layer)
    bar_text = f" {share_bar(share, bar)}" if bar else ""
    return {
        "layer": layer.name,
        "type": layer.kind,
        "output": shape_text(layer.out_shape),
        "parameters": _right(layer.formula) if layer.params else _right("0", "dim"),
        "share": Text(f"{100 * share:5.1f}%{bar_text}") if layer.params else Text(""),
        "mult-adds": _right(f"{layer.macs:,}") if layer.macs else Text(""),
        "receptive field": field_text(layer),
    }


def total_cells(table: LayerTable) -> dict[str, Cell]:
    """The bottom row: the totals, bold."""
    return {"layer": Text("total", style="bold"), "type": "", "output": "",
            "parameters": _right(f"{table.params:,}", "bold"),
            "share": Text("100.0%", style="bold"),
            "mult-adds": _right(f"{table.macs:,}", "bold"), "receptive field": ""}


def rows(table: LayerTable, layout: Layout) -> list[tuple[str, tuple[Cell, ...]]]:
    """(key, cells) of each row the layout shows, the total last."""
    cells = [(layer.name, layer_cells(table, layer, layout.bar)) for layer in table.layers]
    cells.append(("total", total_cells(table)))
    return [(key, tuple(row[c] for c in layout.columns)) for key, row in cells]


def layout_width(table: LayerTable, layout: Layout, padding: int = 1) -> int:
    """Columns the table takes in ``layout`` (each column: its widest cell or header, and
    ``padding`` on both sides)."""
    widths = [len(layout.header(c)) for c in layout.columns]
    for _key, cells in rows(table, layout):
        widths = [max(w, cell_len(c) if isinstance(c, str) else c.cell_len)
                  for w, c in zip(widths, cells, strict=True)]
    return sum(widths) + 2 * padding * len(widths)


def fitting_layout(table: LayerTable, width: int) -> Layout:
    """The widest layout that fits ``width`` columns (the narrowest if none does)."""
    return next((layout for layout in LAYOUTS if layout_width(table, layout) <= width),
                LAYOUTS[-1])


class ParamsTable(DataTable[Cell]):
    """The layers of one LayerTable, the total last, in the widest layout that fits. The
    layer names stay put if the table still has to scroll sideways."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, fixed_columns=1, cursor_type="row", zebra_stripes=True)
        self.table: LayerTable | None = None
        self.columns_shown: Layout | None = None  # the layout shown now

    def show(self, table: LayerTable) -> None:
        """Replace the rows with ``table``'s layers (kept if the table is the same)."""
        if table != self.table:
            self.table = table
            self.columns_shown = None
            self._fill()

    def on_resize(self) -> None:
        self._fill()

    def _fill(self) -> None:
        """Lay the table out again if another layout fits the width now."""
        if self.table is None or not self.size.width:
            return
        layout = fitting_layout(self.table, self.size.width)
        if layout == self.columns_shown:
            return
        self.columns_shown = layout
        self.clear(columns=True)
        for column in layout.columns:
            self.add_column(layout.header(column), key=column)
        for key, cells in rows(self.table, layout):
            self.add_row(*cells, key=key)
