"""The fast data path gives the plain path's batches.

Fast: the whole set as one uint8 tensor, ``data.train_batches`` (one permutation, one
index_select per batch), then ``data.normalise`` on the batch. Plain: a per-sample Dataset
over the same uint8 arrays with torchvision's ``ToTensor`` + ``Normalize``, batched by a
DataLoader that visits the same permutation. For a fixed seed both must agree to 1e-6.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from tui_cnn.core import device_data
from tui_cnn.core.datasets import ArrayData, load_arrays, normalisation

SEED = 1234
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA GPU"))]


class PerSample(Dataset[tuple[torch.Tensor, int]]):
    """What a torchvision dataset does: one image at a time, ToTensor then Normalize."""

    def __init__(self, arrays: ArrayData) -> None:
        self.x, self.y = arrays.x_train, arrays.y_train
        mean, std = normalisation(arrays)
        self.transform = transforms.Compose([transforms.ToTensor(),
                                             transforms.Normalize(mean, std)])

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        hwc = np.ascontiguousarray(self.x[i].transpose(1, 2, 0))  # ToTensor takes H x W x C
        return self.transform(hwc), int(self.y[i])


def fast_batches(arrays: ArrayData, batch_size: int, seed: int, device: str,
                 channels_last: bool) -> list[tuple[torch.Tensor, torch.Tensor]]:
    data = device_data.to_device(arrays, device)
    generator = torch.Generator().manual_seed(seed)
    return [(device_data.normalise(x, data.mean, data.std, channels_last).cpu(), y.cpu())
            for x, y in device_data.train_batches(data, batch_size, generator)]


def plain_batches(arrays: ArrayData, batch_size: int,
                  seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The same permutation (same generator, same draw), visited sample by sample."""
    order = torch.randperm(len(arrays.y_train), generator=torch.Generator().manual_seed(seed))
    loader: DataLoader[Any] = DataLoader(PerSample(arrays), batch_size=batch_size,
                                         sampler=order.tolist())
    return [(x, y) for x, y in loader]


@pytest.fixture(scope="module", params=["synth-digits", "synth-shapes"])
def arrays(request: pytest.FixtureRequest) -> ArrayData:
    return load_arrays(request.param, train_size=300, test_size=10, seed=3)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("batch_size", [1, 32, 64, 300])
@pytest.mark.parametrize("channels_last", [False, True])
def test_fast_batches_equal_the_plain_path(arrays: ArrayData, batch_size: int, device: str,
                                           channels_last: bool) -> None:
    fast = fast_batches(arrays, batch_size, SEED, device, channels_last)
    plain = plain_batches(arrays, batch_size, SEED)
    assert len(fast) == len(plain) == -(-len(arrays.y_train) // batch_size)
    for (fx, fy), (px, py) in zip(fast, plain, strict=True):
        assert fx.shape == px.shape and fx.dtype == px.dtype == torch.float32
        torch.testing.assert_close(fx, px, rtol=1e-6, atol=1e-6)
        assert torch.equal(fy, py)


def test_every_image_once_per_epoch_and_epochs_differ() -> None:
    arrays = load_arrays("synth-digits", train_size=257, test_size=10, seed=0)
    arrays.x_train[:, 0, 0, :2] = np.stack([np.arange(257) % 256, np.arange(257) // 256], 1)
    data = device_data.to_device(arrays, "cpu")
    orders = []
    for epoch in (1, 2):
        generator = torch.Generator().manual_seed(SEED * 100_003 + epoch)
        ids = torch.cat([x[:, 0, 0, 0].long() + 256 * x[:, 0, 0, 1].long()
                         for x, _ in device_data.train_batches(data, 64, generator)])
        assert sorted(ids.tolist()) == list(range(257))
        orders.append(ids.tolist())
    assert orders[0] != orders[1]


def test_the_same_seed_gives_the_same_batches() -> None:
    arrays = load_arrays("synth-digits", train_size=100, test_size=10, seed=0)
    first = fast_batches(arrays, 16, SEED, "cpu", True)
    again = fast_batches(arrays, 16, SEED, "cpu", True)
    for (ax, ay), (bx, by) in zip(first, again, strict=True):
        assert torch.equal(ax, bx) and torch.equal(ay, by)
