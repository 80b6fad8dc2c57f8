"""The machine's fp32 peak and what one training image costs, to print rates as a fraction.

Peak: the higher of two measured fp32 rates with the given thread count, in GFLOP/s: the best
of several 2048 x 2048 matrix products (torch.mm: MKL's sgemm, 2 n^3 flops each) and the best
of several large 3x3 convolutions (oneDNN, channels_last, 256 -> 256 channels on 28 x 28,
batch 32). Both are needed: on AMD CPUs MKL's sgemm runs its AVX2 code even where oneDNN uses
AVX-512 (measured 2026-12-01 on an AVX-512 EPYC: sgemm 101, conv 255 GFLOP/s). Cost: the
floating-point work of one training image of a model, from the layer table's multiply-adds:
forward 2 x MACs, backward 2 x MACs for the weight gradients and 2 x MACs for the input
gradients of every weighted layer but the first (the images need no gradient). Pooling,
activations, the loss and the optimiser are left out: they are memory-bound and small.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SIZE = 2048
REPEATS = 6


def _clock(threads: int) -> Callable[[], float]:
    """With one thread, the thread's CPU time: another process's load does not lower it
    (the throughput rows use the same clock at one thread); otherwise wall time."""
    return time.thread_time if threads == 1 else time.perf_counter


def _best_gflops(work: Callable[[], object], flops: float, threads: int, repeats: int) -> float:
    """The best rate of ``repeats`` calls of ``work`` (after one to warm up: thread pool,
    page faults) with ``threads`` torch threads, GFLOP/s."""
    import torch

    clock, before = _clock(threads), torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        work()
        best = float("inf")
        for _ in range(repeats):
            started = clock()
            work()
            best = min(best, clock() - started)
    finally:
        torch.set_num_threads(before)
    return flops / best / 1e9


def sgemm_gflops(threads: int, size: int = SIZE, repeats: int = REPEATS) -> float:
    """The best fp32 matmul rate of ``repeats`` products, GFLOP/s."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    return _best_gflops(lambda: torch.mm(a, b), 2 * size**3, threads, repeats)


def conv_gflops(threads: int, repeats: int = REPEATS) -> float:
    """The best rate of a large fp32 3x3 convolution forward (oneDNN), GFLOP/s."""
    import torch

    conv = torch.nn.Conv2d(256, 256, 3, padding=1).to(memory_format=torch.channels_last)
    x = torch.randn(32, 256, 28, 28).to(memory_format=torch.channels_last)
    with torch.inference_mode():
        return _best_gflops(lambda: conv(x), 2 * 32 * 28 * 28 * 256 * 256 * 9, threads,
                            repeats)


def fp32_peak(threads: int) -> dict[str, float]:
    """{"sgemm": GFLOP/s, "conv": GFLOP/s, "peak": the higher} with ``threads`` threads."""
    rates = {"sgemm": sgemm_gflops(threads), "conv": conv_gflops(threads)}
    return rates | {"peak": max(rates.values())}


def train_flops_per_image(arch: str, dataset: str) -> float:
    """Floating-point operations of one training step, per image, for a preset on a dataset."""
    from tui_cnn.core.catalog import dataset_info
    from tui_cnn.core.config import preset
    from tui_cnn.core.layers import layer_table

    info = dataset_info(dataset)
    table = layer_table(preset(arch), info.shape, info.num_classes)
    weighted = [layer.macs for layer in table.layers if layer.macs]
    return 2.0 * (3 * sum(weighted) - weighted[0])


def fraction_of_peak(images_per_s: float, flops_per_image: float, peak_gflops: float) -> float:
    return images_per_s * flops_per_image / (peak_gflops * 1e9)
