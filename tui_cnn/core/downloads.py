"""Downloading the file-backed datasets (MNIST, Fashion-MNIST, CIFAR-10) into a data dir.

The mirrors, file names and md5s come from torchvision's own tables (imported only when a
download starts); each file is fetched from the first mirror that works, checked against
its md5, then unpacked in torchvision's layout (gzip'd IDX files next to themselves,
CIFAR-10's batch files and nothing else from its archive). Every file is written through a
``.part`` file and renamed, so a failed download leaves no half file and no empty folder.
core.datasets calls :func:`download_files` when a set is missing and downloads are allowed.
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
from pathlib import Path, PurePosixPath
from typing import Protocol

from tui_cnn.core.catalog import DatasetInfo, dataset_info
from tui_cnn.core.datafiles import CIFAR_FOLDER, DataError, file_folder, file_names, missing_files
from tui_cnn.core.folder_data import Progress

CHUNK_BYTES = 1 << 18
TIMEOUT_S = 30


def offline_hint(name: str) -> str:
    """The built-in set that stands in for ``name`` offline: colour shapes for colour
    photos, digits for the grey sets."""
    builtin = "synth-shapes" if dataset_info(name).shape[0] == 3 else "synth-digits"
    return f"or train offline on the built-in {builtin} (--dataset {builtin})"


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def ignore_progress(stage: str, message: str, done: int, total: int) -> None:
    """A progress callback that does nothing."""


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
    info, report = dataset_info(name), progress or ignore_progress
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
