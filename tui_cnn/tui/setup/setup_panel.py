"""The side panel: architecture, dataset, hyperparameters, device. It builds the TrainConfig."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from tui_cnn.core.config import ArchSpec, ConfigError, TrainConfig
from tui_cnn.core.events import Event, RunEnded, RunStarted
from tui_cnn.core.parse import float_text
from tui_cnn.fmt import fit_run_id
from tui_cnn.tui.messages import RunListener, Setup, SetupChanged
from tui_cnn.tui.setup.arch_picker import ArchPicker
from tui_cnn.tui.setup.dataset_picker import DatasetPicker
from tui_cnn.tui.setup.device_picker import DevicePicker
from tui_cnn.tui.setup.hyperparams import HyperParams

FILLED_FIELDS = {"arch": "architecture", "dataset": "dataset", "epochs": "epochs",
                 "batch_size": "batch size", "lr": "learning rate", "optimizer": "optimiser",
                 "seed": "seed"}
"""The config fields :meth:`SetupPanel.show_config` fills, with the panel's labels."""


def shown_value(value: object) -> str:
    """A filled field's value as a notice names it."""
    if isinstance(value, ArchSpec):
        return value.name
    return float_text(value) if isinstance(value, float) else str(value)


class SetupPanel(RunListener, VerticalScroll):
    """Starts from ``config``; :meth:`build_config` reads back what the fields say. While a
    run of a plan trains (an exercise, a fork), the fields show its settings
    (:meth:`show_config`) and the line on top names it."""

    def __init__(self, config: TrainConfig, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._config = config
        self._posted: Setup | None = None
        self._marked_label: Widget | None = None
        self._filled: dict[str, object] = {}  # the fields' values when last filled

    def compose(self) -> ComposeResult:
        cfg = self._config
        yield Static("", id="setup-run")
        yield Static("Architecture", classes="section-title")
        yield ArchPicker(cfg.arch, cfg.dataset, id="arch")
        yield Static("Dataset", classes="section-title")
        yield DatasetPicker(cfg.dataset, cfg.data_dir, cfg.download, id="data")
        yield Static("Training", classes="section-title")
        yield HyperParams(cfg, id="hyper")
        yield Static("Device", classes="section-title")
        yield DevicePicker(cfg.device, id="device")

    def on_mount(self) -> None:
        self._filled = self.filled_values()
        self.watch(self.app, "theme", lambda _theme: self._show_focus(), init=False)
        self._show_focus()

    # The focus marks: the panel's edge and the focused field's label. Set here, not with
    # CSS ``:focus-within``: with that rule Textual restyles all ~110 widgets of the panel
    # on every focus change into, out of or inside it (30 ms, half of a view switch).
    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self._show_focus()

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        self._show_focus()

    def _show_focus(self) -> None:
        focused = self.screen.focused if self.is_attached else None
        within = focused is not None and self in focused.ancestors
        theme = self.app.get_css_variables()
        edge = (Color.parse(theme["accent"]) if within
                else Color.parse(theme["foreground"]).multiply_alpha(0.3))
        self.styles.border_right = ("vkey", edge)
        row = next((w for w in focused.ancestors_with_self if w.has_class("field-row")),
                   None) if within and focused is not None else None
        label = next(iter(row.query(".field-label")), None) if row is not None else None
        if label is not self._marked_label:
            if self._marked_label is not None:
                self._marked_label.remove_class("-focus")
            if label is not None:
                label.add_class("-focus")
            self._marked_label = label

    @property
    def arch(self) -> ArchPicker:
        return self.query_one(ArchPicker)

    @property
    def data(self) -> DatasetPicker:
        return self.query_one(DatasetPicker)

    @property
    def hyper(self) -> HyperParams:
        return self.query_one(HyperParams)

    @property
    def devices(self) -> DevicePicker:
        return self.query_one(DevicePicker)

    @property
    def setup(self) -> Setup:
        return Setup(self.arch.spec, self.arch.problem, self.data.dataset, self.devices.device,
                     self._config.data_dir, self._config.runs_dir)

    def build_config(self) -> TrainConfig:
        """The config the fields describe; ConfigError saying which field is wrong, if one is."""
        problem = self.arch.problem or self.data.problem or self.hyper.problem
        if problem:
            raise ConfigError(problem)
        return self._config.replace(arch=self.arch.spec, dataset=self.data.dataset,
                                    device=self.devices.device, **self.hyper.values(),
                                    **self.data.values())

    def filled_values(self) -> dict[str, object]:
        """What the fields :meth:`show_config` fills say now, by config field."""
        return {"arch": self.arch.spec, "dataset": self.data.dataset, **self.hyper.values()}

    def show_config(self, cfg: TrainConfig) -> list[str]:
        """Fill the fields with the settings of ``cfg``, the run about to train; the values
        set by hand since the panel was started or last filled that this replaced, as
        ``epochs 7`` (the others are kept)."""
        replaced = [f"{FILLED_FIELDS[name]} {shown_value(value)}"
                    for name, value in self.filled_values().items()
                    if value != self._filled.get(name, value) and value != getattr(cfg, name)]
        self.arch.show_spec(cfg.arch)
        self.data.select(cfg.dataset)
        self.hyper.show(cfg)
        self._filled = self.filled_values()
        return replaced

    def on_run_event(self, event: Event) -> None:
        line = self.query_one("#setup-run", Static)
        if isinstance(event, RunStarted):
            text = f"Training, set up as below:\n{self.fitted(event.run_id)}"
        elif isinstance(event, RunEnded):
            text = (f"{event.status.capitalize()}, set up as below:\n"
                    f"{self.fitted(event.run_id)}\nt: train these settings as a new run.")
        else:
            return
        line.update(text)
        line.display = True

    def fitted(self, run_id: str) -> str:
        """The run's id as it fits the panel's width (without its date if need be)."""
        return fit_run_id(run_id, self.scrollable_content_region.width or 36)

    def on_dataset_picker_changed(self, event: DatasetPicker.Changed) -> None:
        event.stop()
        self.arch.set_dataset(event.picker.dataset)  # posts ArchPicker.Changed

    def on_arch_picker_changed(self, event: ArchPicker.Changed) -> None:
        event.stop()
        self._post_setup()

    def on_device_picker_changed(self, event: DevicePicker.Changed) -> None:
        event.stop()
        self._post_setup()

    def _post_setup(self) -> None:
        """SetupChanged, once per real change (filling a preset changes six fields)."""
        setup = self.setup
        if setup != self._posted:
            self._posted = setup
            self.post_message(SetupChanged(setup))
