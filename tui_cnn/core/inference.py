"""Inference on a saved run, for both faces: stored filters, conv weights, one image's
feature maps and top classes, the test set's predictions.

A :class:`RunInspector` keeps one run's model (read again when ``model.pt`` changes) and
one dataset's test split on the CPU, and answers with frozen dataclasses of numpy arrays.
Its methods hold a lock, so threads that overlap take turns. Test images go through the
training loop's own ``device_data.normalise`` and predictions through ``optim.evaluate``.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tui_cnn.core import device_data
from tui_cnn.core.checkpoint import (
    LoadedRun,
    conv_names,
    first_layer_weights,
    load_run_model,
    run_dataset,
)
from tui_cnn.core.config import MAX_EPOCHS, TrainConfig
from tui_cnn.core.datasets import load_config_arrays
from tui_cnn.core.inspect import activations, conv_weights, top_k
from tui_cnn.core.models import first_layer_name
from tui_cnn.core.optim import evaluate
from tui_cnn.core.runfiles import NPY_LIMIT, RunFileError, read_regular
from tui_cnn.core.runs import RunStoreError

CHUNK = 256  # test images per forward pass when predicting


@dataclass(frozen=True)
class StoredFilters:
    """A saved run's layer-1 filters: final (from model.pt) and after each epoch."""

    run_dir: str
    run_id: str
    layer: str
    final: np.ndarray
    final_epoch: int
    filters: dict[int, np.ndarray]
    conv_layers: int
    problems: list[str]


@dataclass(frozen=True)
class ModelWeights:
    """The checkpoint after ``epoch``: every conv layer's weights; the test images."""

    epoch: int
    convs: dict[str, np.ndarray]
    classes: tuple[str, ...]
    images: np.ndarray  # (N, C, H, W) uint8
    labels: np.ndarray


@dataclass(frozen=True)
class ImageActivations:
    epoch: int
    index: int
    image: np.ndarray  # (C, H, W) uint8
    label: int
    maps: dict[str, np.ndarray]  # conv layer -> (channels, H, W)
    top: list[tuple[int, float]]  # (class, probability), most probable first
    label_smoothing: float = 0.0  # the run's: a sure answer reads 1 - s + s / classes


@dataclass(frozen=True)
class TestPredictions:
    __test__ = False  # not a pytest class

    epoch: int
    labels: np.ndarray
    predicted: np.ndarray


def stored_filters(run_dir: Path) -> tuple[dict[int, np.ndarray], list[str]]:
    """``filters/epoch-E.npy`` by epoch, and one line per file that cannot be used.

    The one reader of stored filters (the app, the exercises and ``tui-cnn filters``)."""
    found: dict[int, np.ndarray] = {}
    problems: list[str] = []
    try:
        paths = sorted((Path(run_dir) / "filters").glob("epoch-*.npy"))
    except OSError:
        paths = []
    for path in paths:
        try:
            epoch, weights = _stored(path)
        except RunFileError as exc:
            problems.append(f"{path.name} {exc.problem}")
            continue
        except FileNotFoundError:  # removed while listed
            continue
        found[epoch] = weights
    return found, problems


def _stored(path: Path) -> tuple[int, np.ndarray]:
    """One ``epoch-E.npy``: a regular file, numbers of shape (N, C, k, k), E in range."""
    epoch_text = path.stem.removeprefix("epoch-")
    if not epoch_text.isdigit() or int(epoch_text) > MAX_EPOCHS:
        raise RunFileError(path, "is not named epoch-E.npy with E an epoch number")
    raw = read_regular(path, NPY_LIMIT)
    try:
        weights = np.load(io.BytesIO(raw), allow_pickle=False)
    except Exception as exc:  # numpy raises many kinds for a damaged file
        raise RunFileError(path, f"cannot be read ({type(exc).__name__})") from None
    if not isinstance(weights, np.ndarray) or weights.ndim != 4 or weights.size == 0 \
            or weights.dtype.kind not in "fiu":
        shape = getattr(weights, "shape", "?")
        raise RunFileError(path, f"holds shape {shape} ({getattr(weights, 'dtype', '?')}), "
                           "not (N, C, k, k) numbers")
    return int(epoch_text), np.asarray(weights, dtype=np.float32)


def last_epoch(loaded: LoadedRun) -> int:
    """The last epoch recorded in the run's epochs.jsonl (0 if none)."""
    epochs = [int(e["epoch"]) for e in loaded.epochs if isinstance(e.get("epoch"), int)]
    return max(epochs, default=0)


class RunInspector:
    """One run's model and one dataset's test split, kept between questions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model_key: tuple[str, int] | None = None
        self._loaded: LoadedRun | None = None
        self._data_key: tuple[Any, ...] | None = None
        self._data: device_data.DeviceData | None = None

    def _run(self, run_dir: str) -> LoadedRun:
        path = Path(run_dir) / "model.pt"
        key = (str(run_dir), path.stat().st_mtime_ns if path.exists() else -1)
        if key != self._model_key or self._loaded is None:
            self._loaded = load_run_model(run_dir)
            self._model_key = key
        return self._loaded

    def _test_data(self, cfg: TrainConfig) -> device_data.DeviceData:
        key = (cfg.dataset, cfg.data_dir, cfg.train_size, cfg.test_size, cfg.seed)
        if key != self._data_key or self._data is None:
            arrays = load_config_arrays(cfg.replace(download=False))
            self._data = device_data.to_device(arrays, "cpu")
            self._data_key = key
        return self._data

    def model_weights(self, run_dir: str) -> ModelWeights:
        with self._lock:
            loaded = self._run(run_dir)
            data = self._test_data(loaded.config)
            return ModelWeights(last_epoch(loaded), conv_weights(loaded.model),
                                run_dataset(Path(run_dir)).classes,
                                data.x_test.numpy(), data.y_test.numpy())

    def activations(self, run_dir: str, index: int) -> ImageActivations:
        with self._lock:
            loaded = self._run(run_dir)
            data = self._test_data(loaded.config)
            if data.test_size == 0:
                raise RunStoreError(f"the {loaded.config.dataset} test set is empty")
            index %= data.test_size
            x = device_data.normalise(data.x_test[index:index + 1], data.mean, data.std)
            maps = activations(loaded.model, x, prefixes=("conv",))
            with torch.inference_mode():
                logits = loaded.model(x)[0].numpy()
            return ImageActivations(last_epoch(loaded), index, data.x_test[index].numpy(),
                                    int(data.y_test[index]), maps, top_k(logits, 3),
                                    loaded.config.label_smoothing)

    def predictions(self, run_dir: str,
                    cancelled: Callable[[], bool] | None = None) -> TestPredictions:
        """The model's class for every test image; ``Cancelled`` if cancelled on the way."""
        with self._lock:
            loaded = self._run(run_dir)
            data = self._test_data(loaded.config)
            result = evaluate(loaded.model, data, CHUNK, channels_last=False,
                              cancelled=cancelled)
            return TestPredictions(last_epoch(loaded), data.y_test.numpy(), result.predicted)

    def stored(self, run_dir: str) -> StoredFilters:
        with self._lock:
            loaded = self._run(run_dir)
            filters, problems = stored_filters(Path(run_dir))
            final = first_layer_weights(loaded.model, loaded.table.input_shape)
            return StoredFilters(str(run_dir), Path(run_dir).name,
                                 first_layer_name(loaded.model), final, last_epoch(loaded),
                                 filters, len(conv_names(loaded.model)), problems)
