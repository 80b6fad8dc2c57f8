"""Datasets on the device: uint8 image tensors, normalised batch by batch on the device.

Images stay uint8 on the device (a quarter of float32's memory); each batch is gathered with
one index, then converted and normalised there. Batches come from a permutation drawn with
the caller's generator: a CPU generator gives the same order on every device.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from tui_cnn.core.catalog import DatasetInfo
from tui_cnn.core.datasets import ArrayData, normalisation

Batch = tuple[torch.Tensor, torch.Tensor]  # images (B, C, H, W) uint8, labels (B,) int64


@dataclass
class DeviceData:
    """One dataset on one device; ``mean`` and ``std`` are (1, C, 1, 1) in [0, 1] units."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor
    info: DatasetInfo

    @property
    def device(self) -> torch.device:
        return self.x_train.device

    @property
    def train_size(self) -> int:
        return int(self.y_train.shape[0])

    @property
    def test_size(self) -> int:
        return int(self.y_test.shape[0])


def _tensor(array: np.ndarray, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """The array on ``device``. On the CPU it shares a writable array's memory; read-only
    arrays (np.frombuffer views) are copied first, as torch.from_numpy needs writable memory.
    """
    if not array.flags.writeable or not array.flags.c_contiguous:
        array = np.array(array, order="C")
    return torch.from_numpy(array).to(device=device, dtype=dtype)


def to_device(arrays: ArrayData, device: torch.device | str) -> DeviceData:
    """Move ``arrays`` to ``device`` with the train set's per-channel mean and std."""
    device = torch.device(device)
    mean, std = normalisation(arrays)
    stats = [torch.tensor(v, dtype=torch.float32, device=device).view(1, -1, 1, 1)
             for v in (mean, std)]
    return DeviceData(
        _tensor(arrays.x_train, device, torch.uint8), _tensor(arrays.y_train, device, torch.int64),
        _tensor(arrays.x_test, device, torch.uint8), _tensor(arrays.y_test, device, torch.int64),
        stats[0], stats[1], arrays.info,
    )


def normalise(x: torch.Tensor, mean: torch.Tensor, std: torch.Tensor,
              channels_last: bool = False) -> torch.Tensor:
    """uint8 images -> float32 ``(x / 255 - mean) / std`` on x's device.

    ``channels_last`` gives the result NHWC memory order (faster convolutions on CPU/CUDA).
    """
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    scale = 1.0 / (255.0 * std)
    return x.float().mul_(scale).sub_(mean / std)


def train_batches(data: DeviceData, batch_size: int,
                  generator: torch.Generator) -> Iterator[Batch]:
    """One epoch in a random order: every training image once; the last batch may be short."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    n = data.train_size
    order = torch.randperm(n, generator=generator, device=generator.device).to(data.device)
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size]
        yield data.x_train.index_select(0, index), data.y_train.index_select(0, index)


def test_batches(data: DeviceData, batch_size: int) -> Iterator[Batch]:
    """The test set in order, in chunks of ``batch_size`` (views: no copies)."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    for start in range(0, data.test_size, batch_size):
        yield data.x_test[start:start + batch_size], data.y_test[start:start + batch_size]


def _source_index(offset: torch.Tensor, size: int, pad: int, reflect: bool) -> torch.Tensor:
    """(n, size) indices into the unpadded axis for crops starting at ``offset`` (padded)."""
    index = offset[:, None] - pad + torch.arange(size, device=offset.device)
    if reflect:  # -1 -> 1, size -> size - 2 (no edge repeat, like F.pad's 'reflect')
        index = index.abs()
        return torch.where(index >= size, 2 * (size - 1) - index, index)
    return index


def augment_batch(x: torch.Tensor, generator: torch.Generator, *, pad: int = 4,
                  padding: str = "reflect", flip: bool = True) -> torch.Tensor:
    """Random crop (pad by ``pad``, 'reflect' or 'zeros', crop back) and horizontal flip.

    Works on any dtype and device with two gathers, never building the padded batch.
    The random numbers come from ``generator`` (on its own device).
    """
    if padding not in ("reflect", "zeros"):
        raise ValueError(f"padding must be 'reflect' or 'zeros', got {padding!r}")
    n, c, h, w = x.shape
    if padding == "reflect" and pad >= min(h, w):
        raise ValueError(f"reflect padding {pad} needs images larger than {pad} pixels")

    def draw(high: int) -> torch.Tensor:
        values = torch.randint(0, high, (n,), generator=generator, device=generator.device)
        return values.to(x.device)

    rows = _source_index(draw(2 * pad + 1), h, pad, padding == "reflect")
    cols = _source_index(draw(2 * pad + 1), w, pad, padding == "reflect")
    if flip:
        mirrored = draw(2).bool()[:, None]
        cols = torch.where(mirrored, cols.flip(1), cols)
    out = x.gather(2, rows.clamp(0, h - 1)[:, None, :, None].expand(n, c, h, w))
    out = out.gather(3, cols.clamp(0, w - 1)[:, None, None, :].expand(n, c, h, w))
    if padding == "zeros":
        inside = ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]
        out = out * inside[:, None].to(out.dtype)
    return out


test_batches.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported
