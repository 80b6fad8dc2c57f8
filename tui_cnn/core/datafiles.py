"""Readers for dataset files in torchvision's on-disk layout. numpy only (no torch).

MNIST and Fashion-MNIST: IDX files ``<root>/MNIST/raw/train-images-idx3-ubyte`` (and
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``; the
Fashion-MNIST folder is ``FashionMNIST``), plain or ``.gz``. CIFAR-10: the python pickles
``<root>/cifar-10-batches-py/data_batch_1`` .. ``data_batch_5`` and ``test_batch``.

Any number of images is accepted; everything else is checked. Each problem raises
``DataError`` with a one-line message naming the file; nothing is returned half-loaded.
"""

from __future__ import annotations

import gzip
import io
import pickle
import zlib
from pathlib import Path
from typing import Any

import numpy as np

IMAGE_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
LABEL_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
NUM_CLASSES = 10
IDX_FOLDERS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
CIFAR_FOLDER = "cifar-10-batches-py"
CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR_TEST = "test_batch"

Split = tuple[np.ndarray, np.ndarray]  # images (N, C, H, W) uint8, labels (N,) int64


class DataError(Exception):
    """A dataset's files are missing or wrong; the message names the file and the problem."""


def file_folder(name: str, root: Path) -> Path:
    """The folder that holds dataset ``name``'s files under ``root``."""
    if name in IDX_FOLDERS:
        return root / IDX_FOLDERS[name] / "raw"
    if name == "cifar10":
        return root / CIFAR_FOLDER
    raise ValueError(f"{name!r} is not a file-backed dataset")


def file_names(name: str) -> tuple[str, ...]:
    """The files dataset ``name`` needs (IDX files may also be given gzipped, as NAME.gz)."""
    if name in IDX_FOLDERS:
        return IDX_FILES["train"] + IDX_FILES["test"]
    if name == "cifar10":
        return (*CIFAR_TRAIN, CIFAR_TEST)
    raise ValueError(f"{name!r} is not a file-backed dataset")


def _find(folder: Path, name: str, gz_ok: bool) -> Path | None:
    for path in (folder / name, folder / f"{name}.gz") if gz_ok else (folder / name,):
        if path.exists():
            return path
    return None


def missing_files(name: str, root: Path) -> list[Path]:
    """The files of dataset ``name`` not present under ``root`` (empty when all are there)."""
    folder = file_folder(name, root)
    gz_ok = name in IDX_FOLDERS
    return [folder / f for f in file_names(name) if _find(folder, f, gz_ok) is None]


def _require(folder: Path, name: str, gz_ok: bool) -> Path:
    path = _find(folder, name, gz_ok)
    if path is None:
        also = f" (or {name}.gz)" if gz_ok else ""
        raise DataError(f"{folder / name}: file missing{also}")
    return path


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped if its name ends in .gz; DataError if it cannot be read."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as stream:
                return stream.read()
        return path.read_bytes()
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(f"{path}: damaged gzip file ({exc})") from exc
    except OSError as exc:
        raise DataError(f"{path}: not readable ({exc.strerror or exc})") from exc


def parse_idx(path: Path, data: bytes, magic: int, dims: tuple[int, ...]) -> np.ndarray:
    """An IDX array of unsigned bytes; ``dims`` gives the shape after the count (checked)."""
    header = 4 * (2 + len(dims))
    if len(data) < header:
        raise DataError(f"{path}: truncated: {len(data)} bytes, shorter than the IDX header")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DataError(f"{path}: wrong magic number {found} (expected {magic})")
    shape = np.frombuffer(data, ">u4", 1 + len(dims), 4).astype(np.int64)
    if tuple(shape[1:]) != dims:
        got = "x".join(str(d) for d in shape[1:])
        raise DataError(f"{path}: images are {got}, expected {'x'.join(map(str, dims))}")
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "wrong size"
        raise DataError(
            f"{path}: {what}: {len(data):,} bytes, expected {expected:,} for {shape[0]:,} items"
        )
    return np.frombuffer(data, np.uint8, expected - header, header).reshape(shape)


