"""Shifting images and measuring what a shift does: to a conv layer's output
(equivariance), to a network's predictions (invariance), and which input pixels a unit's
gradient reaches (the empirical receptive field)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from tui_cnn.core.inside.common import TestImages

DIRECTIONS = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
CHUNK = 500


def shift(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """(…, H, W) images moved ``dy`` rows down and ``dx`` columns right; the pixels that
    come in are 0 (zero fill), the ones that go out are lost."""
    out = np.zeros_like(images)
    h, w = images.shape[-2:]
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src_y = slice(max(0, -dy), h - max(0, dy))
    src_x = slice(max(0, -dx), w - max(0, dx))
    dst_y = slice(max(0, dy), h - max(0, -dy))
    dst_x = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_y, dst_x] = images[..., src_y, src_x]
    return out


def shift_tensor(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    return torch.from_numpy(shift(x.detach().cpu().numpy(), dy, dx))


@torch.inference_mode()
def equivariance(layer: nn.Module, x: torch.Tensor, pixels: int, border: int
                 ) -> tuple[float, float, float]:
    """How far ``layer(shift(x))`` is from ``shift(layer(x))`` for a shift of ``pixels``
    input pixels to the right; a layer that downsamples by s (pooling, stride) is compared
    with its output shifted by pixels // s. Returns the largest difference at least
    ``border`` output pixels from every edge, the largest anywhere, and the output's
    largest magnitude (to read the differences against)."""
    out = layer(x)
    scale = max(1, x.shape[-1] // out.shape[-1])
    moved = layer(shift_tensor(x, 0, pixels))
    step = pixels // scale
    diff = (moved - shift_tensor(out, 0, step)).abs()
    b = border
    inner = diff[..., b:diff.shape[-2] - b, b + step:diff.shape[-1] - b]
    return float(inner.max()), float(diff.max()), float(out.abs().max())


@torch.inference_mode()
def predictions(model: nn.Module, test: TestImages, dy: int = 0, dx: int = 0) -> np.ndarray:
    """The model's class for every test image moved by (dy, dx)."""
    model.eval()
    out = []
    images = shift(test.images, dy, dx) if dy or dx else test.images
    for start in range(0, len(test), CHUNK):
        batch = TestImages(images[start:start + CHUNK], test.labels[start:start + CHUNK],
                           test.mean, test.std, test.classes)
        out.append(model(batch.batch(0, len(batch))).argmax(1).numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def shifted_accuracy(model: nn.Module, test: TestImages, shifts: Sequence[int]
                     ) -> list[float]:
    """Test accuracy at each shift, averaged over the four directions (0: as is)."""
    accs = []
    for pixels in shifts:
        moves = [(0, 0)] if pixels == 0 else [(dy * pixels, dx * pixels)
                                              for dy, dx in DIRECTIONS.values()]
        hits = [float((predictions(model, test, dy, dx) == test.labels).mean())
                for dy, dx in moves]
        accs.append(float(np.mean(hits)))
    return accs


def shift_instability(model: nn.Module, test: TestImages) -> float:
    """The share of test images whose predicted class changes under a 1-pixel shift
    (any of the four directions)."""
    base = predictions(model, test)
    changed = np.zeros(len(test), dtype=bool)
    for dy, dx in DIRECTIONS.values():
        changed |= predictions(model, test, dy, dx) != base
    return float(changed.mean())


def gradient_reach(model: nn.Sequential, layer: str, x: torch.Tensor, unit: tuple[int, int],
                   channel: int = 0) -> np.ndarray:
    """(H, W) bool: the input pixels where the gradient of one unit (``channel`` at
    ``unit`` = (row, col)) of ``layer``'s output is non-zero, for input ``x`` (1, C, H, W)."""
    x = x.clone().requires_grad_(True)
    captured: dict[str, torch.Tensor] = {}
    handle = getattr(model, layer).register_forward_hook(
        lambda _m, _i, out: captured.__setitem__("out", out))
    model.eval()
    try:
        model(x)
    finally:
        handle.remove()
    captured["out"][0, channel, unit[0], unit[1]].backward()
    assert x.grad is not None
    return (x.grad[0].abs().sum(0) > 0).numpy()
