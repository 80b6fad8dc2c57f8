"""Benchmark data written to disk in torchvision's layout, so both loops read the same files.

MNIST-shaped: synth-digits as IDX files under ``root/MNIST/raw``. CIFAR-shaped: synth-shapes
as CIFAR-10 python pickles under ``root/cifar-10-batches-py``. Real MNIST is used as it is.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from tui_cnn.core import catalog, synth

IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
CIFAR_PARTS = 5


def _idx(path: Path, array: np.ndarray, magic: int) -> None:
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def write_mnist(root: Path, n_train: int, n_test: int, seed: int = 0) -> Path:
    """synth-digits as MNIST IDX files; returns ``root`` (the data_dir for both loops)."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for split, size in (("train", n_train), ("test", n_test)):
        x, y = synth.make("synth-digits", size, seed, split)
        images, labels = IDX_NAMES[split]
        _idx(raw / images, x[:, 0], 2051)
        _idx(raw / labels, y.astype(np.uint8), 2049)
    return root


def _cifar_batch(x: np.ndarray, y: np.ndarray, label: str) -> bytes:
    batch = {"batch_label": label, "labels": [int(v) for v in y],
             "data": x.reshape(len(x), 3 * 32 * 32),
             "filenames": [f"synth_{i}.png" for i in range(len(x))]}
    return pickle.dumps(batch, protocol=2)


def write_cifar10(root: Path, n_train: int, n_test: int, seed: int = 0) -> Path:
    """synth-shapes as CIFAR-10 pickles (five train batches, a test batch, the meta file)."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    per_part = n_train // CIFAR_PARTS
    x, y = synth.make("synth-shapes", per_part * CIFAR_PARTS, seed, "train")
    for i in range(CIFAR_PARTS):
        part = slice(i * per_part, (i + 1) * per_part)
        data = _cifar_batch(x[part], y[part], f"training batch {i + 1} of 5")
        (folder / f"data_batch_{i + 1}").write_bytes(data)
    x_test, y_test = synth.make("synth-shapes", n_test, seed, "test")
    (folder / "test_batch").write_bytes(_cifar_batch(x_test, y_test, "testing batch 1 of 1"))
    meta = {"label_names": list(catalog.CIFAR10), "num_cases_per_batch": per_part}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    return root
