"""The two built-in offline datasets, drawn with numpy alone.

``synth-digits``: 1x28x28 grey digits. Each digit is a few line segments and arcs in a unit
box, drawn with a random affine warp (rotation up to 15 degrees, scale, aspect, slant),
wobbly vertices, a random stroke width and shift, anti-aliased by the distance from each
pixel to the nearest segment, plus noise. ``synth-shapes``: 3x32x32 colour shapes
(``catalog.SHAPES``) of random colour, size, angle and place on textured, noisy coloured
backgrounds with a few small specks of clutter.

Both are deterministic for a seed; train and test come from different seeds derived from one
base seed. Classes are balanced: image ``i`` gets label ``i % 10`` before a seeded shuffle.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tui_cnn.core.catalog import SHAPES

Point = tuple[float, float]
Polyline = tuple[Point, ...]
Template = tuple[Polyline, ...]  # strokes in a unit box, x right, y down
Generator = Callable[[np.ndarray, np.random.Generator], np.ndarray]
TRAIN_SIZE = 12_000
TEST_SIZE = 2_000
CHUNK = 128  # images per vectorised block: keeps the temporaries in cache


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float,
         n: int = 10) -> Polyline:
    """``n`` segments of an ellipse from angle ``a0`` to ``a1`` in degrees (y down)."""
    angles = np.radians(np.linspace(a0, a1, n + 1))
    return tuple((cx + rx * float(np.cos(a)), cy + ry * float(np.sin(a))) for a in angles)


_SEVEN: Polyline = ((0.18, 0.1), (0.82, 0.1), (0.42, 0.92))
_NINE_LOOP = _arc(0.5, 0.32, 0.24, 0.21, 0, 360, 10)
DIGIT_TEMPLATES: dict[int, tuple[Template, ...]] = {
    0: ((_arc(0.5, 0.5, 0.28, 0.42, 0, 360, 12),),),
    1: ((((0.5, 0.08), (0.5, 0.92)),),
        (((0.38, 0.2), (0.52, 0.08), (0.52, 0.92)),)),
    2: ((_arc(0.5, 0.33, 0.27, 0.24, 200, 385, 7) + ((0.2, 0.9), (0.84, 0.9)),),),
    3: ((_arc(0.48, 0.3, 0.25, 0.2, 210, 450, 7) + _arc(0.48, 0.7, 0.28, 0.2, 270, 510, 7),),),
    4: ((((0.62, 0.92), (0.62, 0.08), (0.16, 0.64), (0.86, 0.64)),),
        (((0.28, 0.08), (0.24, 0.58), (0.84, 0.58)), ((0.66, 0.22), (0.66, 0.92)))),
    5: ((((0.8, 0.1), (0.32, 0.1), (0.28, 0.46)) + _arc(0.5, 0.66, 0.28, 0.24, 220, 505, 8),),),
    6: ((((0.7, 0.08), (0.46, 0.24), (0.3, 0.48)) + _arc(0.5, 0.7, 0.23, 0.2, 180, 540, 10),),),
    7: ((_SEVEN,), (_SEVEN, ((0.36, 0.52), (0.74, 0.52)))),
    8: ((_arc(0.5, 0.29, 0.2, 0.19, 0, 360, 10), _arc(0.5, 0.7, 0.25, 0.21, 0, 360, 10)),),
    9: ((_NINE_LOOP, ((0.74, 0.32), (0.7, 0.92))),
        (_NINE_LOOP, ((0.74, 0.32), (0.72, 0.7), (0.56, 0.92)))),
}


def _segments(template: Template) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices (K, 2), segments as vertex pairs (S, 2), stroke ends as (end, neighbour) (E, 2).

    Segments share vertices, so a wobbled vertex moves both of its segments.
    """
    vertices: list[Point] = []
    pairs: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    for line in template:
        start, last = len(vertices), len(vertices) + len(line) - 1
        vertices.extend(line)
        pairs.extend((i, i + 1) for i in range(start, last))
        ends.extend(((start, start + 1), (last, last - 1)))
    return np.array(vertices, np.float32), np.array(pairs, np.intp), np.array(ends, np.intp)


