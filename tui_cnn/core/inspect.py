"""Looking inside a network: edge-likeness of filters, activations, confusion matrix.
(The chapter's naive convolution against torch's is in core/naive_conv.py.)

Numpy only at import time; torch is imported inside the functions that need it.

Orientation convention (edge scores). A filter's angle is the direction in which its
weights increase: the direction of increasing image intensity that makes it respond
most positively (torch's conv is a cross-correlation, so weights meet pixels as they
are). Angles are in degrees, counter-clockwise as seen on screen: 0 = rightward,
90 = upward (towards row 0), 180 = leftward, 270 = downward. Sobel-x
``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]`` is 0 (it finds vertical edges, dark on the
left); Sobel-y with its positive row on top is 90; their negatives are 180 and 270.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn

ANGLES = (0, 45, 90, 135, 180, 225, 270, 315)
EDGE_THRESHOLD = 0.8


# ---- edge scores -----------------------------------------------------------------


def _binomial(n: int) -> np.ndarray:
    row = np.array([1.0])
    for _ in range(n - 1):
        row = np.convolve(row, [1.0, 1.0])
    return row


def edge_templates(k: int = 3) -> dict[int, np.ndarray]:
    """Oriented edge templates (k x k, k odd >= 3) for each angle in ``ANGLES``.

    The template at angle a is cos(a) Gx + sin(a) Gy, where Gx is the k x k Sobel
    kernel (binomial smoothing down the rows times a smoothed central difference across
    the columns; the classic Sobel at k = 3) and Gy is Gx turned to increase upwards.
    0/90/180/270 are exactly +-Sobel; opposite angles are negatives of each other.
    """
    if not isinstance(k, int) or k < 3 or k % 2 == 0:
        raise ValueError(f"edge templates need an odd kernel size >= 3, got {k!r}")
    smooth = _binomial(k)
    deriv = np.convolve(_binomial(k - 2), [-1.0, 0.0, 1.0])  # k=3: [-1, 0, 1]
    gx = np.outer(smooth, deriv)
    gy = -np.outer(deriv, smooth)  # positive on the top row: increases upwards
    rads = {angle: np.deg2rad(angle) for angle in ANGLES}
    return {a: np.round(np.cos(r) * gx + np.sin(r) * gy, 12) for a, r in rads.items()}


@dataclass(frozen=True)
class EdgeScore:
    """How much one filter looks like an oriented edge detector."""

    index: int  # filter number in the layer
    angle: int  # best template's angle in degrees (see the module docstring)
    r: float  # Pearson correlation with that template
    edge_like: bool  # |r| > threshold
    threshold: float = EDGE_THRESHOLD
    channel: int | None = None  # input channel scored; None = mean over channels


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    """Rows centred and scaled to unit length (zero rows stay zero)."""
    centred = rows - rows.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.divide(centred, norms, out=np.zeros_like(centred), where=norms > 1e-12)


def _correlations(kernels: np.ndarray) -> np.ndarray:
    """Pearson r of each (k, k) kernel in (M, k, k) with each template: (M, len(ANGLES))."""
    k = kernels.shape[-1]
    templates = np.stack([t.ravel() for t in edge_templates(k).values()])
    r = _unit_rows(kernels.reshape(len(kernels), -1)) @ _unit_rows(templates).T
    return np.clip(r, -1.0, 1.0)


def edge_scores(weights: np.ndarray, *, threshold: float = EDGE_THRESHOLD,
                channels: Literal["mean", "best"] = "mean") -> list[EdgeScore]:
    """Best-matching edge orientation and its Pearson r for each filter of (N, C, k, k).

    Multi-channel filters are scored on their mean over input channels ("mean", the
    default: what the filter does to a grey image), or on whichever single channel fits
    a template best ("best"). As opposite angles are both templates, r >= 0.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 4 or w.shape[2] != w.shape[3]:
        raise ValueError(f"expected weights of shape (N, C, k, k), got {w.shape}")
    n, c, k, _ = w.shape
    if channels == "mean":
        r = _correlations(w.mean(axis=1))[:, None, :]  # (N, 1, angles)
    elif channels == "best":
        r = _correlations(w.reshape(n * c, k, k)).reshape(n, c, len(ANGLES))
    else:
        raise ValueError(f"channels must be mean or best, got {channels!r}")
    scores = []
    for i in range(n):
        ch, a = np.unravel_index(int(np.argmax(r[i])), r[i].shape)
        best = float(r[i, ch, a])
        scores.append(EdgeScore(i, ANGLES[a], best, abs(best) > threshold, threshold,
                                None if channels == "mean" else int(ch)))
    return scores


