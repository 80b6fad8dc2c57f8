"""Section 1: tui-cnn's trainer vs the canonical loop, one epoch each, same data and device.

The core side is ``tui_cnn.core.train.run`` with default settings except batch size, threads
and ``runs_dir=""``; its figure is EpochMetrics.images_per_s (training time only, evaluation
excluded). The canonical side (``benchmarks.canonical``) trains over the same files for the
same number of images with the same thread count; its timer covers the DataLoader loop only.
Runs alternate (canonical, core at the default batch, core at the fastest batch), repeated.

Each run also gets a CPU-time rate: images over the CPU time of the thread that trains
(the caller's: ``run()`` is a generator, and the canonical DataLoader has no workers).
With one torch thread all the work is in that thread, so this rate does not fall when
another process takes the CPU away; with more threads it means nothing and is left out.
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
from tui_cnn.core.events import EpochMetrics, RunStarted, StepMetrics
from tui_cnn.core.train import run

DEFAULT_BATCH = TrainConfig().batch_size
CANDIDATE_BATCHES = (64, 128, 256)
CUDA_BATCHES = (128, 512, 2048)
SWEEP_FRACTION = 2  # the batch sweep trains on the first 1/2 of the training set

Rates = dict[str, float]  # "wall": images/s as reported; "cpu": images per thread-CPU second


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


def core_rates(case: Case, batch: int, threads: int, device: str, half: bool = False) -> Rates:
    """One epoch through the core (on half the training set if ``half``)."""
    cfg = core_config(case, batch, threads, device)
    if half:
        cfg = cfg.replace(train_size=case.train_size // SWEEP_FRACTION)
    rates: Rates = {}
    cpu_started = cpu_trained = 0.0
    for event in run(cfg):
        if isinstance(event, RunStarted):
            cpu_started = time.thread_time()
        elif isinstance(event, StepMetrics) and event.epoch_step == event.steps_per_epoch:
            cpu_trained = time.thread_time()  # the epoch's last report, before evaluation
        elif isinstance(event, EpochMetrics):
            rates["wall"] = event.images_per_s
            rates["cpu"] = event.images_per_s * event.seconds / (cpu_trained - cpu_started)
    return rates


def canonical_rates(case: Case, threads: int, device: str) -> Rates:
    """One epoch of the canonical loop (batch 64) over the same files, same thread count."""
    torch.set_num_threads(threads)
    loop = Canonical.create(preset(case.arch), case.dataset, case.root, torch.device(device))
    cpu = time.thread_time()
    images, seconds = loop.train_epoch()
    return {"wall": images / seconds, "cpu": images / (time.thread_time() - cpu)}


def _alternate(runs: dict[str, Callable[[], Rates]],
               repeats: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each run in turn, ``repeats`` times: wall rates and CPU-time rates by name."""
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            rates = fn()
            wall[name].append(rates["wall"])
            cpu[name].append(rates["cpu"])
    return wall, cpu


def fastest_batch(case: Case, threads: int, device: str,
                  repeats: int) -> tuple[int, dict[str, Any]]:
    """The candidate batch with the highest median images/s through the core (over the first
    half of the training set, to save time), and all runs. With one thread on the CPU the
    CPU-time rate decides (another process's load does not move it)."""
    candidates = CUDA_BATCHES if device.startswith("cuda") else CANDIDATE_BATCHES
    wall, cpu = _alternate({str(b): (lambda b=b: core_rates(case, b, threads, device, True))
                            for b in candidates}, repeats)
    by = cpu if _cpu_time_valid(threads, device) else wall
    medians = {int(b): statistics.median(r) for b, r in by.items()}
    return max(medians, key=lambda b: medians[b]), {"runs": wall, "cpu_time_runs": cpu}


def _cpu_time_valid(threads: int, device: str) -> bool:
    return threads == 1 and device == "cpu"


def compare(case: Case, best_batch: int, threads: int, device: str,
            repeats: int) -> dict[str, Any]:
    """Median images/s of the canonical loop and the core at the default and best batch."""
    wall, cpu = _alternate({
        "canonical": lambda: canonical_rates(case, threads, device),
        "core_default_batch": lambda: core_rates(case, DEFAULT_BATCH, threads, device),
        "core_best_batch": lambda: core_rates(case, best_batch, threads, device),
    }, repeats)
    med = {name: statistics.median(values) for name, values in wall.items()}
    result = {"case": case.label, "arch": case.arch, "dataset": case.dataset,
              "device": device, "threads": threads, "default_batch": DEFAULT_BATCH,
              "best_batch": best_batch, "images_per_s": med, "runs": wall,
              "ratio_default_batch": med["core_default_batch"] / med["canonical"],
              "ratio_best_batch": med["core_best_batch"] / med["canonical"]}
    if _cpu_time_valid(threads, device):
        cpu_med = {name: statistics.median(values) for name, values in cpu.items()}
        result |= {"cpu_time_images_per_s": cpu_med, "cpu_time_runs": cpu,
                   "cpu_time_ratio_default_batch":
                       cpu_med["core_default_batch"] / cpu_med["canonical"],
                   "cpu_time_ratio_best_batch": cpu_med["core_best_batch"] / cpu_med["canonical"]}
    return result
