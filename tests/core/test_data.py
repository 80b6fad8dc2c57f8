"""Device data: tensors and stats, normalisation, permutation batches, batch augmentation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tui_cnn.core import device_data
from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.datasets import ArrayData, load_arrays


def _indexed(n_train: int = 23, n_test: int = 9) -> ArrayData:
    """Image i's first pixel holds i % 256 and its label is i % 10: pairs stay checkable."""
    def split(n: int) -> tuple[np.ndarray, np.ndarray]:
        x = np.zeros((n, 1, 28, 28), np.uint8)
        x[:, 0, 0, 0] = np.arange(n) % 256
        return x, (np.arange(n) % 10).astype(np.int64)

    return ArrayData(*split(n_train), *split(n_test), dataset_info("synth-digits"), "test")


def test_to_device_types_and_stats() -> None:
    arrays = load_arrays("synth-shapes", train_size=40, test_size=10)
    data = device_data.to_device(arrays, "cpu")
    assert data.x_train.dtype == torch.uint8 and data.x_train.shape == (40, 3, 32, 32)
    assert data.y_train.dtype == torch.int64 and data.y_test.shape == (10,)
    assert data.mean.shape == data.std.shape == (1, 3, 1, 1)
    assert data.mean.dtype == torch.float32 and data.device == torch.device("cpu")
    assert np.array_equal(data.x_test.numpy(), arrays.x_test)
    assert (data.train_size, data.test_size) == (40, 10)


def test_read_only_arrays_are_copied() -> None:
    arrays = _indexed()
    frozen = np.frombuffer(arrays.x_train.tobytes(), np.uint8).reshape(arrays.x_train.shape)
    assert not frozen.flags.writeable
    arrays.x_train = frozen
    data = device_data.to_device(arrays, torch.device("cpu"))
    data.x_train[0] = 1  # writable, and not the numpy buffer
    assert frozen[0].max() == 0


def test_normalise_gives_zero_mean_unit_std_on_train() -> None:
    arrays = load_arrays("synth-shapes", train_size=200, test_size=10)
    data = device_data.to_device(arrays, "cpu")
    for channels_last in (False, True):
        x = device_data.normalise(data.x_train, data.mean, data.std, channels_last)
        assert x.dtype == torch.float32
        assert x.is_contiguous(memory_format=torch.channels_last) == channels_last
        per_channel = x.double().transpose(0, 1).reshape(3, -1)
        assert torch.allclose(per_channel.mean(1), torch.zeros(3, dtype=torch.double), atol=1e-4)
        assert torch.allclose(per_channel.std(1), torch.ones(3, dtype=torch.double), atol=1e-3)
    plain = device_data.normalise(data.x_test, data.mean, data.std)
    last = device_data.normalise(data.x_test, data.mean, data.std, channels_last=True)
    assert torch.equal(plain, last)


@pytest.mark.parametrize("batch_size", [1, 5, 23, 64])
def test_train_batches_cover_every_image_once(batch_size: int) -> None:
    data = device_data.to_device(_indexed(), "cpu")
    batches = list(device_data.train_batches(data, batch_size, torch.Generator().manual_seed(0)))
    sizes = [len(y) for _, y in batches]
    assert sizes[:-1] == [batch_size] * (len(batches) - 1) and sum(sizes) == 23
    ids = torch.cat([x[:, 0, 0, 0] for x, _ in batches]).long()
    assert sorted(ids.tolist()) == list(range(23))
    assert torch.equal(torch.cat([y for _, y in batches]), ids % 10)  # pairs kept
    assert batches[0][0].dtype == torch.uint8


def test_train_batches_repeat_for_a_seed() -> None:
    data = device_data.to_device(_indexed(), "cpu")

    def order(seed: int) -> list[int]:
        generator = torch.Generator().manual_seed(seed)
        return [int(i) for x, _ in device_data.train_batches(data, 4, generator)
                for i in x[:, 0, 0, 0]]

    assert order(3) == order(3)
    assert order(3) != order(4)
    assert order(3) != list(range(23))


