"""The per-layer parameter table: shapes, formulas, shares, multiply-adds, receptive fields.

The columns match ``tui-cnn summary``; the share is drawn as a bar of eighth blocks so that
small layers (0.1%) still differ from empty ones.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from tui_cnn.core.layers import Layer, LayerTable

COLUMNS = ("layer", "type", "output", "parameters", "share", "mult-adds", "receptive field")
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


def layer_cells(table: LayerTable, layer: Layer) -> tuple[Cell, ...]:
    """One row: name, kind, output shape, formula (or 0), share, multiply-adds, field."""
    share = table.share(layer)
    return (
        layer.name,
        layer.kind,
        shape_text(layer.out_shape),
        _right(layer.formula) if layer.params else _right("0", "dim"),
        Text(f"{100 * share:5.1f}% {share_bar(share)}") if layer.params else Text(""),
        _right(f"{layer.macs:,}") if layer.macs else Text(""),
        field_text(layer),
    )


def total_cells(table: LayerTable) -> tuple[Cell, ...]:
    """The bottom row: the totals, bold."""
    return (Text("total", style="bold"), "", "", _right(f"{table.params:,}", "bold"),
            Text("100.0%", style="bold"), _right(f"{table.macs:,}", "bold"), "")


class ParamsTable(DataTable[Cell]):
    """The layers of one LayerTable, the total last. The layer names stay put when the
    table scrolls sideways (80 columns are too few for every column)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, fixed_columns=1, cursor_type="row", zebra_stripes=True)
        self.table: LayerTable | None = None

    def on_mount(self) -> None:
        for label in COLUMNS:
            self.add_column(label, key=label)

    def show(self, table: LayerTable) -> None:
        """Replace the rows with ``table``'s layers (kept if the table is the same)."""
        if table == self.table:
            return
        self.table = table
        self.clear()
        for layer in table.layers:
            self.add_row(*layer_cells(table, layer), key=layer.name)
        self.add_row(*total_cells(table), key="total")
