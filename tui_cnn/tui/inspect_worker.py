"""The Filters view's thread-side work: a saved run's model and test images, read once and
kept, and what is computed from them (every conv layer's weights, one image's feature maps
and top classes, the test set's predictions, the stored per-epoch filters).

Worker threads only: torch (through core.checkpoint) is imported inside the functions, so
importing this module does not import torch. Results go back as messages; ``post`` is the
widget's ``post_message``, the one thread-safe call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from textual.message import Message

if TYPE_CHECKING:
    from tui_cnn.core.checkpoint import LoadedRun
    from tui_cnn.core.config import TrainConfig

Post = Callable[[Message], object]
Cancelled = Callable[[], bool]
CHUNK = 256  # test images per forward pass when predicting


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


@dataclass
class TestData:
    __test__ = False  # not a pytest class

    images: np.ndarray
    labels: np.ndarray
    mean: np.ndarray  # (C, 1, 1), in [0, 1] units, as the run normalised its inputs
    std: np.ndarray

    def model_input(self, index: int) -> np.ndarray:
        """Test image ``index`` as the model saw it: float32 (C, H, W)."""
        return ((self.images[index] / 255.0 - self.mean) / self.std).astype(np.float32)


class Inspector:
    """Keeps one run's model (re-read when model.pt changes) and one dataset's test split.
    Its methods hold a lock, so workers that overlap take turns."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model_key: tuple[str, int] | None = None
        self._loaded: LoadedRun | None = None
        self._data_key: tuple[Any, ...] | None = None
        self._data: TestData | None = None

    def loaded(self, run_dir: str) -> LoadedRun:
        from tui_cnn.core.checkpoint import load_run_model

        path = Path(run_dir) / "model.pt"
        key = (str(run_dir), path.stat().st_mtime_ns if path.exists() else -1)
        if key != self._model_key or self._loaded is None:
            self._loaded = load_run_model(run_dir)
            self._model_key = key
        return self._loaded

    def data(self, cfg: TrainConfig) -> TestData:
        from tui_cnn.core.datasets import load_arrays, normalisation

        key = (cfg.dataset, cfg.data_dir, cfg.train_size, cfg.test_size, cfg.seed)
        if key != self._data_key or self._data is None:
            arrays = load_arrays(cfg.dataset, cfg.data_dir, download=False,
                                 train_size=cfg.train_size, test_size=cfg.test_size,
                                 seed=cfg.seed)
            mean, std = (np.array(v, dtype=np.float64)[:, None, None]
                         for v in normalisation(arrays))
            self._data = TestData(arrays.x_test, arrays.y_test, mean, std)
            self._data_key = key
        return self._data

    def read_model(self, run_dir: str, generation: int) -> ModelRead:
        from tui_cnn.core.catalog import dataset_info
        from tui_cnn.core.inspect import conv_weights

        with self._lock:
            loaded = self.loaded(run_dir)
            data = self.data(loaded.config)
            return ModelRead(generation, last_epoch(loaded), conv_weights(loaded.model),
                             dataset_info(loaded.config.dataset).classes, data.images,
                             data.labels)

    def read_activations(self, run_dir: str, index: int, generation: int) -> ActivationsRead:
        import torch

        from tui_cnn.core.inspect import activations, top_k

        with self._lock:
            loaded = self.loaded(run_dir)
            data = self.data(loaded.config)
            index %= len(data.labels)
            x = data.model_input(index)
            maps = activations(loaded.model, x, prefixes=("conv",))
            with torch.no_grad():
                logits = loaded.model(torch.from_numpy(x[None].copy()))[0].numpy()
            return ActivationsRead(generation, last_epoch(loaded), index, data.images[index],
                                   int(data.labels[index]), maps, top_k(logits, 3))

    def predict(self, run_dir: str, generation: int,
                cancelled: Cancelled) -> PredictionsRead | None:
        """The model's class for every test image (None if cancelled on the way)."""
        import torch

        with self._lock:
            loaded = self.loaded(run_dir)
            data = self.data(loaded.config)
            predicted = []
            for start in range(0, len(data.labels), CHUNK):
                if cancelled():
                    return None
                x = (data.images[start:start + CHUNK] / 255.0 - data.mean) / data.std
                with torch.no_grad():
                    logits = loaded.model(torch.from_numpy(x.astype(np.float32)))
                predicted.append(logits.argmax(dim=1).numpy())
            return PredictionsRead(generation, last_epoch(loaded), data.labels,
                                   np.concatenate(predicted))

    def read_stored(self, run_dir: str, generation: int) -> StoredRun:
        from tui_cnn.core.checkpoint import conv_names, first_layer_weights
        from tui_cnn.core.models import first_layer_name

        with self._lock:
            loaded = self.loaded(run_dir)
            filters, problems = stored_filters(Path(run_dir))
            final = first_layer_weights(loaded.model, loaded.table.input_shape)
            return StoredRun(generation, str(run_dir), Path(run_dir).name,
                             first_layer_name(loaded.model), final, last_epoch(loaded),
                             filters, len(conv_names(loaded.model)), problems)


def last_epoch(loaded: LoadedRun) -> int:
    """The last epoch recorded in the run's epochs.jsonl (0 if none)."""
    epochs = [int(e["epoch"]) for e in loaded.epochs if isinstance(e.get("epoch"), int)]
    return max(epochs, default=0)


def stored_filters(run_dir: Path) -> tuple[dict[int, np.ndarray], list[str]]:
    """``filters/epoch-E.npy`` by epoch, and one line per file that cannot be used."""
    found: dict[int, np.ndarray] = {}
    problems: list[str] = []
    for path in sorted((run_dir / "filters").glob("epoch-*.npy")):
        try:
            epoch = int(path.stem.removeprefix("epoch-"))
            weights = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name} cannot be read ({type(exc).__name__})")
            continue
        if weights.ndim != 4:
            problems.append(f"{path.name} holds shape {weights.shape}, not (N, C, k, k)")
            continue
        found[epoch] = np.asarray(weights, dtype=np.float32)
    return found, problems


def after_epoch(inspector: Inspector, run_dir: str, index: int, generation: int,
                post: Post) -> None:
    """After an epoch: the new checkpoint's conv weights, then image ``index``'s maps."""
    try:
        post(inspector.read_model(run_dir, generation))
        post(inspector.read_activations(run_dir, index, generation))
    except Exception as exc:  # shown in the view; never fatal to the app
        post(InspectFailed(generation, describe(exc)))


def one_image(inspector: Inspector, run_dir: str, index: int, generation: int,
              post: Post) -> None:
    try:
        post(inspector.read_activations(run_dir, index, generation))
    except Exception as exc:
        post(InspectFailed(generation, describe(exc)))


def whole_run(inspector: Inspector, run_dir: str, index: int, generation: int, post: Post,
              cancelled: Cancelled) -> None:
    """A saved run: stored filters, checkpoint, image ``index``, then the test predictions."""
    try:
        post(inspector.read_stored(run_dir, generation))
        post(inspector.read_model(run_dir, generation))
        post(inspector.read_activations(run_dir, index, generation))
        predictions = inspector.predict(run_dir, generation, cancelled)
        if predictions is not None:
            post(predictions)
    except Exception as exc:
        post(InspectFailed(generation, describe(exc)))


def describe(exc: BaseException) -> str:
    from tui_cnn.core.datafiles import DataError
    from tui_cnn.core.runs import RunStoreError

    if isinstance(exc, (RunStoreError, DataError, ValueError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
