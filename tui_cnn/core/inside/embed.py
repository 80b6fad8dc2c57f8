"""What the classifier sees: the test set's penultimate features, projected to 2-D by PCA.

The features are the input of the model's last Linear layer (what the classifier maps to
classes), computed in chunks under ``inference_mode``; the projection is
``torch.pca_lowrank`` on the centred features (seeded, so the same run gives the same
picture), each component's sign fixed so its largest loading is positive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from tui_cnn.core.inside.common import TestImages

Progress = Callable[[int, int], None]
CHUNK = 128  # the chapter's CNN on one core: 128 took 1.44 s for 4,000 images, 256 2.16 s


@dataclass(frozen=True)
class Embedding:
    epoch: int
    points: np.ndarray  # (N, 2) float32: each test image's first two principal components
    labels: np.ndarray  # (N,) int64
    predicted: np.ndarray  # (N,) int64
    classes: tuple[str, ...]
    class_accuracy: np.ndarray  # (classes,) float64: correct / images of that class; nan if none
    class_counts: np.ndarray  # (classes,) int64
    explained: np.ndarray  # (2,) fraction of the features' variance each component holds
    feature_dim: int
    layer: str  # the Linear whose input the features are, e.g. "fc2"

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.labels == self.predicted)) if len(self.labels) else 0.0


def last_linear(model: nn.Module) -> tuple[str, nn.Linear]:
    found = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not found:
        raise ValueError("the model has no Linear layer")
    return found[-1]


@torch.inference_mode()
def penultimate(model: nn.Module, test: TestImages, chunk: int = CHUNK,
                progress: Progress | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(features (N, D) float32, predicted class (N,)) for the whole test set."""
    _name, layer = last_linear(model)
    captured: list[torch.Tensor] = []
    handle = layer.register_forward_pre_hook(
        lambda _m, inputs: captured.append(inputs[0].detach().float().flatten(1)))
    was_training = model.training
    model.eval()
    predicted = []
    try:
        for start in range(0, len(test), chunk):
            stop = min(start + chunk, len(test))
            predicted.append(model(test.batch(start, stop)).argmax(1))
            if progress is not None:
                progress(stop, len(test))
    finally:
        handle.remove()
        model.train(was_training)
    return torch.cat(captured), torch.cat(predicted)


def pca_2d(features: torch.Tensor, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(points (N, 2), explained variance fractions (2,)) of the centred features."""
    x = features.detach().to("cpu", torch.float64)
    n, d = x.shape
    centred = x - x.mean(dim=0, keepdim=True)
    total = float((centred ** 2).sum())
    q = min(6, n, d)
    points = np.zeros((n, 2), dtype=np.float32)
    explained = np.zeros(2)
    if total <= 0 or q < 1:
        return points, explained
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        _u, s, v = torch.pca_lowrank(centred, q=q, center=False, niter=6)
    v = v[:, :2]
    signs = torch.sign(v.gather(0, v.abs().argmax(dim=0, keepdim=True)))
    v = v * torch.where(signs == 0, torch.ones_like(signs), signs)
    projected = (centred @ v).numpy()
    points[:, :projected.shape[1]] = projected
    explained[:len(s[:2])] = (s[:2] ** 2).numpy() / total
    return points, explained


def class_accuracy(labels: np.ndarray, predicted: np.ndarray,
                   num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """(accuracy per class, images per class); nan where a class has no test image."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.int64)
    right = np.bincount(labels[labels == predicted], minlength=num_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.where(counts > 0, right / np.maximum(counts, 1), np.nan)
    return acc.astype(np.float64), counts


def embed(model: nn.Module, test: TestImages, *, epoch: int = 0, chunk: int = CHUNK,
          progress: Progress | None = None) -> Embedding:
    """The test set's penultimate features in 2-D, with per-class accuracy."""
    features, predicted = penultimate(model, test, chunk, progress)
    points, explained = pca_2d(features)
    pred = predicted.cpu().numpy().astype(np.int64)
    acc, counts = class_accuracy(test.labels, pred, len(test.classes))
    return Embedding(epoch, points, test.labels, pred, test.classes, acc, counts, explained,
                     int(features.shape[1]), last_linear(model)[0])
