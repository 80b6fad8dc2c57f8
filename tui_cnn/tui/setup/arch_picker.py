"""Choose a preset network or edit its spec; parameter counts follow the dataset."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.message import Message
from textual.widgets import Checkbox, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import PRESETS, ArchSpec, ConfigError
from tui_cnn.core.layers import layer_table
from tui_cnn.tui.setup import fields
from tui_cnn.tui.setup.value_field import ValueField

KERNELS = (1, 3, 5, 7)
DOWNSAMPLING = (("2x2 MaxPool", "maxpool"), ("stride-2 conv", "stride"), ("none", "none"))


def param_count(spec: ArchSpec, dataset: str) -> int:
    """Parameters of ``spec`` on ``dataset``'s images; ConfigError if its shapes do not fit."""
    info = dataset_info(dataset)
    return layer_table(spec, info.shape, info.num_classes).params


def _same_network(a: ArchSpec, b: ArchSpec) -> bool:
    return (a.conv_channels, a.kernel_size, a.downsample, a.hidden, a.batch_norm,
            a.dropout) == (b.conv_channels, b.kernel_size, b.downsample, b.hidden,
                           b.batch_norm, b.dropout)


def _row(label: str, widget: Select[object]) -> HorizontalGroup:
    return HorizontalGroup(Label(label, classes="field-label"), widget, classes="field-row")


class ArchPicker(VerticalGroup):
    @dataclass
    class Changed(Message):
        picker: ArchPicker

    def __init__(self, spec: ArchSpec, dataset: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spec = spec  # the last valid spec
        self.preset = spec.name if spec.name in PRESETS else "cnn"
        self.dataset = dataset
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        spec = self.spec
        yield OptionList(*(Option(self._prompt(name), id=name) for name in PRESETS),
                         id="presets")
        yield ValueField("conv channels", spec.conv_channels, fields.conv_channels,
                         fmt=fields.int_list_text, placeholder="none (MLP)", id="conv")
        yield _row("kernel", Select([(f"{k}x{k}", k) for k in KERNELS], value=spec.kernel_size,
                                    allow_blank=False, compact=True, id="kernel"))
        yield _row("downsampling", Select(DOWNSAMPLING, value=spec.downsample,
                                          allow_blank=False, compact=True, id="downsample"))
        yield ValueField("hidden units", spec.hidden, fields.hidden_units,
                         fmt=fields.int_list_text, placeholder="none", id="hidden")
        yield Checkbox("batch-norm", spec.batch_norm, compact=True, id="batch-norm")
        yield ValueField("dropout", spec.dropout, fields.dropout, fmt=fields.float_text,
                         id="dropout")
        yield Static("", id="arch-summary")

    def on_mount(self) -> None:
        presets = self.query_one("#presets", OptionList)
        presets.highlighted = list(PRESETS).index(self.preset)
        self._update()

    def _prompt(self, name: str) -> Text:
        spec = PRESETS[name]
        try:
            count = f"{param_count(spec, self.dataset):,} params"
        except ConfigError:
            count = "does not fit"
        mark = "● " if name == self.preset and _same_network(spec, self.spec) else "  "
        return Text.assemble(mark, (name, "bold"), f" · {count}\n",
                             (spec.description, "italic"))

    def set_dataset(self, dataset: str) -> None:
        self.dataset = dataset
        self._update()

    def select_preset(self, name: str) -> None:
        """Fill the fields with preset ``name``."""
        self.show_spec(PRESETS[name])

    def show_spec(self, spec: ArchSpec) -> None:
        """Fill the fields with ``spec`` (a preset's, or one changed from the last preset)."""
        if spec.name in PRESETS:
            self.preset = spec.name
        self.query_one("#conv", ValueField).set_value(spec.conv_channels)
        self.query_one("#kernel", Select).value = spec.kernel_size
        self.query_one("#downsample", Select).value = spec.downsample
        self.query_one("#hidden", ValueField).set_value(spec.hidden)
        self.query_one("#batch-norm", Checkbox).value = spec.batch_norm
        self.query_one("#dropout", ValueField).set_value(spec.dropout)
        self._update()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.select_preset(event.option.id)

    def on_value_field_changed(self, event: ValueField.Changed) -> None:
        event.stop()
        self._update()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._update()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._update()

    def _fields_spec(self) -> ArchSpec:
        return ArchSpec(
            name="custom",
            conv_channels=self.query_one("#conv", ValueField).value,
            kernel_size=self.query_one("#kernel", Select).value,  # type: ignore[arg-type]
            downsample=self.query_one("#downsample", Select).value,  # type: ignore[arg-type]
            hidden=self.query_one("#hidden", ValueField).value,
            batch_norm=self.query_one("#batch-norm", Checkbox).value,
            dropout=self.query_one("#dropout", ValueField).value,
            description=f"custom, started from {self.preset}",
        )

    def _update(self) -> None:
        """Re-derive the spec from the fields; say how big it is or why it does not fit."""
        spec = self._fields_spec()
        if _same_network(spec, PRESETS[self.preset]):
            spec = PRESETS[self.preset]
        self.spec = spec
        field_errors = [f.error for f in self.query(ValueField) if f.error]
        fit_error: str | None = None
        try:
            count = param_count(spec, self.dataset)
        except ConfigError as error:
            fit_error = f"does not fit {self.dataset}: {error}"
        self.problem = field_errors[0] if field_errors else fit_error
        summary = self.query_one("#arch-summary", Static)
        summary.set_class(fit_error is not None, "-error")
        if fit_error:
            summary.update(f"✗ {fit_error}")
        else:
            kept = " (last valid values)" if field_errors else ""
            summary.update(f"{spec.name}: {count:,} parameters on {self.dataset}{kept}")
        presets = self.query_one("#presets", OptionList)
        for name in PRESETS:
            presets.replace_option_prompt(name, self._prompt(name))
        self.post_message(self.Changed(self))
