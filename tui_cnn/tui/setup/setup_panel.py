"""The side panel: architecture, dataset, hyperparameters, device. It builds the TrainConfig."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.events import Event, RunEnded, RunStarted
from tui_cnn.fmt import fit_run_id
from tui_cnn.tui.messages import RunListener, Setup, SetupChanged
from tui_cnn.tui.setup.arch_picker import ArchPicker
from tui_cnn.tui.setup.dataset_picker import DatasetPicker
from tui_cnn.tui.setup.device_picker import DevicePicker
from tui_cnn.tui.setup.hyperparams import HyperParams


class SetupPanel(RunListener, VerticalScroll):
    """Starts from ``config``; :meth:`build_config` reads back what the fields say. While a
    run of a plan trains (an exercise, a fork), the fields show its settings
    (:meth:`show_config`) and the line on top names it."""

    def __init__(self, config: TrainConfig, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._config = config
        self._posted: Setup | None = None

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

    def show_config(self, cfg: TrainConfig) -> None:
        """Fill the fields with the settings of ``cfg``, the run about to train."""
        self.arch.show_spec(cfg.arch)
        self.data.select(cfg.dataset)
        self.hyper.show(cfg)

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
