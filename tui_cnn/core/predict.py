"""Classify your own images with a saved run: top-k classes and the first layer's maps.

``load_predictor(run_dir)`` rebuilds the run's model on the CPU (``checkpoint``'s loading)
and the normalisation it was trained with; ``Predictor.predict`` takes prepared images
(N, C, H, W) in [0, 1] and gives, per image, the top-k (class name, probability) and the
first conv layer's feature maps after its ReLU, as numpy for the faces to draw.
RunStoreError (one line naming the file) for any problem with the run folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tui_cnn.core.catalog import FOLDER, DatasetInfo, recorded_info
from tui_cnn.core.checkpoint import built_model, load_problem, load_run_model, load_state_dict
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.prepare import prepare
from tui_cnn.core.runs import RunStoreError, read_config, read_json

NORMALISATION_KEY = "normalisation"  # config.json: {"mean": [...], "std": [...]} if recorded


@dataclass(frozen=True)
class Prediction:
    """One image's result: best first."""

    top: tuple[tuple[str, float], ...]  # (class name, probability)
    probabilities: np.ndarray  # (num_classes,) float64, sums to 1
    feature_maps: np.ndarray | None  # (maps, H, W) float32 after layer 1's ReLU; None: MLP


@dataclass(frozen=True)
class Predictor:
    model: nn.Sequential
    config: TrainConfig
    info: DatasetInfo  # the classes and input shape the run was trained with
    mean: np.ndarray  # (C,) in [0, 1] units
    std: np.ndarray

    @property
    def classes(self) -> tuple[str, ...]:
        return self.info.classes

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return self.info.shape

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """A drawing or picture (2-D grey or (3, H, W)) prepared for this model, MNIST-style."""
        return prepare(image, self.input_shape)

    def predict(self, images: np.ndarray, top: int = 3) -> list[Prediction]:
        """Prepared images (N, C, H, W) or one (C, H, W), floats in [0, 1]."""
        x = np.asarray(images, dtype=np.float32)
        if x.ndim == 3:
            x = x[None]
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"expected images of shape {self.input_shape}, got {x.shape[1:]}")
        scaled = (x - self.mean[:, None, None]) / self.std[:, None, None]
        logits, maps = _forward(self.model, torch.from_numpy(scaled.astype(np.float32)))
        probs = torch.softmax(logits.double(), dim=1).numpy()
        k = max(1, min(top, len(self.classes)))
        results = []
        for i, p in enumerate(probs):
            order = np.argsort(-p, kind="stable")[:k]
            results.append(Prediction(tuple((self.classes[j], float(p[j])) for j in order),
                                      p, None if maps is None else maps[i]))
        return results


def _first_maps_module(model: nn.Sequential) -> nn.Module | None:
    """The ReLU after the first conv (or the conv itself if none follows); None for an MLP."""
    seen_conv: nn.Module | None = None
    for module in model.children():
        if seen_conv is None and isinstance(module, nn.Conv2d):
            seen_conv = module
        elif seen_conv is not None and isinstance(module, nn.ReLU):
            return module
        elif seen_conv is not None and isinstance(module, (nn.Conv2d, nn.MaxPool2d)):
            break
    return seen_conv


def _forward(model: nn.Sequential, x: torch.Tensor) -> tuple[torch.Tensor, np.ndarray | None]:
    captured: list[np.ndarray] = []
    module = _first_maps_module(model)

    def hook(_module: nn.Module, _inputs: object, output: torch.Tensor) -> None:
        captured.append(output.detach().to(torch.float32).numpy().copy())

    handle = module.register_forward_hook(hook) if module is not None else None
    try:
        with torch.no_grad():
            logits = model(x)
    finally:
        if handle is not None:
            handle.remove()
    return logits, captured[0] if captured else None


def _record(run_dir: Path) -> dict[str, Any]:
    problems: list[str] = []
    record = read_json(run_dir / "config.json", problems)
    if problems:
        raise RunStoreError(f"{run_dir / 'config.json'}: {'; '.join(problems)}")
    return record


def _folder_model(run_dir: Path, cfg: TrainConfig, info: DatasetInfo) -> nn.Sequential:
    """A folder run's model: its shape and classes come from config.json, not the catalog."""
    model = built_model(cfg, info, run_dir / "config.json")[0]
    path = run_dir / "model.pt"
    try:
        model.load_state_dict(load_state_dict(path), strict=True)
    except (RuntimeError, ValueError) as exc:
        raise RunStoreError(f"{path} does not fit the run's architecture "
                            f"({cfg.arch.name}): {load_problem(exc)}") from None
    return model.eval()


@lru_cache(maxsize=8)
def _recomputed_normalisation(cfg: TrainConfig) -> tuple[tuple[float, ...], tuple[float, ...]]:
    from tui_cnn.core.datasets import load_arrays, normalisation, options_of

    arrays = load_arrays(cfg.dataset, cfg.data_dir, download=False, train_size=cfg.train_size,
                         test_size=cfg.test_size, seed=cfg.seed, folder_options=options_of(cfg))
    return normalisation(arrays)


def _normalisation(record: dict[str, Any], cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """The mean and std the run trained with: recorded in config.json, else recomputed
    from the run's training data (which must then be present)."""
    saved = record.get(NORMALISATION_KEY)
    if isinstance(saved, dict) and "mean" in saved and "std" in saved:
        return np.asarray(saved["mean"], np.float32), np.asarray(saved["std"], np.float32)
    try:
        mean, std = _recomputed_normalisation(cfg)
    except DataError as exc:
        raise RunStoreError(f"cannot rebuild the run's normalisation: {exc}") from None
    return np.asarray(mean, np.float32), np.asarray(std, np.float32)


def load_predictor(run_dir: str | Path) -> Predictor:
    """The saved run's model, classes and normalisation, ready to classify on the CPU."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunStoreError(f"{run_dir}: no such run folder")
    record = _record(run_dir)
    cfg = read_config(run_dir)
    try:
        info = recorded_info(record)
    except ValueError as exc:
        raise RunStoreError(f"{run_dir / 'config.json'}: {exc}") from None
    if cfg.dataset == FOLDER:
        model = _folder_model(run_dir, cfg, info)
    else:
        loaded = load_run_model(run_dir)
        model = loaded.model
    mean, std = _normalisation(record, cfg)
    return Predictor(model, cfg, info, mean, std)


def read_image(path: str | Path, channels: int) -> np.ndarray:
    """A PNG/JPEG (anything Pillow reads) as float32 in [0, 1]: 2-D grey with bright ink
    (a light background is inverted), or (3, H, W) RGB. DataError naming a bad file."""
    from PIL import Image, UnidentifiedImageError

    from tui_cnn.core.prepare import ink_on_dark

    try:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L" if channels == 1 else "RGB"), np.uint8)
    except FileNotFoundError:
        raise DataError(f"{path}: no such image file") from None
    except UnidentifiedImageError:
        raise DataError(f"{path}: not an image Pillow can read") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(f"{path}: cannot decode the image ({exc})") from None
    if channels == 1:
        return ink_on_dark(pixels)
    return pixels.transpose(2, 0, 1).astype(np.float32) / 255.0
