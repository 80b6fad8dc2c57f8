"""File parsers: exact round trips, agreement with torchvision, and one clear error per fault."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from tests.fakedata import cifar_batch, idx_bytes, write_cifar10, write_idx, write_idx_mnist
from tui_cnn.core import datafiles
from tui_cnn.core.datafiles import DataError, load_files

RAW = Path("MNIST") / "raw"
CIFAR = Path("cifar-10-batches-py")


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_round_trip_any_count(tmp_path: Path, gz: bool) -> None:
    written = write_idx_mnist(tmp_path, 37, 11, seed=1, gz=gz)
    (x_train, y_train), (x_test, y_test) = load_files("mnist", tmp_path)
    for got, want in zip((x_train, y_train, x_test, y_test), written, strict=True):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got, want)
    assert x_train.shape == (37, 1, 28, 28) and y_train.dtype == np.int64
    assert x_train.flags.writeable  # not a read-only np.frombuffer view


def test_fashion_mnist_reads_its_own_folder(tmp_path: Path) -> None:
    written = write_idx_mnist(tmp_path, 20, 10, seed=2, folder="FashionMNIST")
    (x_train, _), (_, y_test) = load_files("fashion-mnist", tmp_path)
    assert np.array_equal(x_train, written[0]) and np.array_equal(y_test, written[3])
    assert datafiles.missing_files("mnist", tmp_path)  # MNIST's folder is still empty


def test_mnist_matches_torchvision(tmp_path: Path) -> None:
    torchvision = pytest.importorskip("torchvision")
    write_idx_mnist(tmp_path, 30, 12, seed=3)
    (x_train, y_train), (x_test, y_test) = load_files("mnist", tmp_path)
    for train, x, y in ((True, x_train, y_train), (False, x_test, y_test)):
        ref = torchvision.datasets.MNIST(str(tmp_path), train=train, download=False)
        assert np.array_equal(x[:, 0], ref.data.numpy())
        assert np.array_equal(y, ref.targets.numpy())


def test_cifar_round_trip_and_matches_torchvision(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    torchvision = pytest.importorskip("torchvision")
    written = write_cifar10(tmp_path, 7, 9, seed=4)
    (x_train, y_train), (x_test, y_test) = load_files("cifar10", tmp_path)
    for got, want in zip((x_train, y_train, x_test, y_test), written, strict=True):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert x_train.shape == (35, 3, 32, 32)
    # torchvision checks the real files' md5s; ours are fakes, so skip that check only
    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda *a, **k: True)
    for train, x, y in ((True, x_train, y_train), (False, x_test, y_test)):
        ref = torchvision.datasets.CIFAR10(str(tmp_path), train=train, download=False)
        assert np.array_equal(x, ref.data.transpose(0, 3, 1, 2))
        assert y.tolist() == list(ref.targets)


def _mnist(tmp_path: Path) -> Path:
    write_idx_mnist(tmp_path, 10, 5, seed=0)
    return tmp_path / RAW


def _error(tmp_path: Path, name: str = "mnist") -> str:
    with pytest.raises(DataError) as caught:
        load_files(name, tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("file", ["train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
def test_wrong_magic_number(tmp_path: Path, file: str) -> None:
    path = _mnist(tmp_path) / file
    data = bytearray(path.read_bytes())
    data[3] = 0x99
    path.write_bytes(bytes(data))
    message = _error(tmp_path)
    assert str(path) in message and "magic number" in message


@pytest.mark.parametrize("cut", [1, 300, 5 * 784])
def test_truncated_images(tmp_path: Path, cut: int) -> None:
    path = _mnist(tmp_path) / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-cut])
    message = _error(tmp_path)
    assert str(path) in message and "truncated" in message


def test_shorter_than_header(tmp_path: Path) -> None:
    path = _mnist(tmp_path) / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:10])
    assert "truncated" in _error(tmp_path)


def test_extra_bytes_are_a_size_mismatch(tmp_path: Path) -> None:
    path = _mnist(tmp_path) / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\0\0")
    message = _error(tmp_path)
    assert str(path) in message and "wrong size" in message


def test_wrong_image_size(tmp_path: Path) -> None:
    raw = _mnist(tmp_path)
    write_idx(raw / "train-images-idx3-ubyte", np.zeros((10, 28, 27), np.uint8), 2051)
    assert "28x27" in _error(tmp_path)


def test_image_and_label_counts_must_agree(tmp_path: Path) -> None:
    raw = _mnist(tmp_path)
    write_idx(raw / "t10k-labels-idx1-ubyte", np.zeros(4, np.uint8), 2049)
    message = _error(tmp_path)
    assert "t10k-labels-idx1-ubyte" in message and "4 labels" in message and "5 images" in message


def test_label_out_of_range(tmp_path: Path) -> None:
    raw = _mnist(tmp_path)
    write_idx(raw / "train-labels-idx1-ubyte", np.full(10, 10, np.uint8), 2049)
    message = _error(tmp_path)
    assert "train-labels-idx1-ubyte" in message and "label 10 out of range" in message


@pytest.mark.parametrize("file", datafiles.file_names("mnist"))
def test_missing_file_is_named(tmp_path: Path, file: str) -> None:
    raw = _mnist(tmp_path)
    (raw / file).unlink()
    message = _error(tmp_path)
    assert str(raw / file) in message and "missing" in message
    assert datafiles.missing_files("mnist", tmp_path) == [raw / file]


def test_unreadable_file(tmp_path: Path) -> None:
    path = _mnist(tmp_path) / "train-images-idx3-ubyte"
    path.unlink()
    path.mkdir()  # present but cannot be read as a file, even by root
    message = _error(tmp_path)
    assert str(path) in message and "not readable" in message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_file_without_read_permission(tmp_path: Path) -> None:
    path = _mnist(tmp_path) / "train-labels-idx1-ubyte"
    path.chmod(0)
    assert "not readable" in _error(tmp_path)


def test_damaged_gzip(tmp_path: Path) -> None:
    write_idx_mnist(tmp_path, 10, 5, seed=0, gz=True)
    path = tmp_path / RAW / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:40])
    message = _error(tmp_path)
    assert str(path) in message and "gzip" in message


def test_plain_file_preferred_over_gz(tmp_path: Path) -> None:
    written = write_idx_mnist(tmp_path, 10, 5, seed=0)
    (tmp_path / RAW / "train-images-idx3-ubyte.gz").write_bytes(b"not even gzip")
    assert np.array_equal(load_files("mnist", tmp_path)[0][0], written[0])


def _cifar(tmp_path: Path) -> Path:
    write_cifar10(tmp_path, 4, 6, seed=0)
    return tmp_path / CIFAR


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo should-not-run",))


@pytest.mark.parametrize("content", [
    b"garbage, not a pickle",
    pickle.dumps({"data": 1}, protocol=2)[:-3],
    pickle.dumps(_Evil(), protocol=2),
    pickle.dumps([1, 2, 3], protocol=2),
], ids=["garbage", "truncated", "code", "not-a-dict"])
def test_bad_cifar_pickle(tmp_path: Path, content: bytes) -> None:
    path = _cifar(tmp_path) / "data_batch_3"
    path.write_bytes(content)
    message = _error(tmp_path, "cifar10")
    assert str(path) in message and "not a valid CIFAR-10 batch" in message


def _write_batch(path: Path, batch: dict[str, object]) -> None:
    path.write_bytes(pickle.dumps(batch, protocol=2))


def test_cifar_wrong_shape_and_missing_key(tmp_path: Path) -> None:
    folder = _cifar(tmp_path)
    _write_batch(folder / "test_batch", {"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]})
    assert "expected uint8 (N, 3072)" in _error(tmp_path, "cifar10")
    _write_batch(folder / "test_batch", {"labels": [0, 1]})
    assert "no 'data'" in _error(tmp_path, "cifar10")


def test_cifar_labels_checked(tmp_path: Path) -> None:
    folder = _cifar(tmp_path)
    x = np.zeros((3, 3, 32, 32), np.uint8)
    _write_batch(folder / "data_batch_1", cifar_batch(x, np.array([0, 1, 12]), "b"))
    message = _error(tmp_path, "cifar10")
    assert "data_batch_1" in message and "label 12 out of range" in message
    _write_batch(folder / "data_batch_1", {**cifar_batch(x, np.zeros(3), "b"), "labels": [0]})
    assert "1 labels for 3 images" in _error(tmp_path, "cifar10")


@pytest.mark.parametrize("file", ["data_batch_5", "test_batch"])
def test_cifar_needs_every_batch(tmp_path: Path, file: str) -> None:
    (_cifar(tmp_path) / file).unlink()
    message = _error(tmp_path, "cifar10")
    assert str(tmp_path / CIFAR / file) in message and "missing" in message


def test_idx_bytes_header_layout() -> None:
    data = idx_bytes(np.zeros((2, 28, 28), np.uint8), 2051)
    assert data[:4] == b"\x00\x00\x08\x03" and len(data) == 16 + 2 * 784