def test_test_batches_in_order() -> None:
    data = device_data.to_device(_indexed(), "cpu")
    batches = list(device_data.test_batches(data, 4))
    assert [len(y) for _, y in batches] == [4, 4, 1]
    assert torch.cat([x[:, 0, 0, 0] for x, _ in batches]).tolist() == list(range(9))


def test_batch_size_must_be_positive() -> None:
    data = device_data.to_device(_indexed(), "cpu")
    with pytest.raises(ValueError):
        next(device_data.train_batches(data, 0, torch.Generator()))


def _matches_some_crop(out: torch.Tensor, image: torch.Tensor, pad: int, mode: str) -> bool:
    h, w = image.shape[-2:]
    padded = F.pad(image[None].float(), (pad,) * 4, mode=mode)[0]
    for dy in range(2 * pad + 1):
        for dx in range(2 * pad + 1):
            crop = padded[:, dy:dy + h, dx:dx + w]
            if torch.equal(out.float(), crop) or torch.equal(out.float(), crop.flip(-1)):
                return True
    return False


@pytest.mark.parametrize(("padding", "mode"), [("reflect", "reflect"), ("zeros", "constant")])
def test_augment_is_a_padded_crop_maybe_flipped(padding: str, mode: str) -> None:
    x = torch.randint(1, 256, (12, 3, 10, 10), generator=torch.Generator().manual_seed(0),
                      dtype=torch.int64).to(torch.uint8)
    out = device_data.augment_batch(x, torch.Generator().manual_seed(1), pad=2, padding=padding)
    assert out.shape == x.shape and out.dtype == torch.uint8
    assert all(_matches_some_crop(out[i], x[i], 2, mode) for i in range(12))
    assert not torch.equal(out, x)
    again = device_data.augment_batch(x, torch.Generator().manual_seed(1), pad=2, padding=padding)
    assert torch.equal(out, again)


def test_augment_without_pad_only_flips() -> None:
    x = torch.arange(64 * 4 * 4, dtype=torch.float32).reshape(64, 1, 4, 4)
    assert torch.equal(device_data.augment_batch(x, torch.Generator(), pad=0, flip=False), x)
    out = device_data.augment_batch(x, torch.Generator().manual_seed(0), pad=0)
    flipped = torch.tensor([torch.equal(o, i.flip(-1)) for o, i in zip(out, x, strict=True)])
    kept = torch.tensor([torch.equal(o, i) for o, i in zip(out, x, strict=True)])
    assert bool((flipped | kept).all()) and 16 < int(flipped.sum()) < 48


def test_augment_rejects_bad_padding() -> None:
    with pytest.raises(ValueError, match="padding"):
        device_data.augment_batch(torch.zeros(1, 1, 8, 8), torch.Generator(), padding="edge")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_gives_the_same_batches_as_cpu() -> None:
    arrays = _indexed(50, 10)
    cpu, gpu = device_data.to_device(arrays, "cpu"), device_data.to_device(arrays, "cuda")
    assert gpu.x_train.is_cuda and gpu.mean.is_cuda

    def ids(data: device_data.DeviceData) -> list[int]:
        batches = device_data.train_batches(data, 8, torch.Generator().manual_seed(2))
        return [int(i) for x, _ in batches for i in x[:, 0, 0, 0].cpu()]

    assert ids(cpu) == ids(gpu)
    x = device_data.normalise(gpu.x_train, gpu.mean, gpu.std, channels_last=True)
    assert torch.allclose(x.cpu(), device_data.normalise(cpu.x_train, cpu.mean, cpu.std))
    cuda_generator = torch.Generator(device="cuda").manual_seed(0)
    assert len(list(device_data.train_batches(gpu, 8, cuda_generator))) == 7
    out = device_data.augment_batch(gpu.x_train, cuda_generator)
    assert out.is_cuda and out.shape == gpu.x_train.shape
