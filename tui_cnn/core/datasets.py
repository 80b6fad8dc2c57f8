"""Datasets as numpy arrays: built-in sets generated, file sets read (downloaded if allowed).

No torch at import time; torchvision is imported only to look up download addresses.
``train_size`` / ``test_size`` keep the FIRST N images of a file-backed split (the files are
already shuffled); for built-in sets they say how many images to generate.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import shutil
import tarfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

import numpy as np
import platformdirs

from tui_cnn.core import folder_data, synth
from tui_cnn.core.catalog import FOLDER, DatasetInfo, dataset_info, folder_info
from tui_cnn.core.datafiles import (
    CIFAR_FOLDER,
    DataError,
    file_folder,
    file_names,
    load_files,
    load_test_split,
    missing_files,
)

if TYPE_CHECKING:
    from tui_cnn.core.config import TrainConfig

Progress = Callable[[str, str, int, int], None]  # (stage, message, done, total)
SYNTH_MAX = 200_000  # images per split a built-in set will generate
CHUNK_BYTES = 1 << 18
TIMEOUT_S = 30
def offline_hint(name: str) -> str:
    """The built-in set that stands in for ``name`` offline: colour shapes for colour
    photos, digits for the grey sets."""
    builtin = "synth-shapes" if dataset_info(name).shape[0] == 3 else "synth-digits"
    return f"or train offline on the built-in {builtin} (--dataset {builtin})"
ENV_CACHE_DIR = "TUI_CNN_CACHE_DIR"  # where decoded image folders are cached


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


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


def _ignore(stage: str, message: str, done: int, total: int) -> None:
    """A progress callback that does nothing."""


def load_arrays(name: str, data_dir: str | Path | None = None, *, download: bool = True,
                train_size: int | None = None, test_size: int | None = None, seed: int = 0,
                progress: Progress | None = None,
                folder_options: FolderOptions | None = None) -> ArrayData:
    """Dataset ``name`` as arrays. DataError (one line, naming files) for any data problem.

    ``folder_options`` says how ``name="folder"`` reads ``data_dir`` (defaults: 28x28 grey, 0.2).
    """
    info = dataset_info(name)
    report = progress or _ignore
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


# -- downloading ---------------------------------------------------------------------------
Source = tuple[list[str], str, str]  # (mirror URLs, file name, md5)


def _sources(name: str) -> list[Source]:
    """What to fetch, from torchvision's own tables (so its mirrors and md5s stay current)."""
    from torchvision.datasets import CIFAR10, MNIST, FashionMNIST

    if name == "cifar10":
        return [([CIFAR10.url], CIFAR10.filename, CIFAR10.tgz_md5)]
    table = MNIST if name == "mnist" else FashionMNIST
    return [([m + file for m in table.mirrors], file, md5) for file, md5 in table.resources]


def download_files(name: str, root: Path, progress: Progress | None = None) -> None:
    """Fetch dataset ``name`` into ``root`` in torchvision's layout, checking md5s.

    Only missing files are fetched. DataError says what to put where if it fails.
    """
    info, report = dataset_info(name), progress or _ignore
    try:
        sources = _sources(name)
    except Exception as exc:  # a broken torchvision install raises more than ImportError
        raise DataError(_failed(info, root, f"torchvision unavailable: {exc}")) from exc
    missing = {path.name for path in missing_files(name, root)}
    made: list[Path] = []  # folders this call made, removed again if it fails
    file = ""
    try:
        for urls, file, md5 in sources:
            if name != "cifar10" and file.removesuffix(".gz") not in missing:
                continue
            folder = root if name == "cifar10" else file_folder(name, root)
            made += [p for p in (folder, *folder.parents) if not p.exists()][::-1]
            folder.mkdir(parents=True, exist_ok=True)
            _fetch(urls, folder / file, md5, report)
            _unpack(folder / file, root, name)
    except (OSError, ValueError, EOFError, http.client.HTTPException, tarfile.TarError) as exc:
        _remove_empty(made)
        raise DataError(_failed(info, root, f"{file}: {exc}")) from exc


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a failed download made, deepest first, where they are empty."""
    for folder in sorted(set(folders), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _failed(info: DatasetInfo, root: Path, reason: str) -> str:
    names = ", ".join(file_names(info.name))
    return (f"could not download {info.title} ({reason}); put {names} in "
            f"{file_folder(info.name, root)}, {offline_hint(info.name)}")


def _fetch(urls: list[str], dest: Path, md5: str, report: Progress) -> None:
    """Download ``dest`` from the first mirror that works; raise the last mirror's error."""
    error: Exception = ValueError("no mirror")
    for url in urls:
        try:
            _fetch_one(url, dest, md5, report)
            return
        except (OSError, ValueError, http.client.HTTPException) as exc:
            error = exc
    raise error


def _fetch_one(url: str, dest: Path, md5: str, report: Progress) -> None:
    part = dest.with_name(dest.name + ".part")
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, part.open("wb") as out:
            total, done = int(response.headers.get("Content-Length") or 0), 0
            report("download", f"downloading {dest.name}", 0, total)
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                report("download", f"downloading {dest.name}", done, total)
        if digest.hexdigest() != md5:
            raise ValueError(f"checksum mismatch for {url}")
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)


def _write_atomic(dest: Path, source: _Readable) -> None:
    part = dest.with_name(dest.name + ".part")
    try:
        with part.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK_BYTES)
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)


def _unpack(archive: Path, root: Path, name: str) -> None:
    """gunzip an IDX file next to itself, or extract CIFAR-10's batch files (nothing else)."""
    if name != "cifar10":
        with gzip.open(archive, "rb") as source:
            _write_atomic(archive.with_name(archive.name.removesuffix(".gz")), source)
        return
    (root / CIFAR_FOLDER).mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            if member.isfile() and len(parts) == 2 and parts[0] == CIFAR_FOLDER:
                member_file = tar.extractfile(member)
                if member_file is not None and parts[1] not in (".", ".."):
                    _write_atomic(root / CIFAR_FOLDER / parts[1], member_file)
