"""The chapter's naive conv2d, and how it compares with torch's on the same inputs.

Numpy only at import time; torch is imported inside ``compare_conv``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def naive_conv2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The chapter's conv2d, verbatim: a 'valid' cross-correlation in a double loop."""
    h, w = image.shape
    kh, kw = kernel.shape
    output = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            patch = image[i:i+kh, j:j+kw]
            output[i, j] = np.sum(patch * kernel)
    return output


@dataclass(frozen=True)
class ConvComparison:
    """The naive loop against ``torch.nn.functional.conv2d`` on the same inputs."""

    naive_out: np.ndarray
    torch_out: np.ndarray
    max_abs_diff: float
    naive_seconds: float  # per call
    torch_seconds: float  # per call
    speed_ratio: float  # naive_seconds / torch_seconds
    device: str = "cpu"


def _seconds_per_call(fn: Callable[[], object], min_seconds: float,
                      sync: Callable[[], None] = lambda: None) -> float:
    """Calls ``fn`` 1, 2, 4... times (then ``sync``) until a batch lasts min_seconds.

    The earlier, shorter batches double as warm-up; the last batch is the measurement.
    """
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        sync()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds or calls >= 1 << 22:
            return elapsed / calls
        calls *= 2


def compare_conv(image: np.ndarray, kernel: np.ndarray, *, device: str = "cpu",
                 min_seconds: float = 0.2, threads: int | None = None) -> ConvComparison:
    """Times ``naive_conv2d`` (float64) and ``F.conv2d`` (float32, no grad, inputs already
    on ``device``) on the same 2-D image and kernel; ``threads`` sets torch's CPU threads
    for the measurement only. Both are cross-correlations, so outputs agree to ~1e-6."""
    import torch
    import torch.nn.functional as F

    img, ker = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    if img.ndim != 2 or ker.ndim != 2 or ker.shape[0] > img.shape[0] \
            or ker.shape[1] > img.shape[1]:
        raise ValueError(f"need a 2-D image at least as big as a 2-D kernel, got "
                         f"{img.shape} and {ker.shape}")
    dev = torch.device(device)
    x = torch.tensor(img, dtype=torch.float32, device=dev)[None, None]
    wt = torch.tensor(ker, dtype=torch.float32, device=dev)[None, None]
    sync = (lambda: torch.cuda.synchronize(dev)) if dev.type == "cuda" else (lambda: None)
    old_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            torch_out = F.conv2d(x, wt)[0, 0].cpu().double().numpy()
            torch_s = _seconds_per_call(lambda: F.conv2d(x, wt), min_seconds, sync)
    finally:
        torch.set_num_threads(old_threads)
    naive_out = naive_conv2d(img, ker)
    naive_s = _seconds_per_call(lambda: naive_conv2d(img, ker), min_seconds)
    return ConvComparison(naive_out, torch_out, float(np.max(np.abs(naive_out - torch_out))),
                          naive_s, torch_s, naive_s / torch_s, str(dev))
