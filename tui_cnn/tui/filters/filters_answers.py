"""The Filters view's results from its thread workers (inspect_worker.py): a saved run's
filters, a checkpoint's deeper layers and test images, one image's feature maps, the
test set's predictions, a failure; and the confusion matrix's selected cell. Results of a
run no longer shown are dropped; the rest are stored and their sections marked to redraw.

A mixin of FiltersView; its self-type is filters/host.py's FiltersHost.
"""

from __future__ import annotations

import numpy as np

from tui_cnn.core.events import FilterSnapshot
from tui_cnn.tui.filters import inspect_worker as iw
from tui_cnn.tui.filters.confusion_view import ConfusionMatrix
from tui_cnn.tui.filters.filters_state import SECTIONS
from tui_cnn.tui.filters.host import FiltersHost

CANT_INSPECT = "Can't look inside the model:"


class FiltersAnswers:
    # Set by the handlers below; declared so that mypy types them as FiltersView does.
    images: np.ndarray | None
    activations: iw.ActivationsRead | None

    def on_stored_run(self: FiltersHost, message: iw.StoredRun) -> None:
        if message.generation != self.generation:
            return
        self.state.by_epoch = dict(message.filters)
        if message.final_epoch not in self.state.by_epoch:
            self.state.by_epoch[message.final_epoch] = message.final
        self.state.latest = FilterSnapshot(message.final_epoch, 0, message.layer,
                                           message.final, epoch_end=True)
        self.state.set_conv_layers(message.conv_layers)
        self.problem = "; ".join(message.problems)
        self._mark("filters")

    def on_model_read(self: FiltersHost, message: iw.ModelRead) -> None:
        if message.generation != self.generation:
            return
        self.state.add_checkpoint(message.epoch, message.convs)
        self.class_names = message.classes
        if self.problem.startswith(CANT_INSPECT):  # an earlier read failed; this one did not
            self.problem = ""
        self.images = message.images
        self._mark("filters", "confusion")  # deeper layers; the cell's images

    def on_activations_read(self: FiltersHost, message: iw.ActivationsRead) -> None:
        if message.generation == self.generation and message.index == self.image_index:
            self.activations = message
            self._mark("activations")

    def on_predictions_read(self: FiltersHost, message: iw.PredictionsRead) -> None:
        if message.generation == self.generation:
            self.state.predictions[message.epoch] = (message.labels, message.predicted)
            self._mark("confusion")

    def on_inspect_failed(self: FiltersHost, message: iw.InspectFailed) -> None:
        if message.generation == self.generation:
            self.problem = f"{CANT_INSPECT} {message.reason}"
            self._mark(*SECTIONS)

    def on_confusion_matrix_cell_selected(self: FiltersHost,
                                          message: ConfusionMatrix.CellSelected) -> None:
        self.dirty.add("confusion")
        self.flush()  # a click: at once
