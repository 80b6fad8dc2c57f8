"""Your own images as a dataset: torchvision's ImageFolder layout, decoded once with Pillow.

``DIR/CLASS/IMAGE`` (classes are the sub-folder names, sorted), or ``DIR/train/CLASS/...``
and ``DIR/test/CLASS/...``. Without ``train/`` and ``test/`` a seeded, per-class split
keeps ``test_fraction`` of each class for testing. Images are resized to ``size x size``
(the aspect is not kept), grey (1 channel) or RGB (3), and kept as uint8 arrays in an
``.npz`` cache named by a fingerprint of the folder's contents (relative paths, sizes,
modification times) and the decoding settings, so a second start decodes nothing.

Every problem raises DataError with one line naming the folder or file; nothing is
returned half-loaded. numpy and Pillow only (no torch).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tui_cnn.core.datafiles import DataError

Progress = Callable[[str, str, int, int], None]  # (stage, message, done, total)
CACHE_VERSION = 1
REPORT_EVERY = 64  # decoded images between progress reports
LAYOUT_HINT = "expected DIR/CLASS/IMAGE.png, or DIR/train/CLASS/... and DIR/test/CLASS/..."


@dataclass(frozen=True)
class FolderImages:
    """Every image of the folder, decoded: (N, C, S, S) uint8, labels into ``classes``."""

    images: np.ndarray
    labels: np.ndarray
    is_test: np.ndarray  # (N,) bool: from test/ (explicit layout only; else all False)
    classes: tuple[str, ...]
    explicit_split: bool  # the folder has train/ and test/
    skipped: tuple[str, ...]  # files --skip-bad left out (relative paths)
    decoded: int  # images decoded by this call (0 when read from the cache)


@dataclass(frozen=True)
class _Listing:
    classes: tuple[str, ...]
    files: tuple[tuple[str, int, bool], ...]  # (relative path, label, is_test)
    explicit_split: bool


def _visible(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        raise DataError(f"{folder}: cannot read the folder ({exc.strerror or exc})") from None


def _class_dirs(folder: Path) -> list[Path]:
    return [p for p in _visible(folder) if p.is_dir()]


def _class_files(root: Path, class_dir: Path) -> list[str]:
    files = [p for p in _visible(class_dir) if p.is_file()]
    if not files:
        raise DataError(f"{class_dir}: class {class_dir.name!r} has no images")
    return [p.relative_to(root).as_posix() for p in files]


def _files_in(folder: Path) -> bool:
    """Whether ``folder`` holds any visible file itself (a class folder named train/
    does; a split with class sub-folders does not)."""
    return any(p.is_file() for p in _visible(folder))


def _split_names(root: Path, split: str) -> list[Path]:
    dirs = _class_dirs(root / split)
    if not dirs:
        raise DataError(f"{root / split}: no class sub-folders; {LAYOUT_HINT}")
    return dirs


def list_folder(root: Path) -> _Listing:
    """The classes and files under ``root``; DataError for any layout problem."""
    if not root.is_dir():
        what = "a file, not a folder" if root.exists() else "no such folder"
        raise DataError(f"{root}: {what}; {LAYOUT_HINT}")
    explicit = (root / "train").is_dir() and (root / "test").is_dir()
    half = next((name for name in ("train", "test") if (root / name).is_dir()), None)
    if not explicit and half is not None and not _files_in(root / half):
        other = "test" if half == "train" else "train"
        raise DataError(f"{root}: has {half}/ but no {other}/ beside it; give both, or "
                        f"put the class sub-folders in {root} itself")
    if not explicit:
        dirs = _class_dirs(root)
        if not dirs:
            raise DataError(f"{root}: empty folder (no class sub-folders); {LAYOUT_HINT}")
        classes = tuple(d.name for d in dirs)
        files = tuple((f, k, False) for k, d in enumerate(dirs) for f in _class_files(root, d))
        return _checked(root, _Listing(classes, files, False))
    train, test = _split_names(root, "train"), _split_names(root, "test")
    classes = tuple(d.name for d in train)
    extra = sorted({d.name for d in test} - set(classes))
    if extra:
        raise DataError(f"{root / 'test'}: has classes the training split lacks: "
                        f"{', '.join(extra)}")
    index = {name: k for k, name in enumerate(classes)}
    files = tuple((f, index[d.name], split == "test")
                  for split, dirs in (("train", train), ("test", test))
                  for d in dirs for f in _class_files(root, d))
    return _checked(root, _Listing(classes, files, True))


def _checked(root: Path, listing: _Listing) -> _Listing:
    if len(listing.classes) < 2:
        raise DataError(f"{root}: found 1 class ({listing.classes[0]}); a classifier needs "
                        "at least 2 class sub-folders")
    return listing


def class_names(root: str | Path) -> tuple[str, ...]:
    """The folder's classes (sub-folder names, sorted), without decoding anything."""
    return list_folder(Path(root).expanduser()).classes


