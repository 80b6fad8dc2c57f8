"""A training batch split across CPU threads: data parallel inside one process.

On a CPU at the chapter's batch of 32, torch's own threads (several cores inside each op)
gain little with OpenMP's idle threads asleep (``OMP_WAIT_POLICY=PASSIVE``, as tui-cnn runs):
the ops are small, so the threads mostly wait to be woken. Two threads each running the
forward and backward of half the batch on one core, their gradients then summed: x1.54 over
one thread vs x1.22 for torch's two (benchmarks.knobs "batch split", 2 cores, fp32).

The sum is the full batch's gradient: each share's loss is its mean times its share of the
batch, so the shares' gradients add up to the gradient of the batch's mean loss (the same
up to float rounding). The shares are added in a fixed order, so a run is as reproducible
as a one-thread run. Each share's torch ops use threads // shares cores (its OpenMP thread
count is its own; one on two cores, and the shares are at most batch / MIN_SHARE, so on a
machine with more cores than that each share gets several: measured only on 2 cores); so
do the caller's own ops between the shares, except the test pass (``all_threads``).

Only for what keeps no state and draws no random numbers in its forward: a model with
batch norm (statistics of the whole batch, running buffers written by both threads) or
dropout (one random generator shared by the threads) trains unsplit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from tui_cnn.core import devices
from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.datasets import DataError, config_info
from tui_cnn.core.layers import layer_table
from tui_cnn.core.train_step import Forward, MetricWindow, forward_loss, optimise_batch

MIN_SHARE = 8  # images per thread: below this a share's ops are too small to gain
_UNSPLITTABLE = (nn.modules.batchnorm._BatchNorm, nn.modules.dropout._DropoutNd)


SMALL_STEP_MACS = 20_000_000
"""Multiply-adds per training step (the model's per image x the batch) below which one
thread trains fastest. Measured with bf16 at batch 32, 2 cores (CLI, OpenMP passive), images/s
at 1 thread / 2 threads split / 2 threads sharing ops: the MLP (3.5 M per step) 31-34k /
22-25k / 14-16k; cnn-small (9.8 M) 16.0k / 16.0k / -; cnn-stride2 (44 M) 11.3k / 11.7k /
7.4-8.1k; the chapter's CNN (136 M) 5.0k / 7.5-7.9k / 5.3-5.5k."""


def default_threads(free: int, step_macs: int) -> int:
    """The thread count a run takes when none is asked for: the free cores, or one for a
    step too small to share (SMALL_STEP_MACS)."""
    return 1 if step_macs < SMALL_STEP_MACS else free


def threads_for(cfg: TrainConfig, reserve_for_ui: bool) -> int:
    """The threads a run of ``cfg`` takes when it asks for none: the free cores (less one
    for a UI), or one for a small step. A config whose data cannot be described yet (a
    folder not found) gets the free cores; its run then says what is wrong."""
    free = devices.default_threads(reserve_for_ui)
    try:
        info = config_info(cfg)
        table = layer_table(cfg.arch, info.shape, info.num_classes)
    except (ConfigError, DataError, OSError):
        return free
    return default_threads(free, table.macs * cfg.batch_size)


def share_count(mode: str, device: torch.device, model: nn.Module, threads: int,
                batch_size: int) -> int:
    """How many threads share each batch: 1 (unsplit) unless ``mode`` is auto, the device a
    CPU with 2+ threads, the model stateless in its forward, and each share >= MIN_SHARE."""
    if mode != "auto" or device.type != "cpu" or threads < 2:
        return 1
    if any(isinstance(module, _UNSPLITTABLE) for module in model.modules()):
        return 1
    return max(1, min(threads, batch_size // MIN_SHARE))


@dataclass(frozen=True)
class _ShareResult:
    grads: tuple[torch.Tensor | None, ...]
    loss: torch.Tensor  # the share's mean loss (detached)
    logits: torch.Tensor  # detached
    labels: torch.Tensor


class BatchSplitter:
    """``optimise`` is train_step.optimise_batch with each batch split between ``shares``
    threads (the caller's and shares - 1 workers, made at the first step), or unsplit when
    ``shares`` is 1. ``close`` ends the workers."""

    def __init__(self, shares: int, threads: int) -> None:
        self.shares, self.threads = shares, threads
        self.per_share = max(1, threads // shares)  # each share's torch threads
        self._pool: ThreadPoolExecutor | None = None

    def _start(self) -> ThreadPoolExecutor:
        ready = threading.Barrier(self.shares)  # the caller's thread runs the first share
        pool = ThreadPoolExecutor(self.shares - 1, "tui-cnn-share",
                                  initializer=_own_threads, initargs=(ready, self.per_share))
        for _ in range(self.shares - 1):  # start every worker now, so each is set up
            pool.submit(lambda: None)
        ready.wait()
        # The caller's own ops between the shares (augmentation, the optimiser step) on a
        # share's threads too: on two cores, a second OpenMP thread woken for each small op
        # cost more than it gave.
        torch.set_num_threads(self.per_share)
        return pool

    def optimise(self, forward: Forward, optimizer: torch.optim.Optimizer, x: torch.Tensor,
                 labels: torch.Tensor, window: MetricWindow, *, bf16: bool,
                 label_smoothing: float) -> None:
        if self.shares == 1:
            optimise_batch(forward, optimizer, x, labels, window, bf16=bf16,
                           label_smoothing=label_smoothing)
            return
        self._pool = self._pool or self._start()
        params = [p for group in optimizer.param_groups for p in group["params"]]
        count = labels.numel()
        shares = max(1, min(self.shares, count // MIN_SHARE))
        parts = list(zip(x.tensor_split(shares), labels.tensor_split(shares), strict=True))
        futures = [self._pool.submit(_share_grads, forward, params, xs, ys, count, bf16,
                                     label_smoothing) for xs, ys in parts[1:]]
        first = _share_grads(forward, params, *parts[0], count, bf16, label_smoothing)
        results = [first] + [future.result() for future in futures]  # raises what one raised
        optimizer.zero_grad(set_to_none=True)
        for param, grads in zip(params, zip(*(r.grads for r in results), strict=True),
                                strict=True):
            param.grad = _added(grads)
        optimizer.step()
        for result in results:
            window.add(result.loss, result.logits, result.labels, label_smoothing)
        window.steps += 1

    @contextmanager
    def all_threads(self) -> Iterator[None]:
        """The caller's thread on every thread of the run, e.g. for the test pass."""
        if self._pool is None:
            yield
            return
        torch.set_num_threads(self.threads)
        try:
            yield
        finally:
            torch.set_num_threads(self.per_share)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
            torch.set_num_threads(self.threads)


def _own_threads(ready: threading.Barrier, count: int) -> None:
    """A worker's first act: torch's per-thread setup, then its share of the cores."""
    torch.get_num_threads()  # runs torch's once-per-thread setup, which would reset the count
    torch.set_num_threads(count)
    ready.wait()


def _share_grads(forward: Forward, params: list[torch.Tensor], x: torch.Tensor,
                 labels: torch.Tensor, batch: int, bf16: bool,
                 label_smoothing: float) -> _ShareResult:
    logits, loss = forward_loss(forward, x, labels, bf16=bf16, label_smoothing=label_smoothing)
    grads = torch.autograd.grad(loss * (labels.numel() / batch), params, allow_unused=True)
    return _ShareResult(grads, loss.detach(), logits.detach(), labels)


def _added(grads: tuple[torch.Tensor | None, ...]) -> torch.Tensor | None:
    """The shares' gradients of one parameter summed in share order (None if none had one)."""
    total: torch.Tensor | None = None
    for grad in grads:
        if grad is not None:
            total = grad if total is None else total.add_(grad)
    return total
