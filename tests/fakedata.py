"""Tiny, valid dataset files in torchvision's on-disk layout, for tests that must not download.

Images come from the built-in generators, so they depend on the class and a model can learn
them. Each writer returns what it wrote in the loader's format: images (N, C, H, W) uint8 and
labels (N,) int64, train then test.
"""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np

from tui_cnn.core import catalog, synth

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    """An IDX file's bytes: big-endian magic, one big-endian size per dimension, the data."""
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, magic: int, gz: bool = False) -> Path:
    """Write ``array`` as an IDX file at ``path`` (``path`` + '.gz', gzipped, if ``gz``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = idx_bytes(array, magic)
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def write_idx_mnist(root: Path, n_train: int, n_test: int, seed: int,
                    folder: str = "MNIST", gz: bool = False) -> Arrays:
    """MNIST-style IDX files under ``root/folder/raw`` (use folder='FashionMNIST' for Fashion)."""
    raw = Path(root) / folder / "raw"
    out: list[np.ndarray] = []
    for split, size in (("train", n_train), ("test", n_test)):
        x, y = synth.make("synth-digits", size, seed, split)
        images, labels = IDX_NAMES[split]
        write_idx(raw / images, x[:, 0], 2051, gz)
        write_idx(raw / labels, y.astype(np.uint8), 2049, gz)
        out += [x, y]
    return out[0], out[1], out[2], out[3]


def cifar_batch(x: np.ndarray, y: np.ndarray, label: str) -> dict[str, object]:
    """A CIFAR-10 batch dict as in the real files (data rows are R, G, B planes of 32x32)."""
    return {
        "batch_label": label,
        "labels": [int(v) for v in y],
        "data": x.reshape(len(x), 3 * 32 * 32),
        "filenames": [f"fake_{i}.png" for i in range(len(x))],
    }


def write_cifar10(root: Path, n_train_per_batch: int, n_test: int, seed: int) -> Arrays:
    """CIFAR-10 pickles (five data batches, test batch, batches.meta) under ``root``."""
    folder = Path(root) / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    x, y = synth.make("synth-shapes", 5 * n_train_per_batch, seed, "train")
    for i in range(5):
        part = slice(i * n_train_per_batch, (i + 1) * n_train_per_batch)
        batch = cifar_batch(x[part], y[part], f"training batch {i + 1} of 5")
        (folder / f"data_batch_{i + 1}").write_bytes(pickle.dumps(batch, protocol=2))
    x_test, y_test = synth.make("synth-shapes", n_test, seed, "test")
    test = cifar_batch(x_test, y_test, "testing batch 1 of 1")
    (folder / "test_batch").write_bytes(pickle.dumps(test, protocol=2))
    meta = {"label_names": list(catalog.CIFAR10), "num_cases_per_batch": n_train_per_batch}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    return x, y, x_test, y_test