def fingerprint(root: Path, listing: _Listing, size: int, channels: int,
                skip_bad: bool) -> str:
    """A hash of every file's relative path, size and mtime, and the decoding settings."""
    digest = hashlib.sha256(f"v{CACHE_VERSION} {size} {channels} {skip_bad}\n".encode())
    for rel, label, is_test in listing.files:
        try:
            stat = (root / rel).stat()
        except OSError as exc:
            raise DataError(f"{root / rel}: not readable ({exc.strerror or exc})") from None
        digest.update(f"{rel}\0{label}\0{is_test}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                      .encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def decode_image(path: Path, size: int, channels: int) -> np.ndarray:
    """One image file as (channels, size, size) uint8; DataError naming it if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image = image.convert("L" if channels == 1 else "RGB")
            image = image.resize((size, size), Image.Resampling.BILINEAR)
            array = np.asarray(image, dtype=np.uint8)
    except UnidentifiedImageError:
        raise DataError(f"{path}: not an image Pillow can read") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(f"{path}: cannot decode the image ({exc})") from None
    return array[None] if channels == 1 else array.transpose(2, 0, 1).copy()


def _decode_all(root: Path, listing: _Listing, size: int, channels: int, skip_bad: bool,
                report: Progress) -> tuple[list[np.ndarray], list[int], list[str]]:
    """Decoded images (in listing order) and the indices kept; skipped files by name."""
    images, kept, skipped = [], [], []
    total = len(listing.files)
    for i, (rel, _, _) in enumerate(listing.files):
        if i % REPORT_EVERY == 0:
            report("decode", f"decoding images in {root}", i, total)
        try:
            images.append(decode_image(root / rel, size, channels))
            kept.append(i)
        except DataError as exc:
            if not skip_bad:
                raise DataError(f"{exc} (--skip-bad skips such files)") from None
            skipped.append(rel)
    report("decode", f"decoded {len(images):,} images", total, total)
    return images, kept, skipped


def _decode(root: Path, listing: _Listing, size: int, channels: int, skip_bad: bool,
            report: Progress) -> FolderImages:
    images, kept, skipped = _decode_all(root, listing, size, channels, skip_bad, report)
    labels = np.array([listing.files[i][1] for i in kept], dtype=np.int64)
    is_test = np.array([listing.files[i][2] for i in kept], dtype=bool)
    for k, name in enumerate(listing.classes):
        if not np.any(labels[~is_test] == k):
            where = root / "train" / name if listing.explicit_split else root / name
            raise DataError(f"{where}: class {name!r} has no readable images "
                            f"({len(skipped)} skipped)")
    x = np.stack(images) if images else np.zeros((0, channels, size, size), np.uint8)
    return FolderImages(x, labels, is_test, listing.classes, listing.explicit_split,
                        tuple(skipped), len(images))


def _read_cache(path: Path) -> FolderImages | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return FolderImages(data["images"], data["labels"].astype(np.int64),
                                data["is_test"].astype(bool),
                                tuple(str(c) for c in data["classes"]),
                                bool(data["explicit_split"]),
                                tuple(str(s) for s in data["skipped"]), 0)
    except (OSError, KeyError, ValueError, EOFError):
        return None  # absent or damaged: decode again


def _write_cache(path: Path, found: FolderImages) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.stem}.{os.getpid()}.part.npz")
        np.savez(part, images=found.images, labels=found.labels, is_test=found.is_test,
                 classes=np.array(found.classes, dtype=str),
                 explicit_split=np.array(found.explicit_split),
                 skipped=np.array(found.skipped, dtype=str))
        os.replace(part, path)
    except OSError:
        return  # an unwritable cache only costs decoding next time


def read_folder(root: str | Path, *, size: int = 28, channels: int = 1,
                skip_bad: bool = False, cache_dir: str | Path | None = None,
                progress: Progress | None = None) -> FolderImages:
    """Every image under ``root`` decoded, from the cache when the folder is unchanged."""
    report = progress or (lambda stage, message, done, total: None)
    root = Path(root).expanduser()
    listing = list_folder(root)
    report("load", f"checking {len(listing.files):,} files in {root}", 0, 1)
    key = fingerprint(root, listing, size, channels, skip_bad)
    cache = Path(cache_dir).expanduser() / f"{key}.npz" if cache_dir else None
    if cache is not None and (found := _read_cache(cache)) is not None:
        report("load", f"read {len(found.labels):,} images from the cache", 1, 1)
        return found
    found = _decode(root, listing, size, channels, skip_bad, report)
    if cache is not None:
        _write_cache(cache, found)
    return found


Split = tuple[np.ndarray, np.ndarray]


def split(found: FolderImages, test_fraction: float, seed: int) -> tuple[Split, Split]:
    """(train, test), each shuffled with ``seed``: the folder's own train/ and test/, or
    per class ``round(n * test_fraction)`` images for testing (at least one image of each
    class stays for training)."""
    rng = np.random.default_rng(seed)
    if found.explicit_split:
        train_index, test_index = np.flatnonzero(~found.is_test), np.flatnonzero(found.is_test)
    else:
        train_parts, test_parts = [], []
        for k in range(len(found.classes)):
            members = rng.permutation(np.flatnonzero(found.labels == k))
            n_test = min(len(members) - 1, round(len(members) * test_fraction))
            test_parts.append(members[:n_test])
            train_parts.append(members[n_test:])
        train_index, test_index = np.concatenate(train_parts), np.concatenate(test_parts)
    if len(test_index) == 0:
        raise DataError("the test split is empty: add images to test/, or more images per "
                        "class, or raise --test-fraction")
    train_index, test_index = rng.permutation(train_index), rng.permutation(test_index)
    return ((found.images[train_index], found.labels[train_index]),
            (found.images[test_index], found.labels[test_index]))
