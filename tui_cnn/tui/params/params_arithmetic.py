"""The chapter's arithmetic side by side: MLP, CNN and stride-2 CNN on the chosen dataset,
the chapter's two sums, and its "~170K" against the real count. Every number is computed
(``core.arithmetic``)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui_cnn.core import arithmetic
from tui_cnn.core.arithmetic import NetworkCount
from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import ConfigError


def networks_table(counts: list[NetworkCount]) -> Table:
    """Parameters, multiply-adds and the first linear layer of each network."""
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold", show_edge=False)
    table.add_column("network", no_wrap=True)
    for label in ("parameters", "mult-adds", "first linear", "its share"):
        table.add_column(label, justify="right", no_wrap=True)
    for count in counts:
        fc = count.first_linear
        table.add_row(count.name, f"{count.params:,}", f"{count.macs:,}",
                      f"{fc.name} {fc.params:,}", f"{100 * count.first_linear_share:.1f}%")
    return table


def arithmetic_renderable(dataset: str) -> RenderableType:
    """The whole panel for ``dataset``."""
    info = dataset_info(dataset)
    try:
        counts = arithmetic.chapter_networks(dataset)
    except ConfigError as error:  # not with today's datasets; said plainly if it happens
        return Text(f"The chapter's networks do not fit {info.title}: {error}")
    sums = Text("The chapter's sums:", style="bold")
    for dense in arithmetic.chapter_sums():
        sums.append("\n  " + arithmetic.sum_line(dense), style="not bold")
    claims = Text("\n".join(arithmetic.claim_sentences(dataset)))
    shape = "x".join(map(str, info.shape))
    title = Text(f"The chapter's networks on {info.title} ({shape} images)", style="bold")
    return Group(title, networks_table(counts), Text(""), sums, Text(""), claims)


class ArithmeticPanel(Static):
    """Redrawn when the dataset changes (the networks are the chapter's, not the chosen)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.dataset: str | None = None

    def show(self, dataset: str) -> None:
        if dataset != self.dataset:
            self.dataset = dataset
            self.update(arithmetic_renderable(dataset))
