"""What the convolution comparison runs on, and the measurement itself (in a thread worker).

A test image from the chosen dataset and a learned filter: layer 1's filter 0 from this
session's latest filter snapshot, else from the newest finished run on disk, else a Sobel
kernel (and the note says so). torch is imported only inside the functions the worker
calls, never when this module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tui_cnn.core.arithmetic import conv_macs
from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import ConfigError
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.datasets import sample_images
from tui_cnn.core.naive_conv import ConvComparison
from tui_cnn.core.runs import RunStoreError, list_runs

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
THREADS = 1  # torch threads for the measurement: one core stays with the UI (PITFALLS)
MIN_SECONDS = 0.2  # each side is timed over calls lasting at least this long
SAMPLE_INDEX = 3  # which of the per-class samples (class 3: a "3" for digit sets)
FALLBACK_DATASET = "synth-digits"
SAVED_RUNS_TRIED = 3  # finished runs on disk tried before giving up on a learned filter


@dataclass(frozen=True)
class LearnedFilter:
    """One filter, (C, k, k), and where it came from in words."""

    weights: np.ndarray = field(repr=False, compare=False)
    source: str


@dataclass(frozen=True)
class ConvRequest:
    dataset: str
    data_dir: str | None
    runs_dir: str | None
    snapshot: LearnedFilter | None = None  # this session's latest layer-1 filter 0
    training: bool = False  # a run is going: both timings share the CPU with it


@dataclass(frozen=True)
class ConvResult:
    image: np.ndarray = field(repr=False)  # (H, W) in [0, 1]
    kernel: np.ndarray = field(repr=False)  # (k, k)
    comparison: ConvComparison = field(repr=False)
    image_note: str
    kernel_note: str
    threads: int
    macs: int
    training: bool


def test_image(dataset: str, data_dir: str | None) -> tuple[np.ndarray, str]:
    """One sample of ``dataset`` as a grey (H, W) image in [0, 1], and what it is."""
    note = ""
    try:
        images, labels = sample_images(dataset, data_dir)
    except DataError:
        note = f" ({dataset_info(dataset).title} is not downloaded)"
        dataset = FALLBACK_DATASET
        images, labels = sample_images(dataset, data_dir)
    info = dataset_info(dataset)
    index = min(SAMPLE_INDEX, len(images) - 1)
    image = images[index].astype(np.float64) / 255.0
    grey = " in grey (its 3 channels' mean)" if image.shape[0] > 1 else ""
    name = info.classes[int(labels[index])]
    return image.mean(axis=0), f'a "{name}" from {info.title}{grey}{note}'


def flat_kernel(weights: np.ndarray) -> tuple[np.ndarray, str]:
    """A (C, k, k) filter as one (k, k) kernel: channel 0, or the mean over C > 1."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 2:
        return w, ""
    if w.shape[0] == 1:
        return w[0], ""
    return w.mean(axis=0), f", the mean of its {w.shape[0]} input channels"


def saved_filter(runs_dir: str | None) -> LearnedFilter | None:
    """Layer 1's filter 0 of the newest finished conv run on disk (imports torch)."""
    from tui_cnn.core.checkpoint import load_run_model
    from tui_cnn.core.inspect import conv_weights

    candidates = [r for r in list_runs(runs_dir) if r.state == "finished"
                  and isinstance(r.config.get("arch"), dict)
                  and r.config["arch"].get("conv_channels")]
    for record in candidates[:SAVED_RUNS_TRIED]:
        try:
            loaded = load_run_model(Path(record.path))
        except (RunStoreError, ConfigError, ValueError):
            continue  # damaged or from another version: try the next one
        weights = conv_weights(loaded.model).get("conv1")
        if weights is not None:
            epochs = len(loaded.epochs)
            return LearnedFilter(weights[0], f"conv1 filter 0 of saved run {record.run_id} "
                                             f"({epochs} epoch{'s' if epochs != 1 else ''})")
    return None


def chosen_kernel(request: ConvRequest) -> tuple[np.ndarray, str]:
    learned = request.snapshot or saved_filter(request.runs_dir)
    if learned is None:
        return SOBEL_X, ("Sobel-x, a hand-made vertical-edge kernel: no trained conv run yet "
                         "(train one with t, and press c again for a learned filter)")
    kernel, channels = flat_kernel(learned.weights)
    return kernel, learned.source + channels


def measure(request: ConvRequest) -> ConvResult:
    """Run the comparison (seconds: torch's import, then both timings)."""
    from tui_cnn.core.naive_conv import compare_conv

    image, image_note = test_image(request.dataset, request.data_dir)
    kernel, kernel_note = chosen_kernel(request)
    comparison = compare_conv(image, kernel, threads=THREADS, min_seconds=MIN_SECONDS)
    return ConvResult(image, kernel, comparison, image_note, kernel_note, THREADS,
                      conv_macs(image.shape, kernel.shape), request.training)
