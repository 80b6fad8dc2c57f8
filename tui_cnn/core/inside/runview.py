"""The inside views of a saved run, as the faces ask for them: run folder in, arrays out.

Every problem a user can cause (no such epoch checkpoint, an MLP where conv layers are
needed, a layer, channel or image out of range, missing data files) raises ``InsideError``,
``RunStoreError`` or ``DataError`` with one line; ``ViewError`` is all three, for catching.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.inside.attribution import Explanation, explain
from tui_cnn.core.inside.common import InsideError, TestImages, check_image, load_test_images
from tui_cnn.core.inside.embed import Embedding, embed
from tui_cnn.core.inside.epochs import LoadedEpoch, load_epoch_model
from tui_cnn.core.inside.patches import Progress, TopPatches, cached_top_patches
from tui_cnn.core.runs import RunStoreError

ViewError = (InsideError, RunStoreError, DataError)


DATA_FIELDS = ("dataset", "data_dir", "train_size", "test_size", "seed", "test_fraction",
               "image_size", "channels", "skip_bad")
"""The config fields that choose the data (and so the test split)."""


@lru_cache(maxsize=2)
def _test_images(data: tuple[tuple[str, object], ...]) -> TestImages:
    return load_test_images(TrainConfig().replace(**dict(data)))


def test_images(cfg: TrainConfig) -> TestImages:
    """The run's test split, kept for the next question about a run on the same data."""
    return _test_images(tuple((name, getattr(cfg, name)) for name in DATA_FIELDS))


test_images.__test__ = False  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PatchesView:
    run_id: str
    arch: str
    dataset: str
    patches: TopPatches
    cached: bool  # read from the run's inside/ cache
    test_size: int
    classes: tuple[str, ...]


def run_top_patches(run_dir: Path, layer: int, epoch: int | None = None, k: int = 9,
                    progress: Progress | None = None) -> PatchesView:
    loaded = load_epoch_model(run_dir, epoch)
    test = test_images(loaded.config)
    patches, cached = cached_top_patches(Path(run_dir), loaded.model, loaded.table, test,
                                         layer, epoch=loaded.epoch, k=k, progress=progress)
    return PatchesView(Path(run_dir).name, loaded.config.arch.name, loaded.config.dataset,
                       patches, cached, len(test), test.classes)


@dataclass(frozen=True)
class ExplainView:
    run_id: str
    epoch: int
    index: int
    image: np.ndarray  # (C, H, W) uint8
    classes: tuple[str, ...]
    explanation: Explanation


def run_explanation(run_dir: Path, index: int, method: str = "saliency",
                    epoch: int | None = None) -> ExplainView:
    loaded: LoadedEpoch = load_epoch_model(run_dir, epoch)
    test = test_images(loaded.config)
    check_image(index, len(test))
    result = explain(loaded.model, test.batch(index, index + 1), int(test.labels[index]),
                     method)
    return ExplainView(Path(run_dir).name, loaded.epoch, index, test.images[index],
                       test.classes, result)


def run_embedding(run_dir: Path, epoch: int | None = None,
                  progress: Progress | None = None) -> Embedding:
    loaded = load_epoch_model(run_dir, epoch)
    return embed(loaded.model, test_images(loaded.config), epoch=loaded.epoch,
                 progress=progress)


@dataclass(frozen=True)
class RunOverview:
    """What the app needs to step through a saved run: its epochs, which of them kept a
    checkpoint, its conv layers and test images."""

    run_id: str
    arch: str
    dataset: str
    epochs: tuple[int, ...]  # recorded in epochs.jsonl, ascending
    kept: tuple[int, ...]  # epochs with a model to load (checkpoints/ and the last's model.pt)
    conv_layers: int
    test_size: int
    classes: tuple[str, ...]


def run_overview(run_dir: Path) -> RunOverview:
    from tui_cnn.core.inside.epochs import kept_epochs, recorded_epochs
    from tui_cnn.core.runs import read_config

    cfg = read_config(run_dir)
    done = recorded_epochs(run_dir)
    kept = set(kept_epochs(run_dir))
    if done and (Path(run_dir) / "model.pt").is_file():
        kept.add(done[-1])
    test = test_images(cfg)
    return RunOverview(Path(run_dir).name, cfg.arch.name, cfg.dataset, tuple(done),
                       tuple(sorted(kept)), len(cfg.arch.conv_channels), len(test),
                       test.classes)


@dataclass(frozen=True)
class LayerHistory:
    """``layers.jsonl`` as arrays: one row per report, one column per layer."""

    layers: tuple[str, ...]
    steps: np.ndarray  # (S,) int64
    weight_norm: np.ndarray  # (S, L) float64; nan where a report lacks the layer
    grad_norm: np.ndarray
    update_ratio: np.ndarray


STAT_KEYS = ("weight_norm", "grad_norm", "update_ratio")


def read_layer_history(run_dir: Path) -> LayerHistory:
    """The run's per-layer statistics; empty arrays when it recorded none."""
    from tui_cnn.core.runs import read_jsonl

    rows = [r for r in read_jsonl(Path(run_dir) / "layers.jsonl", [])
            if isinstance(r.get("step"), int) and isinstance(r.get("layers"), dict)]
    layers = tuple(dict.fromkeys(name for r in rows for name in r["layers"]))
    arrays = {key: np.full((len(rows), len(layers)), np.nan) for key in STAT_KEYS}
    for i, row in enumerate(rows):
        for j, name in enumerate(layers):
            cell = row["layers"].get(name)
            for key in STAT_KEYS if isinstance(cell, dict) else ():
                value = cell.get(key)
                if isinstance(value, (int, float)):
                    arrays[key][i, j] = float(value)
    steps = np.array([int(r["step"]) for r in rows], dtype=np.int64)
    return LayerHistory(layers, steps, **arrays)


@dataclass(frozen=True)
class HistogramsView:
    epoch: int
    histograms: dict[str, tuple[np.ndarray, np.ndarray]]  # weight -> (counts, edges)


def run_weight_histograms(run_dir: Path, epoch: int | None = None,
                          bins: int = 30) -> HistogramsView:
    """A histogram of every weight tensor of the model after ``epoch``."""
    from tui_cnn.core.inside.layer_stats import weight_histograms

    loaded = load_epoch_model(run_dir, epoch)
    return HistogramsView(loaded.epoch, weight_histograms(loaded.model.state_dict(), bins))
