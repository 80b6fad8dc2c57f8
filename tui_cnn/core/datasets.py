"""Datasets as numpy arrays: built-in sets generated, file sets read (downloaded if allowed).

No torch at import time; downloading (core.downloads) imports torchvision only to look up
download addresses.
``train_size`` / ``test_size`` keep the FIRST N images of a file-backed split (the files are
already shuffled); for built-in sets they say how many images to generate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import platformdirs

from tui_cnn.core import folder_data, synth
from tui_cnn.core.catalog import FOLDER, DatasetInfo, dataset_info, folder_info
from tui_cnn.core.datafiles import (
    DataError,
    file_folder,
    load_files,
    load_test_split,
    missing_files,
)
from tui_cnn.core.downloads import download_files, ignore_progress, offline_hint
from tui_cnn.core.folder_data import Progress

if TYPE_CHECKING:
    from tui_cnn.core.config import TrainConfig

SYNTH_MAX = 200_000  # images per split a built-in set will generate
ENV_CACHE_DIR = "TUI_CNN_CACHE_DIR"  # where decoded image folders are cached


@dataclass
class ArrayData:
    """A dataset in memory: images (N, C, H, W) uint8, labels (N,) int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    info: DatasetInfo
    source: str  # "built-in" or the folder the files were read from


def default_data_dir() -> Path:
    """Where downloaded datasets live: the user's cache folder for tui-cnn, then ``data``."""
    return Path(platformdirs.user_cache_dir("tui-cnn")) / "data"


def folder_cache_dir() -> Path:
    """Where decoded folders of your own images are cached (``$TUI_CNN_CACHE_DIR`` first)."""
    env = os.environ.get(ENV_CACHE_DIR)
    return Path(env) if env else Path(platformdirs.user_cache_dir("tui-cnn")) / "folders"


@dataclass(frozen=True)
class FolderOptions:
    """How ``--dataset folder`` reads its images (the TrainConfig fields of the same names)."""

    image_size: int = 28
    channels: int = 1
    test_fraction: float = 0.2
    skip_bad: bool = False


def options_of(cfg: TrainConfig) -> FolderOptions:
    """The folder options ``cfg`` asks for."""
    return FolderOptions(cfg.image_size, cfg.channels, cfg.test_fraction, cfg.skip_bad)


def _root(data_dir: str | Path | None) -> Path:
    return Path(data_dir).expanduser() if data_dir else default_data_dir()


def availability(name: str, data_dir: str | Path | None = None) -> str:
    """'built-in', 'present' (all files there) or 'not downloaded'."""
    if dataset_info(name).builtin:
        return "built-in"
    if name == FOLDER:
        return "your folder" if data_dir and Path(data_dir).expanduser().is_dir() else "no folder"
    return "not downloaded" if missing_files(name, _root(data_dir)) else "present"


def load_arrays(name: str, data_dir: str | Path | None = None, *, download: bool = True,
                train_size: int | None = None, test_size: int | None = None, seed: int = 0,
                progress: Progress | None = None,
                folder_options: FolderOptions | None = None) -> ArrayData:
    """Dataset ``name`` as arrays. DataError (one line, naming files) for any data problem.

    ``folder_options`` says how ``name="folder"`` reads ``data_dir`` (defaults: 28x28 grey, 0.2).
    """
    info = dataset_info(name)
    report = progress or ignore_progress
    if name == FOLDER:
        return _load_folder(data_dir, folder_options or FolderOptions(), train_size,
                            test_size, seed, report)
    if info.builtin:
        return _generate(info, train_size, test_size, seed, report)
    root = _root(data_dir)
    check_folder(root, "the data dir")
    folder = file_folder(name, root)
    if missing_files(name, root):
        if not download:
            raise DataError(_missing_message(info, root))
        download_files(name, root, report)
    report("load", f"reading {info.title} from {folder}", 0, 1)
    (x_train, y_train), (x_test, y_test) = load_files(name, root)
    x_train, y_train = _first(x_train, y_train, train_size, "training", folder)
    x_test, y_test = _first(x_test, y_test, test_size, "test", folder)
    report("load", f"read {len(y_train):,} + {len(y_test):,} images", 1, 1)
    return ArrayData(x_train, y_train, x_test, y_test, info, str(folder))


def load_config_arrays(cfg: TrainConfig, progress: Progress | None = None) -> ArrayData:
    """The arrays ``cfg`` trains on (every dataset, the folder options included);
    DataError when a split has no images (a run could be neither trained nor scored)."""
    arrays = load_arrays(cfg.dataset, cfg.data_dir, download=cfg.download,
                         train_size=cfg.train_size, test_size=cfg.test_size, seed=cfg.seed,
                         progress=progress, folder_options=options_of(cfg))
    for split, labels in (("training", arrays.y_train), ("test", arrays.y_test)):
        if len(labels) == 0:
            need = "learn from" if split == "training" else "be scored on"
            raise DataError(f"{arrays.source or cfg.dataset}: the {split} set has no images; "
                            f"a run needs some to {need}")
    return arrays


def check_folder(path: Path, what: str) -> None:
    """DataError when ``path`` exists but is not a folder (a file where a folder goes)."""
    if path.exists() and not path.is_dir():
        raise DataError(f"{what} {path} is a file, not a folder; give a folder "
                        "(--data-dir, or TUI_CNN_CACHE_DIR / XDG_CACHE_HOME for the cache)")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise DataError(f"{what} {path} cannot be made: {parent} is a file")
            break


