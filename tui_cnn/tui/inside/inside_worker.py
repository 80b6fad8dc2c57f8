"""The Inside view's thread-side work: asks ``core.inside.runview`` for a run's top patches,
attribution maps, embedding, weight histograms and layer statistics, and posts each answer
(or the one line saying why not) as a message; ``post`` is the widget's ``post_message``.

Importing this module imports no torch: ``LazyRunview`` imports the core on first use, on
the worker thread. Each job takes the request's ``key``; the view drops an answer whose
key is no longer the one it wants.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from textual.message import Message

from tui_cnn.core.config import ConfigError
from tui_cnn.core.control import Cancelled
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.runs import RunStoreError
from tui_cnn.tui.inside.attribution_panel import AttributionData
from tui_cnn.tui.inside.embedding_panel import EmbeddingData
from tui_cnn.tui.inside.patches_panel import PatchesData

Post = Callable[[Message], object]
IsCancelled = Callable[[], bool]
PROGRESS_S = 0.1  # post progress at most this often


@dataclass
class InsideAnswer(Message):
    """Base of the answers: the request it answers."""

    key: Hashable


@dataclass
class OverviewRead(InsideAnswer):
    epochs: tuple[int, ...]
    kept: tuple[int, ...]
    conv_layers: int
    test_size: int


@dataclass
class HistoryRead(InsideAnswer):
    layers: tuple[str, ...]
    steps: np.ndarray
    arrays: dict[str, np.ndarray]


@dataclass
class Progressed(InsideAnswer):
    what: str
    done: int
    total: int


@dataclass
class PatchesRead(InsideAnswer):
    data: PatchesData
    note: str  # e.g. "cached" or "the cache was damaged: computed again"


@dataclass
class MapsRead(InsideAnswer):
    data: AttributionData


@dataclass
class EmbeddingRead(InsideAnswer):
    data: EmbeddingData
    accuracy: float


@dataclass
class HistogramsRead(InsideAnswer):
    histograms: dict[str, tuple[np.ndarray, np.ndarray]]


@dataclass
class InsideFailed(InsideAnswer):
    reason: str


class LazyRunview:
    """``core.inside.runview``, imported on first use on a worker thread (it imports torch,
    which the app's first frame must not wait for)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._module: ModuleType | None = None

    def get(self) -> ModuleType:
        with self._lock:
            if self._module is None:
                from tui_cnn.core.inside import runview

                self._module = runview
            return self._module


def describe(exc: BaseException) -> str:
    if isinstance(exc, (ConfigError, RunStoreError, DataError, ValueError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def guarded(key: Hashable, post: Post, job: Callable[[], Message | None]) -> None:
    """Run ``job`` and post its answer; a cancel ends it quietly, any error is posted."""
    try:
        answer = job()
    except Cancelled:
        return
    except Exception as exc:  # shown in the view; never fatal to the app
        post(InsideFailed(key, describe(exc)))
        return
    if answer is not None:
        post(answer)


def progress_poster(key: Hashable, what: str, post: Post,
                    cancelled: IsCancelled) -> Callable[[int, int], None]:
    """A core ``progress`` callback: posts now and then, and raises Cancelled on cancel."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        if cancelled():
            raise Cancelled
        now = time.monotonic()
        if done >= total or now - last[0] >= PROGRESS_S:
            last[0] = now
            post(Progressed(key, what, done, total))

    return report


def overview(rv: LazyRunview, run_dir: str, key: Hashable) -> Message:
    o = rv.get().run_overview(Path(run_dir))
    return OverviewRead(key, o.epochs, o.kept, o.conv_layers, o.test_size)


def history(rv: LazyRunview, run_dir: str, key: Hashable) -> Message:
    h = rv.get().read_layer_history(Path(run_dir))
    return HistoryRead(key, h.layers, h.steps, {s: getattr(h, s) for s in
                                                ("weight_norm", "grad_norm", "update_ratio")})


def patches(rv: LazyRunview, run_dir: str, layer: int, epoch: int, key: Hashable,
            post: Post, cancelled: IsCancelled) -> Message:
    from tui_cnn.core.inside.patches import cache_path

    had_cache = cache_path(Path(run_dir), layer, epoch).is_file()
    view = rv.get().run_top_patches(Path(run_dir), layer, epoch,
                                    progress=progress_poster(key, "top patches", post,
                                                             cancelled))
    p = view.patches
    note = "cached" if view.cached else (
        "the cached top patches were damaged or out of date: computed again" if had_cache
        else f"computed over {view.test_size:,} test images")
    return PatchesRead(key, PatchesData(p.name, p.tiles, p.values, [str(k) for k in p.kinds],
                                        p.angles, p.coherence, p.summary), note)


def maps(rv: LazyRunview, run_dir: str, index: int, method: str, epoch: int,
         key: Hashable) -> Message:
    view = rv.get().run_explanation(Path(run_dir), index, method, epoch)
    e, names = view.explanation, view.classes
    prob = 100 * float(e.probabilities[e.predicted])
    verdict = "right" if e.predicted == e.label else "wrong"
    caption = (f"image {index}: true {names[e.label]}, predicted {names[e.predicted]} "
               f"({prob:.0f}%, {verdict}) - {method}")
    shown: list[tuple[str, np.ndarray]] = [(f"predicted {names[e.predicted]}",
                                            e.for_predicted.values)]
    if e.for_label is not e.for_predicted:
        shown.append((f"true {names[e.label]}", e.for_label.values))
    return MapsRead(key, AttributionData(view.image, shown, e.for_predicted.signed, caption))


def embedding(rv: LazyRunview, run_dir: str, epoch: int, key: Hashable, post: Post,
              cancelled: IsCancelled) -> Message:
    e: Any = rv.get().run_embedding(Path(run_dir), epoch,
                                    progress=progress_poster(key, "embedding", post, cancelled))
    share = " + ".join(f"{100 * v:.0f}%" for v in e.explained)
    title = f"{e.layer} input, PCA ({share} of variance)"
    return EmbeddingRead(key, EmbeddingData(e.points, e.labels, e.classes, e.class_accuracy,
                                            e.class_counts, title), e.accuracy)


def histograms(rv: LazyRunview, run_dir: str, epoch: int, key: Hashable) -> Message:
    view = rv.get().run_weight_histograms(Path(run_dir), epoch)
    return HistogramsRead(key, view.histograms)
