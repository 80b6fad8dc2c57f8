"""Edge-like or corner-like: the gradient orientations in a channel's top patches.

Method (stated in the summary line): the structure tensor J = sum over pixels of
[gx^2, gx gy; gx gy, gy^2] of each top patch (grey = mean over colour channels, central
differences, only the part of the tile that lies inside the image), each patch's J divided
by its trace so every patch counts once, summed over the channel's top patches. Its
coherence (l1 - l2) / (l1 + l2) is 1 when all gradients share one orientation (an edge or
a bar) and 0 when two orthogonal ones are equally strong (a corner, a cross). Coherence
>= COHERENT is edge-like, below it corner-like (or blob-like: a dot has every orientation).
A patch whose RMS gradient is below FLAT (in units of the full intensity range) is flat
and left out; a channel with no patch left is flat.
Numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COHERENT = 0.5
FLAT = 0.02
METHOD = (f"structure tensor of each channel's top patches: coherence >= {COHERENT:g} = "
          "one orientation (edge-like), below = two or more (corner-like)")


@dataclass(frozen=True)
class Orientation:
    angle: float  # degrees in [0, 180): the dominant gradient direction (0 = across columns)
    coherence: float  # 0..1; nan when flat
    kind: str  # "edge", "corner" or "flat"


def structure_tensor(patch: np.ndarray) -> np.ndarray:
    """(2, 2) [[sum gx^2, sum gx gy], [sum gx gy, sum gy^2]] of a (C, h, w) patch; gy
    points up the screen (towards row 0)."""
    grey = np.asarray(patch, dtype=np.float64).mean(axis=0)
    if np.asarray(patch).dtype == np.uint8:
        grey /= 255.0
    if min(grey.shape) < 2:
        return np.zeros((2, 2))
    gy_down, gx = np.gradient(grey)
    gy = -gy_down
    return np.array([[np.sum(gx * gx), np.sum(gx * gy)], [np.sum(gx * gy), np.sum(gy * gy)]])


def orientation(patches: list[np.ndarray]) -> Orientation:
    """The shared orientation of a channel's top patches (each (C, h, w), any dtype)."""
    total = np.zeros((2, 2))
    for patch in patches:
        tensor = structure_tensor(patch)
        trace = np.trace(tensor)
        if trace > 1e-12 and np.sqrt(trace / max(1, patch[0].size)) >= FLAT:
            total += tensor / trace
    trace = np.trace(total)
    if trace <= 1e-9:
        return Orientation(float("nan"), float("nan"), "flat")
    jxx, jxy, jyy = total[0, 0], total[0, 1], total[1, 1]
    coherence = float(np.hypot(jxx - jyy, 2 * jxy) / trace)
    angle = float(np.degrees(0.5 * np.arctan2(2 * jxy, jxx - jyy)) % 180.0)
    return Orientation(angle, coherence, "edge" if coherence >= COHERENT else "corner")


def summary_line(name: str, kinds: list[str], k: int) -> str:
    edges, corners, flat = (kinds.count(kind) for kind in ("edge", "corner", "flat"))
    flat_text = f", {flat} flat (no gradient)" if flat else ""
    return (f"{name}: {edges} of {len(kinds)} channels' top-{k} patches share one "
            f"orientation (edge-like), {corners} mix orientations (corner- or blob-like)"
            f"{flat_text}; method: {METHOD}")
