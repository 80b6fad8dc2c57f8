"""Batch augmentation on the device: random shifts and flips of uint8 image batches."""

from __future__ import annotations

import torch
import torch.nn.functional as F

SHIFT_PIXELS = 2


def random_shift(x: torch.Tensor, generator: torch.Generator, pixels: int = SHIFT_PIXELS
                 ) -> torch.Tensor:
    """Move each image by up to ``pixels`` in x and y (zero fill), one gather for the batch."""
    n, c, h, w = x.shape
    padded = F.pad(x, (pixels, pixels, pixels, pixels))
    dy = torch.randint(0, 2 * pixels + 1, (n,), generator=generator).to(x.device)
    dx = torch.randint(0, 2 * pixels + 1, (n,), generator=generator).to(x.device)
    rows = dy[:, None] + torch.arange(h, device=x.device)[None, :]
    cols = dx[:, None] + torch.arange(w, device=x.device)[None, :]
    batch = torch.arange(n, device=x.device)[:, None, None, None]
    chans = torch.arange(c, device=x.device)[None, :, None, None]
    return padded[batch, chans, rows[:, None, :, None], cols[:, None, None, :]]


def random_flip(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror a random half of the batch left to right."""
    flip = (torch.rand(x.shape[0], generator=generator) < 0.5).to(x.device)
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def augment(x: torch.Tensor, kind: str, generator: torch.Generator) -> torch.Tensor:
    if kind == "none":
        return x
    x = random_shift(x, generator)
    return random_flip(x, generator) if kind == "shift-flip" else x
