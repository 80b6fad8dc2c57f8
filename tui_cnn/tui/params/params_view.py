"""The Parameters view: where the parameters are, layer by layer; the chapter's arithmetic;
and the chapter's naive convolution measured against torch's.

Everything but the convolution is pure Python over ``core.layers``: it follows the setup
panel at once, before any training and before torch is loaded.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import ConfigError
from tui_cnn.core.events import Event, FilterSnapshot, RunEnded, RunStarted
from tui_cnn.core.layers import LayerTable, layer_table
from tui_cnn.tui.messages import RunListener, Setup
from tui_cnn.tui.params.conv_panel import ConvPanel
from tui_cnn.tui.params.conv_source import ConvRequest, LearnedFilter
from tui_cnn.tui.params.params_arithmetic import ArithmeticPanel
from tui_cnn.tui.params.params_table import ParamsTable


def heading(name: str, dataset: str, table: LayerTable) -> str:
    """E.g. ``cnn on Synthetic digits (1x28x28, 10 classes): 421,642 parameters, ...``."""
    info = dataset_info(dataset)
    shape = "x".join(map(str, table.input_shape))
    return (f"{name} on {info.title} ({shape}, {table.num_classes} classes): "
            f"{table.params:,} parameters · {table.macs:,} multiply-adds per image")


def learned_filter(event: FilterSnapshot, run_id: str | None) -> LearnedFilter | None:
    """Filter 0 of a conv layer's snapshot (an MLP's first layer is not a small kernel)."""
    if not event.layer.startswith("conv") or event.weights.ndim != 4:
        return None
    when = f"after epoch {event.epoch}" if event.epoch_end else f"at step {event.step:,}"
    run = f" of run {run_id}" if run_id else ""
    return LearnedFilter(event.weights[0].copy(), f"{event.layer} filter 0 {when}{run}")


LEGEND = "RF (receptive field): the input pixels one value sees; all: every pixel"


class ParamsView(RunListener, VerticalScroll):
    """Receives ``on_setup`` (the chosen spec and dataset) and every ``on_run_event``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.setup: Setup | None = None
        self.snapshot: LearnedFilter | None = None
        self._run_id: str | None = None
        self._training = False

    def compose(self) -> ComposeResult:
        yield Static("Choose an architecture in the setup panel.", id="params-heading")
        yield ParamsTable(id="params-table")
        yield Static(LEGEND, id="params-legend")
        yield Static("The chapter's arithmetic", classes="section-title")
        yield ArithmeticPanel(id="params-arithmetic")
        with Vertical(id="conv-section"):
            yield Static("The convolution itself", classes="section-title")
            yield ConvPanel(id="conv-panel")

    @property
    def table(self) -> ParamsTable:
        return self.query_one(ParamsTable)

    @property
    def conv(self) -> ConvPanel:
        return self.query_one(ConvPanel)

    def on_setup(self, setup: Setup) -> None:
        self.setup = setup
        self.query_one(ArithmeticPanel).show(setup.dataset)
        head = self.query_one("#params-heading", Static)
        info = dataset_info(setup.dataset)
        problem = setup.arch_problem
        if problem is None:
            try:
                table = layer_table(setup.arch, info.shape, info.num_classes)
            except ConfigError as error:  # the panel says so too; never seen in practice
                problem = f"does not fit {setup.dataset}: {error}"
        head.set_class(problem is not None, "-error")
        self.table.display = self.query_one("#params-legend").display = problem is None
        if problem is not None:
            head.update(f"✗ No table: {problem}")
            return
        self.table.show(table)
        head.update(heading(setup.arch.name, setup.dataset, table))

    def on_run_event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._run_id, self._training = event.run_id, True
        elif isinstance(event, RunEnded):
            self._training = False
        elif isinstance(event, FilterSnapshot):
            self.snapshot = learned_filter(event, self._run_id) or self.snapshot

    def compare_conv(self) -> None:
        """Run the naive conv2d against torch's (in a worker) and scroll to the result."""
        setup = self.setup
        if setup is None:
            return
        self.conv.start(ConvRequest(setup.dataset, setup.data_dir, setup.runs_dir,
                                    self.snapshot, self._training))
        self.scroll_to_widget(self.query_one("#conv-section"), top=True, animate=False)
