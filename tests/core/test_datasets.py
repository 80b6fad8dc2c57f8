"""The numpy dataset API: built-in sets, file sets, sizes, statistics, previews, downloads.

No test here reaches the network: sockets refuse to connect, and downloads are served by a
fake ``urlopen``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import socket
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tests.fakedata import write_cifar10, write_idx_mnist
from tui_cnn.core import datasets, downloads
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.datasets import ArrayData, availability, load_arrays, normalisation

Calls = list[tuple[str, str, int, int]]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_availability(tmp_path: Path) -> None:
    assert availability("synth-digits", tmp_path) == "built-in"
    assert availability("mnist", tmp_path) == "not downloaded"
    write_idx_mnist(tmp_path, 10, 5, seed=0, gz=True)
    assert availability("mnist", str(tmp_path)) == "present"
    assert availability("fashion-mnist", tmp_path) == "not downloaded"


def test_default_data_dir_is_the_user_cache() -> None:
    path = datasets.default_data_dir()
    assert path.name == "data" and "tui-cnn" in path.parts[-2]


def test_builtin_sets_generate_with_progress() -> None:
    calls: Calls = []
    data = load_arrays("synth-shapes", train_size=30, test_size=20, seed=5,
                       progress=lambda *a: calls.append(a))
    assert data.x_train.shape == (30, 3, 32, 32) and data.x_test.shape == (20, 3, 32, 32)
    assert data.y_train.dtype == np.int64 and data.source == "built-in"
    assert data.info.name == "synth-shapes"
    assert {c[0] for c in calls} == {"generate"} and calls[-1][2:] == (2, 2)
    again = load_arrays("synth-shapes", train_size=30, test_size=20, seed=5)
    assert np.array_equal(again.x_test, data.x_test)


def test_builtin_default_sizes() -> None:
    assert (datasets.synth.TRAIN_SIZE, datasets.synth.TEST_SIZE) == (12_000, 2_000)


def test_builtin_size_limit() -> None:
    with pytest.raises(DataError, match="200,001.*200,000"):
        load_arrays("synth-digits", train_size=200_001)


def test_file_set_read_and_cut_to_size(tmp_path: Path) -> None:
    written = write_idx_mnist(tmp_path, 40, 20, seed=1)
    data = load_arrays("mnist", tmp_path, download=False)
    assert np.array_equal(data.x_train, written[0]) and np.array_equal(data.y_test, written[3])
    assert data.source == str(tmp_path / "MNIST" / "raw")
    small = load_arrays("mnist", tmp_path, download=False, train_size=15, test_size=5)
    assert np.array_equal(small.x_train, written[0][:15])
    assert np.array_equal(small.y_test, written[3][:5])


def test_asking_for_more_than_the_files_hold(tmp_path: Path) -> None:
    write_idx_mnist(tmp_path, 40, 20, seed=1)
    with pytest.raises(DataError, match="asked for 50 training images.*only 40"):
        load_arrays("mnist", tmp_path, download=False, train_size=50)
    with pytest.raises(DataError, match="asked for 21 test images.*only 20"):
        load_arrays("mnist", tmp_path, download=False, test_size=21)


def test_missing_files_without_download_say_where(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        load_arrays("fashion-mnist", tmp_path, download=False)
    message = str(caught.value)
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert "train-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    assert "--dataset synth-digits" in message and "\n" not in message


def test_download_failure_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torchvision")

    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DataError) as caught:
        load_arrays("cifar10", tmp_path)
    message = str(caught.value)
    assert message.startswith("could not download CIFAR-10")
    assert str(tmp_path / "cifar-10-batches-py") in message and "data_batch_1" in message
    assert "--dataset synth-shapes" in message  # the colour stand-in (issue 20, item 10)
    assert not list(tmp_path.rglob("*.part"))


class _Response(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


def _serve(monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes]) -> list[str]:
    """Fake mirrors: URL 'https://fake/NAME' serves files[NAME]; returns the URLs asked for."""
    asked: list[str] = []

    def urlopen(url: str, timeout: float = 0) -> _Response:
        asked.append(url)
        name = url.rsplit("/", 1)[-1]
        if url.startswith("https://dead/") or name not in files:
            raise urllib.error.URLError("unreachable")
        return _Response(files[name])

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return asked


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_mnist_download_checks_md5_and_unpacks(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    written = write_idx_mnist(tmp_path / "source", 12, 6, seed=2, gz=True)
    raw = tmp_path / "source" / "MNIST" / "raw"
    files = {path.name: path.read_bytes() for path in raw.iterdir()}
    sources = [(["https://dead/", "https://fake/"], n, _md5(d)) for n, d in files.items()]
    monkeypatch.setattr(downloads, "_sources", lambda name: [
        ([m + n for m in mirrors], n, md5) for mirrors, n, md5 in sources])
    asked = _serve(monkeypatch, files)
    calls: Calls = []
    data = load_arrays("mnist", tmp_path / "cache", progress=lambda *a: calls.append(a))
    assert np.array_equal(data.x_train, written[0]) and np.array_equal(data.y_test, written[3])
    assert len(asked) == 8  # the dead mirror first, then the live one, for each file
    done = [c for c in calls if c[0] == "download" and c[2] == c[3] > 0]
    assert len(done) == 4
    assert (tmp_path / "cache" / "MNIST" / "raw" / "train-images-idx3-ubyte").exists()
    assert availability("mnist", tmp_path / "cache") == "present"


def test_download_with_wrong_md5_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(b"whatever")
    monkeypatch.setattr(downloads, "_sources", lambda name: [
        (["https://fake/train-images-idx3-ubyte.gz"], "train-images-idx3-ubyte.gz", "0" * 32)])
    _serve(monkeypatch, {"train-images-idx3-ubyte.gz": data})
    with pytest.raises(DataError, match="checksum mismatch"):
        downloads.download_files("mnist", tmp_path)
    assert not list(tmp_path.rglob("train-images*"))


def test_cifar_download_extracts_only_the_batches(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    written = write_cifar10(tmp_path / "source", 3, 4, seed=3)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(tmp_path / "source" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
        evil = tarfile.TarInfo("../escaped")
        evil.size = 3
        tar.addfile(evil, io.BytesIO(b"bad"))
    archive = buffer.getvalue()
    monkeypatch.setattr(downloads, "_sources", lambda name: [
        (["https://fake/cifar-10-python.tar.gz"], "cifar-10-python.tar.gz", _md5(archive))])
    _serve(monkeypatch, {"cifar-10-python.tar.gz": archive})
    data = load_arrays("cifar10", tmp_path / "cache", test_size=2)
    assert np.array_equal(data.x_train, written[0]) and np.array_equal(data.y_test, written[3][:2])
    assert not (tmp_path / "escaped").exists()


def _arrays(x_train: np.ndarray) -> ArrayData:
    info = datasets.dataset_info("synth-shapes")
    y = np.zeros(len(x_train), np.int64)
    return ArrayData(x_train, y, x_train, y, info, "test")


def test_normalisation_is_exact_per_channel() -> None:
    x = np.random.default_rng(0).integers(0, 256, (50, 3, 8, 8), dtype=np.uint8)
    x[:, 2] = 7  # a constant channel
    mean, std = normalisation(_arrays(x))
    values = x.astype(np.float64) / 255
    assert np.allclose(mean, values.mean(axis=(0, 2, 3)), rtol=0, atol=1e-12)
    assert np.allclose(std[:2], values.std(axis=(0, 2, 3))[:2], rtol=0, atol=1e-12)
    assert std[2] == 1.0


def test_sample_images_builtin_and_files(tmp_path: Path) -> None:
    images, labels = datasets.sample_images("synth-digits", tmp_path, count_per_class=2)
    assert images.shape == (20, 1, 28, 28) and labels.tolist() == sorted(labels.tolist())
    with pytest.raises(DataError, match="not downloaded"):
        datasets.sample_images("mnist", tmp_path)
    written = write_idx_mnist(tmp_path, 10, 60, seed=4)
    images, labels = datasets.sample_images("mnist", tmp_path)
    assert labels.tolist() == list(range(10))
    first = [int(np.flatnonzero(written[3] == k)[0]) for k in range(10)]
    assert np.array_equal(images, written[2][first])
