"""Choose a dataset; see what it is, whether it is here, and a few of its images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.message import Message
from textual.widgets import Label, Select, Static
from textual.worker import Worker, WorkerState

from tui_cnn.core.catalog import DATASETS, FOLDER, dataset_info
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.datasets import availability, sample_images
from tui_cnn.core.events import Event, RunStarted
from tui_cnn.tui.messages import RunListener
from tui_cnn.tui.setup.dataset_preview import DatasetPreview
from tui_cnn.tui.setup.folder_fields import FolderFields
from tui_cnn.tui.setup.value_field import ValueField

Samples = tuple[str, np.ndarray, list[str]]  # dataset, (K, C, H, W) uint8, class names


def availability_text(state: str, download: bool) -> str:
    if state == "built-in":
        return "ready: generated when you start, nothing to download"
    if state == "present":
        return "downloaded: ready"
    if state == "your folder":
        return "your folder: decoded once, then cached"
    if state == "no folder":
        return "set data dir to a folder of class sub-folders (ImageFolder layout)"
    if download:
        return "not downloaded: it downloads when you start (needs the network)"
    return "not downloaded, and downloading is off"


class DatasetPicker(RunListener, VerticalGroup):
    @dataclass
    class Changed(Message):
        picker: DatasetPicker

    def __init__(self, dataset: str, data_dir: str | None, download: bool, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = dataset
        self.data_dir = data_dir
        self.download = download
        self.state = ""  # the dataset's availability when last looked at
        self.folder_config = TrainConfig(data_dir=data_dir)

    def compose(self) -> ComposeResult:
        options = [(info.title, name) for name, info in DATASETS.items()]
        select = Select(options, value=self._initial, allow_blank=False, compact=True,
                        id="dataset-select")
        yield HorizontalGroup(Label("dataset", classes="field-label"), select, classes="field-row")
        yield Static("", id="dataset-info")
        yield FolderFields(self.folder_config, id="folder-fields")
        yield DatasetPreview(id="dataset-preview")

    @property
    def dataset(self) -> str:
        return str(self.query_one("#dataset-select", Select).value)

    def select(self, dataset: str) -> None:
        """Choose ``dataset`` (as if picked from the list)."""
        self.query_one("#dataset-select", Select).value = dataset

    @property
    def folder(self) -> FolderFields:
        return self.query_one(FolderFields)

    def values(self) -> dict[str, object]:
        """The folder's fields as TrainConfig keyword arguments ("folder" only)."""
        return self.folder.values() if self.dataset == FOLDER else {}

    @property
    def problem(self) -> str | None:
        return self.folder.problem if self.dataset == FOLDER else None

    def on_value_field_changed(self, event: ValueField.Changed) -> None:
        event.stop()
        data_dir = self.folder.values()["data_dir"]
        if event.field.id == "folder-dir" and data_dir != self.data_dir and not event.field.error:
            self.data_dir = data_dir if isinstance(data_dir, str) else None
            self._refresh()

    def on_mount(self) -> None:
        self._refresh()

    def on_run_event(self, event: Event) -> None:
        if isinstance(event, RunStarted) and event.dataset == self.dataset and (
                availability(self.dataset, self.data_dir) != self.state):
            self._refresh()  # a download just finished

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._refresh()
        self.post_message(self.Changed(self))

    def _refresh(self) -> None:
        info = dataset_info(self.dataset)
        self.folder.display = info.name == FOLDER
        self.state = state = availability(info.name, self.data_dir)
        self.query_one("#dataset-info", Static).update(
            f"{info.description}\n{availability_text(state, self.download)}")
        preview = self.query_one(DatasetPreview)
        if state in ("not downloaded", "no folder"):
            preview.show_text("(sample images appear once it is downloaded)"
                              if state == "not downloaded" else "(no folder yet)")
            return
        preview.show_text("loading sample images…")
        self._load_samples(info.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def _load_samples(self, name: str) -> Samples:
        images, labels = sample_images(name, self.data_dir, count_per_class=1)
        classes = dataset_info(name).classes
        return name, images, [classes[int(label)] if int(label) < len(classes)
                              else str(int(label)) for label in labels]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "preview":
            return
        event.stop()
        preview = self.query_one(DatasetPreview)
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            name, images, labels = event.worker.result
            if name == self.dataset:
                preview.show_samples(images, labels)
        elif event.state == WorkerState.ERROR:
            preview.show_text(f"(no preview: {event.worker.error})")
