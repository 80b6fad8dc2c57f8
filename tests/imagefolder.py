"""An ImageFolder of generated PNGs for tests: one class per shape, jittered in place and size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("disc", "hbar", "vbar")


def draw_shape(shape: str, rng: np.random.Generator, size: int = 40,
               colour: bool = False) -> Image.Image:
    """One white-on-black (or coloured) shape, its place and size drawn from ``rng``."""
    image = Image.new("RGB" if colour else "L", (size, size), 0)
    pen = ImageDraw.Draw(image)
    fill = (int(rng.integers(120, 256)), 40, 200) if colour else int(rng.integers(160, 256))
    cx, cy = (int(v) for v in rng.integers(14, size - 14, 2))
    r = int(rng.integers(7, 11))
    if shape == "disc":
        pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    elif shape == "hbar":
        pen.rectangle((cx - r - 3, cy - 2, cx + r + 3, cy + 2), fill=fill)
    else:
        pen.rectangle((cx - 2, cy - r - 3, cx + 2, cy + r + 3), fill=fill)
    return image


def write_folder(root: Path, per_class: int = 40, seed: int = 0, colour: bool = False,
                 classes: tuple[str, ...] = SHAPES) -> Path:
    """``root/CLASS/NNN.png`` for each class (shapes cycle if there are more than 3)."""
    rng = np.random.default_rng(seed)
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            draw_shape(SHAPES[k % 3], rng, colour=colour).save(root / name / f"{i:03d}.png")
    return root