def config_info(cfg: TrainConfig) -> DatasetInfo:
    """``cfg``'s dataset with its real shape and classes (a folder's are listed, not decoded)."""
    if cfg.dataset != FOLDER:
        return dataset_info(cfg.dataset)
    classes = folder_data.class_names(_folder_root(cfg.data_dir))
    return folder_info(classes, (cfg.channels, cfg.image_size, cfg.image_size),
                       str(cfg.data_dir))


def _folder_root(data_dir: str | Path | None) -> Path:
    if not data_dir:
        raise DataError("--dataset folder needs --data-dir DIR: a folder with one "
                        "sub-folder of images per class")
    return Path(data_dir).expanduser()


def _load_folder(data_dir: str | Path | None, options: FolderOptions, train_size: int | None,
                 test_size: int | None, seed: int, report: Progress) -> ArrayData:
    root = _folder_root(data_dir)
    check_folder(folder_cache_dir(), "the folder cache")
    found = folder_data.read_folder(root, size=options.image_size, channels=options.channels,
                                    skip_bad=options.skip_bad, cache_dir=folder_cache_dir(),
                                    progress=report)
    (x_train, y_train), (x_test, y_test) = folder_data.split(found, options.test_fraction, seed)
    x_train, y_train = _first(x_train, y_train, train_size, "training", root)
    x_test, y_test = _first(x_test, y_test, test_size, "test", root)
    skipped = f", skipped {len(found.skipped):,} bad files" if found.skipped else ""
    report("load", f"{len(y_train):,} + {len(y_test):,} images in "
           f"{len(found.classes)} classes{skipped}", 1, 1)
    info = folder_info(found.classes, (options.channels, options.image_size,
                                       options.image_size), str(root))
    return ArrayData(x_train, y_train, x_test, y_test, info, str(root))


def _first(x: np.ndarray, y: np.ndarray, size: int | None, split: str,
           folder: Path) -> tuple[np.ndarray, np.ndarray]:
    if size is None or size == len(y):
        return x, y
    if size > len(y):
        raise DataError(f"{folder}: asked for {size:,} {split} images, "
                        f"but the files hold only {len(y):,}")
    return x[:size].copy(), y[:size].copy()


def _generate(info: DatasetInfo, train_size: int | None, test_size: int | None, seed: int,
              report: Progress) -> ArrayData:
    sizes = (train_size or synth.TRAIN_SIZE, test_size or synth.TEST_SIZE)
    for split, size in zip(("training", "test"), sizes, strict=True):
        if size > SYNTH_MAX:
            raise DataError(f"{info.name}: asked for {size:,} {split} images, "
                            f"but built-in sets make at most {SYNTH_MAX:,}")
    report("generate", f"generating {sizes[0]:,} {info.title.lower()} (train)", 0, 2)
    x_train, y_train = synth.make(info.name, sizes[0], seed, "train")
    report("generate", f"generating {sizes[1]:,} {info.title.lower()} (test)", 1, 2)
    x_test, y_test = synth.make(info.name, sizes[1], seed, "test")
    report("generate", f"generated {sum(sizes):,} images", 2, 2)
    return ArrayData(x_train, y_train, x_test, y_test, info, "built-in")


def _missing_message(info: DatasetInfo, root: Path) -> str:
    names = ", ".join(path.name for path in missing_files(info.name, root))
    return (f"{info.title} is not downloaded: {file_folder(info.name, root)} lacks {names}; "
            f"allow downloading, put the files there, {offline_hint(info.name)}")


def normalisation(arrays: ArrayData) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std of the training images, scaled to [0, 1] (float64, exact).

    Counted from a 256-bin histogram per channel, so memory stays small for any size.
    A constant channel gets std 1.0 (nothing to divide by).
    """
    values = np.arange(256, dtype=np.float64)
    means: list[float] = []
    stds: list[float] = []
    for channel in range(arrays.x_train.shape[1]):
        counts = np.bincount(arrays.x_train[:, channel].ravel(), minlength=256)
        total = max(1, int(counts.sum()))
        mean = float(counts @ values) / total
        var = float(counts @ (values - mean) ** 2) / total
        means.append(mean / 255.0)
        stds.append(float(np.sqrt(var)) / 255.0 if var > 0 else 1.0)
    return tuple(means), tuple(stds)


def sample_images(name: str, data_dir: str | Path | None = None,
                  count_per_class: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A few test images ordered by class, for a preview: (K, C, H, W) uint8 and labels.

    Built-in sets draw just these; file sets read their test split (DataError if absent).
    """
    info = dataset_info(name)
    if info.builtin:
        return synth.sample(name, count_per_class)
    if name == FOLDER:
        arrays = load_arrays(name, data_dir)
        index = np.concatenate([np.flatnonzero(arrays.y_test == k)[:count_per_class]
                                for k in range(arrays.info.num_classes)])
        return arrays.x_test[index], arrays.y_test[index]
    root = _root(data_dir)
    if missing_files(name, root):
        raise DataError(_missing_message(info, root))
    x, y = load_test_split(name, root)
    index = np.concatenate([np.flatnonzero(y == k)[:count_per_class]
                            for k in range(info.num_classes)])
    return x[index], y[index]
