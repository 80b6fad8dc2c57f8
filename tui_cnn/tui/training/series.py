"""Bounded chart series and smoothing. Pure Python, so the charts stay cheap to redraw."""

from __future__ import annotations

import math

DEFAULT_CAP = 400


class Series:
    """(x, y) points that never grow past ``cap``: when full, every other point is dropped
    and from then on only every ``stride``-th new point is kept. Non-finite y is ignored.
    The latest point is always shown, kept or not."""

    def __init__(self, cap: int = DEFAULT_CAP) -> None:
        if cap < 2:
            raise ValueError("cap must be at least 2")
        self.cap = cap
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.stride = 1
        self._seen = 0
        self._latest: tuple[float, float] | None = None

    def __len__(self) -> int:
        return len(self.xs)

    def append(self, x: float, y: float) -> None:
        if not (math.isfinite(x) and math.isfinite(y)):
            return
        self._latest = (x, y)
        self._seen += 1
        if (self._seen - 1) % self.stride:
            return
        self.xs.append(x)
        self.ys.append(y)
        if len(self.xs) > self.cap:
            self.xs, self.ys = self.xs[::2], self.ys[::2]
            self.stride *= 2

    def clear(self) -> None:
        self.xs, self.ys = [], []
        self.stride, self._seen = 1, 0
        self._latest = None

    def points(self, limit: int) -> tuple[list[float], list[float]]:
        """At most ``limit`` evenly spread points, ending with the latest one."""
        xs, ys = self.xs, self.ys
        if self._latest is not None and (not xs or xs[-1] != self._latest[0]):
            xs, ys = [*xs, self._latest[0]], [*ys, self._latest[1]]
        return thinned(xs, ys, limit)


def thinned(xs: list[float], ys: list[float], limit: int) -> tuple[list[float], list[float]]:
    """At most ``limit`` (>= 2) points picked evenly, first and last always included."""
    n = len(xs)
    limit = max(2, limit)
    if n <= limit:
        return list(xs), list(ys)
    picks = [round(i * (n - 1) / (limit - 1)) for i in range(limit)]
    return [xs[i] for i in picks], [ys[i] for i in picks]


class Ema:
    """Exponential moving average with bias correction (no pull towards 0 at the start)."""

    def __init__(self, beta: float = 0.8) -> None:
        self.beta = beta
        self._value = 0.0
        self._n = 0

    def update(self, y: float) -> float | None:
        """Fold in ``y`` (skipped if not finite); the smoothed value, None before any."""
        if math.isfinite(y):
            self._n += 1
            self._value = self.beta * self._value + (1 - self.beta) * y
        if not self._n:
            return None
        return self._value / (1 - self.beta**self._n)

    def reset(self) -> None:
        self._value, self._n = 0.0, 0
