"""The Filters view's thread-side work: asks the core's RunInspector (core/inference.py)
for a saved run's filters, weights, feature maps and predictions, and posts each answer as
a message; ``post`` is the widget's ``post_message``, the one thread-safe call.

Importing this module imports no torch: core.inference is imported by
``LazyInspector``, on the first inspection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from textual.message import Message

from tui_cnn.core.control import Cancelled
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.perf import freeze_imported_objects, share_cores_with_ui
from tui_cnn.core.runs import RunStoreError

if TYPE_CHECKING:
    from tui_cnn.core.inference import RunInspector

Post = Callable[[Message], object]
IsCancelled = Callable[[], bool]


@dataclass
class StoredRun(Message):
    """A saved run opened for inspection: its layer-1 filters, final and per epoch."""

    generation: int
    run_dir: str
    run_id: str
    layer: str
    final: np.ndarray
    final_epoch: int
    filters: dict[int, np.ndarray]
    conv_layers: int
    problems: list[str]


@dataclass
class ModelRead(Message):
    """The checkpoint after ``epoch``: every conv layer's weights; the test images."""

    generation: int
    epoch: int
    convs: dict[str, np.ndarray]
    classes: tuple[str, ...]
    images: np.ndarray  # (N, C, H, W) uint8
    labels: np.ndarray


@dataclass
class ActivationsRead(Message):
    generation: int
    epoch: int
    index: int
    image: np.ndarray  # (C, H, W) uint8
    label: int
    maps: dict[str, np.ndarray]  # conv layer -> (channels, H, W)
    top: list[tuple[int, float]]  # (class, probability), most probable first
    label_smoothing: float = 0.0


@dataclass
class PredictionsRead(Message):
    generation: int
    epoch: int
    labels: np.ndarray
    predicted: np.ndarray


@dataclass
class InspectFailed(Message):
    generation: int
    reason: str


class LazyInspector:
    """The view's RunInspector, made on first use on a worker thread (making it imports
    torch, which the app's first frame must not wait for)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inspector: RunInspector | None = None

    def get(self) -> RunInspector:
        with self._lock:
            if self._inspector is None:
                from tui_cnn.core.inference import RunInspector

                self._inspector = RunInspector()
                share_cores_with_ui()  # its threads leave the UI thread a core
                # torch and the data modules are imported now: out of the cycle
                # collector's way, or each full collection stalls the UI thread 100-250 ms
                # (an attached run imports torch here first, after the app's freeze)
                freeze_imported_objects()
            return self._inspector


def read_model(inspector: RunInspector, run_dir: str, generation: int) -> ModelRead:
    return ModelRead(generation, **vars(inspector.model_weights(run_dir)))


def read_activations(inspector: RunInspector, run_dir: str, index: int,
                     generation: int) -> ActivationsRead:
    return ActivationsRead(generation, **vars(inspector.activations(run_dir, index)))


def read_stored(inspector: RunInspector, run_dir: str, generation: int) -> StoredRun:
    return StoredRun(generation, **vars(inspector.stored(run_dir)))


def after_epoch(inspector: LazyInspector, run_dir: str, index: int, generation: int,
                post: Post) -> None:
    """After an epoch: the new checkpoint's conv weights, then image ``index``'s maps."""
    try:
        post(read_model(inspector.get(), run_dir, generation))
        post(read_activations(inspector.get(), run_dir, index, generation))
    except Exception as exc:  # shown in the view; never fatal to the app
        post(InspectFailed(generation, describe(exc)))


def one_image(inspector: LazyInspector, run_dir: str, index: int, generation: int,
              post: Post) -> None:
    try:
        post(read_activations(inspector.get(), run_dir, index, generation))
    except Exception as exc:
        post(InspectFailed(generation, describe(exc)))


def whole_run(inspector: LazyInspector, run_dir: str, index: int, generation: int, post: Post,
              cancelled: IsCancelled) -> None:
    """A saved run: stored filters, checkpoint, image ``index``, then the test predictions."""
    try:
        post(read_stored(inspector.get(), run_dir, generation))
        post(read_model(inspector.get(), run_dir, generation))
        post(read_activations(inspector.get(), run_dir, index, generation))
        predictions = inspector.get().predictions(run_dir, cancelled)
        post(PredictionsRead(generation, **vars(predictions)))
    except Cancelled:
        return
    except Exception as exc:
        post(InspectFailed(generation, describe(exc)))


def describe(exc: BaseException) -> str:
    if isinstance(exc, (RunStoreError, DataError, ValueError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