def _check_labels(path: Path, labels: np.ndarray) -> np.ndarray:
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        bad = int(labels.max() if labels.max() >= NUM_CLASSES else labels.min())
        raise DataError(f"{path}: label {bad} out of range 0..{NUM_CLASSES - 1}")
    return labels.astype(np.int64)


def read_idx_split(image_path: Path, label_path: Path) -> Split:
    """One split of MNIST-style IDX files: images (N, 1, 28, 28) uint8, labels (N,) int64."""
    images = parse_idx(image_path, read_bytes(image_path), IMAGE_MAGIC, (28, 28))
    labels = parse_idx(label_path, read_bytes(label_path), LABEL_MAGIC, ())
    if len(images) != len(labels):
        raise DataError(
            f"{label_path}: {len(labels):,} labels but {image_path.name} has {len(images):,} images"
        )
    return images.reshape(-1, 1, 28, 28).copy(), _check_labels(label_path, labels)


def load_idx(name: str, root: Path) -> tuple[Split, Split]:
    """(train, test) of MNIST or Fashion-MNIST under ``root``, in torchvision's layout."""
    folder = file_folder(name, root)
    paths = [_require(folder, f, gz_ok=True) for f in IDX_FILES["train"] + IDX_FILES["test"]]
    return read_idx_split(*paths[:2]), read_idx_split(*paths[2:])


class _ArraysOnly(pickle.Unpickler):
    """Unpickles dicts, lists and numpy arrays only: a file cannot run code on loading."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"), ("numpy", "dtype"),
        ("_codecs", "encode"),  # how protocol 2 stores bytes written by Python 3
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return super().find_class(module, name)


def _unpickle(path: Path) -> dict[str, Any]:
    data = read_bytes(path)
    try:
        batch = _ArraysOnly(io.BytesIO(data), encoding="latin1").load()
    except Exception as exc:  # a damaged pickle can raise almost anything
        raise DataError(f"{path}: not a valid CIFAR-10 batch (bad pickle: {exc})") from exc
    if not isinstance(batch, dict):
        raise DataError(f"{path}: not a valid CIFAR-10 batch (holds {type(batch).__name__})")
    return batch


def read_cifar_batch(path: Path) -> Split:
    """One CIFAR-10 pickle: images (N, 3, 32, 32) uint8, labels (N,) int64."""
    batch = _unpickle(path)
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or labels is None:
        raise DataError(f"{path}: not a valid CIFAR-10 batch (no 'data' array or 'labels')")
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DataError(
            f"{path}: 'data' is {data.dtype} {data.shape}, expected uint8 (N, 3072)"
        )
    try:
        y = np.asarray(labels, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataError(f"{path}: 'labels' are not whole numbers 0..{NUM_CLASSES - 1} "
                        f"({exc})") from exc
    if len(y) != len(data):
        raise DataError(f"{path}: {len(y):,} labels for {len(data):,} images")
    return data.reshape(-1, 3, 32, 32).copy(), _check_labels(path, y)


def load_cifar10(root: Path) -> tuple[Split, Split]:
    """(train, test) of CIFAR-10 under ``root``: all five data batches and the test batch."""
    folder = file_folder("cifar10", root)
    paths = [_require(folder, name, gz_ok=False) for name in (*CIFAR_TRAIN, CIFAR_TEST)]
    parts = [read_cifar_batch(path) for path in paths[:-1]]
    train = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    return train, read_cifar_batch(paths[-1])


def load_files(name: str, root: Path) -> tuple[Split, Split]:
    """(train, test) of file-backed dataset ``name`` under ``root``; DataError on any problem."""
    return load_cifar10(root) if name == "cifar10" else load_idx(name, root)


def load_test_split(name: str, root: Path) -> Split:
    """Only the test split of file-backed dataset ``name`` (cheaper: for previews)."""
    folder = file_folder(name, root)
    if name == "cifar10":
        return read_cifar_batch(_require(folder, CIFAR_TEST, gz_ok=False))
    images, labels = (_require(folder, f, gz_ok=True) for f in IDX_FILES["test"])
    return read_idx_split(images, labels)