def edge_summary(scores: Sequence[EdgeScore]) -> str:
    """E.g. "21 of 32 filters are edge-like (|r| > 0.8)"."""
    threshold = scores[0].threshold if scores else EDGE_THRESHOLD
    count = sum(score.edge_like for score in scores)
    return f"{count} of {len(scores)} filters are edge-like (|r| > {threshold:g})"


# ---- classification ----------------------------------------------------------------


def _array(values: Any) -> np.ndarray:
    """Numpy from anything array-like, torch tensors (any device) included."""
    if hasattr(values, "detach"):  # a torch tensor, without importing torch
        tensor = values.detach().cpu()
        values = (tensor.float() if tensor.is_floating_point() else tensor).numpy()
    return np.asarray(values)


def _labels(values: Any, num_classes: int, name: str) -> np.ndarray:
    a = _array(values).reshape(-1)
    if a.size and (not np.issubdtype(a.dtype, np.integer) or a.min() < 0
                   or a.max() >= num_classes):
        raise ValueError(f"{name} must be class indices in [0, {num_classes})")
    return a.astype(np.int64)


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) int64 counts: row = true class, column = predicted."""
    t = _labels(y_true, num_classes, "y_true")
    p = _labels(y_pred, num_classes, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"{t.size} true labels but {p.size} predictions")
    counts = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


def misclassified(y_true: Any, y_pred: Any, true_class: int, pred_class: int) -> np.ndarray:
    """Indices of the examples in one confusion cell: true ``true_class``, predicted
    ``pred_class`` (equal classes give the correctly classified ones), ascending."""
    t, p = _array(y_true).reshape(-1), _array(y_pred).reshape(-1)
    if t.shape != p.shape:
        raise ValueError(f"{t.size} true labels but {p.size} predictions")
    return np.flatnonzero((t == true_class) & (p == pred_class)).astype(np.int64)


def top_k(logits: Any, k: int = 3) -> list[tuple[int, float]]:
    """The k most probable classes of one example's logits, as (class, softmax prob)."""
    z = _array(logits).astype(np.float64)
    if z.ndim == 2 and z.shape[0] == 1:
        z = z[0]
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"expected the logits of one example, got shape {z.shape}")
    p = np.exp(z - z.max())
    p /= p.sum()
    order = np.argsort(-p, kind="stable")[:max(0, k)]
    return [(int(i), float(p[i])) for i in order]


# ---- inside a model -----------------------------------------------------------------


def _single_batch(x: Any, like: torch.Tensor | None) -> torch.Tensor:
    """One image, (H, W), (C, H, W) or (1, C, H, W), as a (1, C, H, W) tensor."""
    import torch

    t = x.detach() if isinstance(x, torch.Tensor) else torch.tensor(np.array(x))
    while t.dim() < 4:
        t = t.unsqueeze(0)
    if t.dim() != 4 or t.shape[0] != 1:
        raise ValueError(f"expected one image, got shape {tuple(t.shape)}")
    if like is None:
        return t.float()
    return t.to(device=like.device, dtype=like.dtype if like.is_floating_point() else None)


def activations(model: nn.Module, x: Any,
                prefixes: tuple[str, ...] = ("conv", "relu", "pool")) -> dict[str, np.ndarray]:
    """Each matching layer's output for one image, as float32 numpy arrays without the
    batch dimension (e.g. conv1 -> (32, 28, 28)), in forward order.

    Layers match when the last part of their module name starts with one of
    ``prefixes`` (so "relu1" matches but "fc1_relu" does not). Runs in eval mode with
    no grad and restores the model's mode. Outputs are copied as they pass, so an
    in-place ReLU later does not change an earlier layer's result.
    """
    import torch

    captured: dict[str, np.ndarray] = {}

    def saver(name: str) -> Callable[..., None]:
        def hook(_module: nn.Module, _inputs: object, output: torch.Tensor) -> None:
            captured[name] = output.detach()[0].to("cpu", torch.float32, copy=True).numpy()
        return hook

    handles = [module.register_forward_hook(saver(name))
               for name, module in model.named_modules()
               if name and name.rsplit(".", 1)[-1].startswith(prefixes)]
    param = next(iter(model.parameters()), None)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(_single_batch(x, param))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return captured


def conv_weights(model: nn.Module) -> dict[str, np.ndarray]:
    """Every Conv2d's weights (out, in, k, k) as float32 numpy, by module name."""
    import torch

    return {name: module.weight.detach().to("cpu", torch.float32, copy=True).numpy()
            for name, module in model.named_modules() if isinstance(module, torch.nn.Conv2d)}
