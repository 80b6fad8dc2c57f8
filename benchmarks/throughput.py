"""Section 1: tui-cnn's trainer vs the canonical loop, one epoch each, same data and device.

The core side is ``tui_cnn.core.train.run`` with default settings except batch size, threads
and ``runs_dir=""``; its figure is EpochMetrics.images_per_s (training time only, evaluation
excluded). The canonical side (``benchmarks.canonical``) trains over the same files for the
same number of images with the same thread count; its timer covers the DataLoader loop only.
Runs alternate (canonical, core at the default batch, core at the fastest batch), repeated.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from benchmarks.canonical import Canonical
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.events import EpochMetrics
from tui_cnn.core.train import run

DEFAULT_BATCH = TrainConfig().batch_size
CANDIDATE_BATCHES = (64, 128, 256)
CUDA_BATCHES = (128, 512, 2048)
SWEEP_FRACTION = 2  # the batch sweep trains on the first 1/2 of the training set


@dataclass(frozen=True)
class Case:
    label: str
    arch: str  # preset name
    dataset: str  # "mnist" or "cifar10": the files under root are in that layout
    root: Path
    train_size: int  # training images in the files


def core_config(case: Case, batch: int, threads: int, device: str,
                **changes: Any) -> TrainConfig:
    return TrainConfig(arch=preset(case.arch), dataset=case.dataset, data_dir=str(case.root),
                       download=False, runs_dir="", epochs=1, batch_size=batch,
                       threads=threads, device=device, **changes)


def core_images_per_s(case: Case, batch: int, threads: int, device: str,
                      half: bool = False) -> float:
    """One epoch through the core (on half the training set if ``half``); its own
    training-only images/s."""
    cfg = core_config(case, batch, threads, device)
    if half:
        cfg = cfg.replace(train_size=case.train_size // SWEEP_FRACTION)
    rate = 0.0
    for event in run(cfg):
        if isinstance(event, EpochMetrics):
            rate = event.images_per_s
    return rate


def canonical_images_per_s(case: Case, threads: int, device: str) -> float:
    """One epoch of the canonical loop (batch 64) over the same files, same thread count."""
    torch.set_num_threads(threads)
    loop = Canonical.create(preset(case.arch), case.dataset, case.root, torch.device(device))
    images, seconds = loop.train_epoch()
    return images / seconds


def _alternate(runs: dict[str, Callable[[], float]], repeats: int,
               shares: dict[str, list[float]] | None = None) -> dict[str, list[float]]:
    """Each run in turn, ``repeats`` times. ``shares`` gets each run's process CPU time over
    its wall time: with one thread, well under 1.0 means the run waited for a busy CPU."""
    out: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            out[name].append(fn())
            if shares is not None:
                share = (time.process_time() - cpu) / (time.perf_counter() - wall)
                shares.setdefault(name, []).append(round(share, 2))
    return out


def fastest_batch(case: Case, threads: int, device: str,
                  repeats: int) -> tuple[int, dict[str, Any]]:
    """The candidate batch with the highest median images/s through the core (over the first
    half of the training set, to save time), and all runs."""
    candidates = CUDA_BATCHES if device.startswith("cuda") else CANDIDATE_BATCHES
    runs = _alternate({str(b): (lambda b=b: core_images_per_s(case, b, threads, device, True))
                       for b in candidates}, repeats)
    medians = {int(b): statistics.median(r) for b, r in runs.items()}
    return max(medians, key=lambda b: medians[b]), {"runs": runs}


def compare(case: Case, best_batch: int, threads: int, device: str,
            repeats: int) -> dict[str, Any]:
    """Median images/s of the canonical loop and the core at the default and best batch."""
    shares: dict[str, list[float]] = {}
    runs = _alternate({
        "canonical": lambda: canonical_images_per_s(case, threads, device),
        "core_default_batch": lambda: core_images_per_s(case, DEFAULT_BATCH, threads, device),
        "core_best_batch": lambda: core_images_per_s(case, best_batch, threads, device),
    }, repeats, shares)
    med = {name: statistics.median(values) for name, values in runs.items()}
    return {"case": case.label, "arch": case.arch, "dataset": case.dataset, "device": device,
            "threads": threads, "default_batch": DEFAULT_BATCH, "best_batch": best_batch,
            "images_per_s": med, "runs": runs, "cpu_share": shares,
            "ratio_default_batch": med["core_default_batch"] / med["canonical"],
            "ratio_best_batch": med["core_best_batch"] / med["canonical"]}