def _min_dist2(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """Squared distance (n, size, size) from each pixel centre to the nearest segment a->b.

    ``a``, ``b``: (n, S, 2) endpoints in pixels. Separable in x and y up to the clamp.
    """
    grid = np.arange(size, dtype=np.float32)
    d = b - a
    inv = 1.0 / np.maximum((d * d).sum(-1), 1e-6)
    ux = grid - a[..., 0, None]  # (n, S, W)
    uy = grid - a[..., 1, None]  # (n, S, H)
    t = (ux * (d[..., 0] * inv)[..., None])[:, :, None, :]
    t = t + (uy * (d[..., 1] * inv)[..., None])[:, :, :, None]
    np.clip(t, 0.0, 1.0, out=t)
    rx = ux[:, :, None, :] - t * d[..., 0, None, None]
    t *= d[..., 1, None, None]
    np.subtract(uy[:, :, :, None], t, out=t)
    rx *= rx
    t *= t
    rx += t
    return rx.min(axis=1)


def _strokes(vertices: np.ndarray, ends: np.ndarray, n: int,
             rng: np.random.Generator) -> np.ndarray:
    """(n, K + 2, 2) unit-box vertices: stroke ends stretched or cut, wobble, a stray stroke.

    The last two vertices are a short stray mark in about one image in seven, else far off-canvas.
    """
    points = np.empty((n, len(vertices) + 2, 2), np.float32)
    points[:, :-2] = vertices
    direction = vertices[ends[:, 0]] - vertices[ends[:, 1]]
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    points[:, ends[:, 0]] += rng.uniform(-0.08, 0.08, (n, len(ends), 1)) * direction
    points[:, :-2] += rng.normal(0, 0.025, (n, len(vertices), 2))
    centre = rng.uniform(0.1, 0.9, (n, 1, 2))
    angle = rng.uniform(0, np.pi, (n, 1))
    half = rng.uniform(0.04, 0.15, (n, 1, 1)) * np.stack([np.cos(angle), np.sin(angle)], -1)
    points[:, -2:] = np.where(rng.uniform(size=(n, 1, 1)) < 0.15, centre + [[1], [-1]] * half, 9)
    return points


def _warp(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(n, K, 2) pixel positions of unit-box points under random affine warps and shifts."""
    n = len(points)
    angle = np.radians(rng.uniform(-15, 15, n))
    scale = rng.uniform(0.75, 1.1, n)
    sx, sy = scale * rng.uniform(0.8, 1.15, n), scale
    slant = rng.uniform(-0.3, 0.3, n)
    cos, sin = np.cos(angle), np.sin(angle)
    m = np.empty((n, 2, 2))
    m[:, 0, 0], m[:, 0, 1] = cos * sx, (cos * slant - sin) * sy
    m[:, 1, 0], m[:, 1, 1] = sin * sx, (sin * slant + cos) * sy
    shift = 13.5 + rng.uniform(-2.5, 2.5, (n, 1, 2))
    return (20.0 * np.einsum("nij,nkj->nki", m, points - 0.5) + shift).astype(np.float32)


def _draw_digits(template: Template, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 28, 28) float32 in [0, 1]: ``n`` random drawings of one template."""
    vertices, pairs, ends = _segments(template)
    pairs = np.concatenate([pairs, [[len(vertices), len(vertices) + 1]]])
    points = _warp(_strokes(vertices, ends, n, rng), rng)
    dist = np.sqrt(_min_dist2(points[:, pairs[:, 0]], points[:, pairs[:, 1]], 28))
    radius = rng.uniform(0.8, 1.9, (n, 1, 1)).astype(np.float32)
    soft = rng.uniform(0.7, 1.5, (n, 1, 1)).astype(np.float32)
    ink = np.clip((radius - dist) / soft + 0.5, 0.0, 1.0)
    ink *= rng.uniform(0.75, 1.0, (n, 1, 1)).astype(np.float32)
    noise = rng.standard_normal(ink.shape, dtype=np.float32)
    ink += noise * rng.uniform(0, 0.07, (n, 1, 1)).astype(np.float32)
    return ink


def digits(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, 1, 28, 28) uint8 digit images for the given labels (0-9)."""
    out = np.zeros((len(labels), 1, 28, 28), np.uint8)
    for digit, templates in DIGIT_TEMPLATES.items():
        index = np.flatnonzero(labels == digit)
        variant = rng.integers(0, len(templates), len(index))
        for v, template in enumerate(templates):
            chosen = index[variant == v]
            for start in range(0, len(chosen), CHUNK):
                part = chosen[start:start + CHUNK]
                ink = _draw_digits(template, len(part), rng)
                out[part, 0] = _to_uint8(ink)
    return out


def _to_uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(x * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _box(u: np.ndarray, v: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(np.abs(u) - a, np.abs(v) - b)


_R = np.hypot
_SDF: dict[str, Callable[..., np.ndarray]] = {
    "circle": lambda u, v, h, w: _R(u, v) - h,
    "square": lambda u, v, h, w: _box(u, v, 0.85 * h, 0.85 * h),
    "triangle": lambda u, v, h, w: np.maximum(
        np.maximum(v, 0.866 * u - 0.5 * v), -0.866 * u - 0.5 * v) - 0.55 * h,
    "cross": lambda u, v, h, w: np.minimum(_box(u, v, h, w), _box(u, v, w, h)),
    "ring": lambda u, v, h, w: np.abs(_R(u, v) - 0.8 * h) - 0.6 * w,
    "h-bar": lambda u, v, h, w: _box(u, v, 1.2 * h, w),
    "v-bar": lambda u, v, h, w: _box(u, v, w, 1.2 * h),
    "diamond": lambda u, v, h, w: (np.abs(u) + np.abs(v) - 1.15 * h) * 0.7071,
    "checker": lambda u, v, h, w: _box(u, v, 0.9 * h, 0.9 * h),
    "diagonal": lambda u, v, h, w: _box(u, v, 1.3 * h, w),
}
_TURN = {"circle": 0.0, "ring": 0.0, "h-bar": 10.0, "v-bar": 10.0, "diagonal": 12.0}


def _coverage(shape: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 1, 32, 32) float32 anti-aliased coverage of ``n`` random drawings of ``shape``."""
    def draw(*size: int, low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, (n, *size)).astype(np.float32)

    turn = np.radians(draw(1, 1, low=-1, high=1) * _TURN.get(shape, 15.0))
    if shape == "diagonal":
        turn += np.radians(45.0) * rng.choice(np.array([-1, 1], np.float32), (n, 1, 1))
    grid = np.arange(32, dtype=np.float32)
    x = grid - draw(1, 1, low=11, high=21)
    y = grid[:, None] - draw(1, 1, low=11, high=21)
    u = x * np.cos(turn) + y * np.sin(turn)
    v = y * np.cos(turn) - x * np.sin(turn)
    h, w = draw(1, 1, low=4.5, high=9), draw(1, 1, low=1.3, high=2.5)
    cover = np.clip(0.5 - _SDF[shape](u, v, h, w), 0.0, 1.0)
    if shape == "checker":
        cell = 1.6 * w
        cover *= (np.floor(u / cell) + np.floor(v / cell)) % 2
    return cover[:, None]


def _background(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 3, 32, 32) float32: base colour, smooth colour blotches, faint stripes, specks."""
    knots = np.linspace(0, 31, 4)
    lerp = np.stack([np.interp(np.arange(32), knots, np.eye(4)[i]) for i in range(4)], 1)
    blotch = rng.standard_normal((n, 3, 4, 4), dtype=np.float32) * np.float32(0.12)
    image = lerp.astype(np.float32) @ blotch @ lerp.T.astype(np.float32)
    image += rng.uniform(0, 1, (n, 3, 1, 1)).astype(np.float32)
    angle, freq, shift, amp, on = rng.uniform(0, 1, (5, n, 1, 1)).astype(np.float32)
    angle *= np.float32(np.pi)
    freq = (freq * 4 + 2) * np.float32(2 * np.pi / 32)  # 2 to 6 stripes across
    grid = np.arange(32, dtype=np.float32)
    phase = freq * (grid * np.cos(angle) + grid[:, None] * np.sin(angle)) + shift * 2 * np.pi
    amp = (0.04 + 0.16 * amp) * (on < 0.5)
    image += (amp * np.sin(phase))[:, None]
    specks = _specks(n, rng)
    colour = rng.uniform(0, 1, (n, 3, 1, 1)).astype(np.float32)
    return image + (colour - image) * specks


def _specks(n: int, rng: np.random.Generator, most: int = 3) -> np.ndarray:
    """(n, 1, 32, 32) coverage of up to ``most`` small round specks (radius 1 to 2.5 px)."""
    grid = np.arange(32, dtype=np.float32)
    centre = rng.uniform(0, 31, (n, most, 2, 1, 1)).astype(np.float32)
    radius = rng.uniform(1.0, 2.5, (n, most, 1, 1)).astype(np.float32)
    shown = rng.uniform(size=(n, most, 1, 1)) < 0.4
    dist = np.hypot(grid - centre[:, :, 0], grid[:, None] - centre[:, :, 1])
    cover = np.clip(radius - dist + 0.5, 0.0, 1.0) * shown
    return cover.max(axis=1, keepdims=True)


def _foreground(background: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(n, 3, 1, 1) colours at least 0.3 (RGB distance) from the background's mean colour."""
    mean = background.mean(axis=(2, 3), keepdims=True)
    colour = rng.uniform(0, 1, mean.shape).astype(np.float32)
    near = np.sqrt(((colour - mean) ** 2).sum(1, keepdims=True)) < 0.3
    opposite = np.where(mean > 0.5, mean - 0.5, mean + 0.5)
    return np.where(near, opposite, colour)


def shapes(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, 3, 32, 32) uint8 shape images for the given labels (indices into catalog.SHAPES)."""
    out = np.zeros((len(labels), 3, 32, 32), np.uint8)
    for k, shape in enumerate(SHAPES):
        index = np.flatnonzero(labels == k)
        for start in range(0, len(index), CHUNK):
            part = index[start:start + CHUNK]
            cover = _coverage(shape, len(part), rng)
            back = _background(len(part), rng)
            image = back + (_foreground(back, rng) - back) * cover
            noise = rng.standard_normal(image.shape, dtype=np.float32)
            image += noise * rng.uniform(0.02, 0.12, (len(part), 1, 1, 1)).astype(np.float32)
            out[part] = _to_uint8(image)
    return out


GENERATORS: dict[str, Generator] = {"synth-digits": digits, "synth-shapes": shapes}
SPLITS = ("train", "test")


def split_rng(seed: int, split: str) -> np.random.Generator:
    """The random stream of one split: train and test never share numbers for a base seed."""
    return np.random.default_rng(np.random.SeedSequence([seed, SPLITS.index(split)]))


def make(
    name: str, size: int, seed: int = 0, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """``size`` images (N, C, H, W) uint8 and labels (N,) int64 of one built-in set's split.

    Deterministic for (name, size, seed, split); each class gets ``size // 10`` or one more.
    """
    if name not in GENERATORS:
        raise ValueError(f"no built-in dataset {name!r}; choose one of: {', '.join(GENERATORS)}")
    rng = split_rng(seed, split)
    labels = rng.permutation(np.arange(size, dtype=np.int64) % 10)
    return GENERATORS[name](labels, rng), labels


def sample(name: str, count_per_class: int = 1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A few images ordered by class (0, 0, ..., 1, 1, ...), cheap enough for a preview."""
    labels = np.repeat(np.arange(10, dtype=np.int64), count_per_class)
    return GENERATORS[name](labels, split_rng(seed, "test")), labels
