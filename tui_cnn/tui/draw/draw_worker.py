"""The Draw view's thread side: classify the newest drawing, read a test image, and post
the answers as messages (``post`` is the widget's post_message, the one thread-safe call).

Only the newest drawing is classified: drawings that came while one was being classified
are dropped (:class:`Mailbox`). core.draw is imported by the functions (it loads torch).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from textual.message import Message

from tui_cnn.core.datafiles import DataError
from tui_cnn.core.runs import RunStoreError

Post = Callable[[Message], object]
T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    generation: int
    run_dir: str
    prepared: np.ndarray
    method: str


@dataclass
class Classified(Message):
    generation: int
    run_dir: str
    top: tuple[tuple[str, float], ...]
    feature_maps: np.ndarray | None
    attribution: np.ndarray | None
    method: str
    epochs_done: int | None


@dataclass
class PictureRead(Message):
    run_dir: str
    index: int
    count: int
    pixels: np.ndarray
    label: str


@dataclass
class DrawFailed(Message):
    generation: int
    reason: str


class Mailbox(Generic[T]):
    """Holds the newest item only; ``put`` says whether a worker must be started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self._busy = False

    def put(self, item: T) -> bool:
        with self._lock:
            self._item = item
            start, self._busy = not self._busy, True
        return start

    def take(self) -> T | None:
        """The newest item (then forgotten); None when empty, and the worker stops."""
        with self._lock:
            item, self._item = self._item, None
            if item is None:
                self._busy = False
        return item


def classify_newest(mailbox: Mailbox[Job], post: Post) -> None:
    """Worker thread: classify what the mailbox holds until it is empty."""
    from tui_cnn.core.draw import classify

    while (job := mailbox.take()) is not None:
        try:
            answer = classify(job.run_dir, job.prepared, job.method)
        except Exception as exc:  # shown in the view; never fatal to the app
            post(DrawFailed(job.generation, describe(exc)))
            continue
        post(Classified(job.generation, job.run_dir, answer.top, answer.feature_maps,
                        answer.attribution, answer.method, answer.epochs_done))


def read_picture(run_dir: str, index: int, post: Post) -> None:
    from tui_cnn.core.draw import test_picture

    try:
        found = test_picture(run_dir, index)
    except Exception as exc:
        post(DrawFailed(-1, describe(exc)))
        return
    post(PictureRead(run_dir, found.index, found.count, found.pixels, found.label))


def describe(exc: BaseException) -> str:
    if isinstance(exc, (RunStoreError, DataError, ValueError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
