"""What the app's Draw view asks of a run: classify a drawing, explain it, a test image.

``classify(run_dir, prepared)`` classifies one prepared drawing with the run's model.pt
(core.predict), kept loaded until model.pt changes (a live run's checkpoint is rewritten
after every epoch), with Grad-CAM or saliency (core.inside.attribution) over the input.
``test_picture(run_dir, index)`` is one of the run's dataset's test images to edit.
Importing this module imports no torch (a face imports it); the functions do.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tui_cnn.core.catalog import recorded_info
from tui_cnn.core.runs import RunStoreError, read_json

if TYPE_CHECKING:
    from tui_cnn.core.predict import Predictor

ATTRIBUTIONS = ("gradcam", "saliency", "off")
SAMPLES_PER_CLASS = 5
"""Test images offered per class (ordered by class: the first of each class, then ...)."""

_lock = threading.Lock()
_cache: dict[str, tuple[int, Predictor]] = {}


@dataclass(frozen=True)
class DrawAnswer:
    run_dir: str
    epochs_done: int | None  # of the checkpoint used, as status.json says
    top: tuple[tuple[str, float], ...]
    feature_maps: np.ndarray | None  # (maps, H, W); None for an MLP
    attribution: np.ndarray | None  # (H, W) in [0, 1] over the prepared input
    method: str  # "gradcam", "saliency" or "off"; gradcam falls back to saliency for an MLP


@dataclass(frozen=True)
class TestPicture:
    __test__ = False  # not a pytest class

    index: int
    count: int
    pixels: np.ndarray  # (C, H, W) float32 in [0, 1]
    label: str


def input_shape(run_dir: str | Path) -> tuple[int, int, int]:
    """The (C, H, W) the run's model takes, from config.json (no torch, no data)."""
    path = Path(run_dir) / "config.json"
    problems: list[str] = []
    record = read_json(path, problems)
    if problems:
        raise RunStoreError(f"{path}: {'; '.join(problems)}")
    try:
        return recorded_info(record).shape
    except ValueError as exc:
        raise RunStoreError(f"{path}: {exc}") from None


def predictor(run_dir: str | Path) -> Predictor:
    """The run's predictor, loaded again only when its model.pt has changed."""
    from tui_cnn.core.predict import load_predictor

    model = Path(run_dir) / "model.pt"
    try:
        stamp = model.stat().st_mtime_ns
    except FileNotFoundError:
        raise RunStoreError(f"{Path(run_dir).name} has no checkpoint yet: predictions "
                            "start when its first epoch has ended") from None
    key = str(Path(run_dir).resolve())
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    loaded = load_predictor(run_dir)
    with _lock:
        _cache[key] = (stamp, loaded)
    return loaded


def loads() -> int:
    """How many predictors are cached (tests: model.pt is not reloaded needlessly)."""
    with _lock:
        return len(_cache)


def classify(run_dir: str | Path, prepared: np.ndarray, method: str = "gradcam") -> DrawAnswer:
    """The top-3 classes, layer-1 maps and (unless ``method`` is "off") an attribution map
    for the predicted class of one prepared drawing (C, H, W) in [0, 1]."""
    if method not in ATTRIBUTIONS:
        raise ValueError(f"unknown attribution {method!r}; choose one of {ATTRIBUTIONS}")
    found = predictor(run_dir)
    result = found.predict(prepared, top=3)[0]
    heat, used = None, method
    if method != "off":
        used = "saliency" if method == "gradcam" and found.config.arch.is_mlp else method
        heat = _attribution(found, prepared, int(np.argmax(result.probabilities)), used)
    status = read_json(Path(run_dir) / "status.json", [])
    done = status.get("epochs_done")
    return DrawAnswer(str(run_dir), done if isinstance(done, int) else None, result.top,
                      result.feature_maps, heat, used)


def _attribution(found: Predictor, prepared: np.ndarray, target: int,
                 method: str) -> np.ndarray:
    import torch

    from tui_cnn.core.inside.attribution import attribute

    x = np.asarray(prepared, np.float32)[None]
    scaled = (x - found.mean[:, None, None]) / found.std[:, None, None]
    tensor = torch.from_numpy(scaled.astype(np.float32))
    return attribute(found.model, tensor, target, method).values


@lru_cache(maxsize=4)
def _samples(dataset: str, data_dir: str | None) -> tuple[np.ndarray, np.ndarray]:
    from tui_cnn.core.datasets import sample_images

    images, labels = sample_images(dataset, data_dir, SAMPLES_PER_CLASS)
    per_class = [np.flatnonzero(labels == k) for k in np.unique(labels)]
    order = [int(idx[i]) for i in range(SAMPLES_PER_CLASS) for idx in per_class if i < len(idx)]
    return images[order], labels[order]


def test_picture(run_dir: str | Path, index: int) -> TestPicture:
    """Test image ``index`` (taken modulo how many there are) of the run's dataset."""
    from tui_cnn.core.runs import read_config

    cfg = read_config(Path(run_dir))
    images, labels = _samples(cfg.dataset, cfg.data_dir)
    classes = recorded_info(read_json(Path(run_dir) / "config.json", [])).classes
    if not len(images):
        raise RunStoreError(f"{cfg.dataset} has no test images")
    at = index % len(images)
    return TestPicture(at, len(images), images[at].astype(np.float32) / 255.0,
                       classes[int(labels[at])])


test_picture.__test__ = False  # type: ignore[attr-defined]
