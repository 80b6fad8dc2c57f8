"""The parts of one training step that hold no run state: the metric window kept on the
device between reports, the batch augmentation, the optimiser step on a batch and the
loss a report shows.

core.session's Session composes these into its step and report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from tui_cnn.core import device_data

Forward = Callable[[torch.Tensor], torch.Tensor]  # a model's training forward


@dataclass
class MetricWindow:
    """Sums since the last report, kept on the device."""

    loss: torch.Tensor
    correct: torch.Tensor
    images: int = 0
    steps: int = 0
    started: float = field(default_factory=time.perf_counter)

    @classmethod
    def zeros(cls, device: torch.device) -> MetricWindow:
        return cls(torch.zeros((), device=device),
                   torch.zeros((), device=device, dtype=torch.int64))

    def add(self, loss: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor,
            label_smoothing: float) -> None:
        """A batch's (or a share's) loss, correct count and images, summed on the device."""
        self.loss += reported_loss(loss, logits, labels, label_smoothing)
        self.correct += (logits.detach().argmax(1) == labels).sum()
        self.images += labels.numel()


def augment(x_u8: torch.Tensor, kind: str, generator: torch.Generator) -> torch.Tensor:
    """2-pixel shifts (zero fill) for digits; 4-pixel reflect crops + flips for photos."""
    if kind == "none":
        return x_u8
    if kind == "shift":
        return device_data.augment_batch(x_u8, generator, pad=2, padding="zeros", flip=False)
    return device_data.augment_batch(x_u8, generator, pad=4, padding="reflect", flip=True)


def reported_loss(loss: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor,
                  label_smoothing: float) -> torch.Tensor:
    """The batch's summed plain cross-entropy: what test_loss measures. With label
    smoothing the objective cannot fall below the targets' entropy (0.50 at 0.1 on 10
    classes), so charted beside test loss it sat far above it on a model that fits."""
    if not label_smoothing:
        return loss.detach() * labels.numel()
    return F.cross_entropy(logits.detach().float(), labels, reduction="sum")


def optimise_batch(forward: Forward,
                   optimizer: torch.optim.Optimizer, x: torch.Tensor, labels: torch.Tensor,
                   window: MetricWindow, *, bf16: bool, label_smoothing: float) -> None:
    """One forward, backward and optimiser step on a normalised batch, summed into
    ``window`` (on the device: nothing is read back)."""
    logits, loss = forward_loss(forward, x, labels, bf16=bf16,
                                label_smoothing=label_smoothing)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    window.add(loss, logits, labels, label_smoothing)
    window.steps += 1


def forward_loss(forward: Forward, x: torch.Tensor, labels: torch.Tensor, *, bf16: bool,
                 label_smoothing: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The logits and the mean training loss of a batch (bf16 autocast where asked)."""
    # One autocast per step, never around the loop: autocast caches its bf16 weight
    # copies until the context closes, which froze training at 10% when tried.
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bf16):
        logits = forward(x)
        loss = F.cross_entropy(logits.float(), labels, label_smoothing=label_smoothing)
    return logits, loss
