"""Statistics of a sweep: mean, sample std and Student-t 95% intervals per group of seeds,
and Welch's interval for the difference of two groups with a plain verdict. Pure Python.

The t quantile is computed, not looked up: the Student-t CDF through the regularised
incomplete beta function (a continued fraction, as in Numerical Recipes 6.4), inverted by
bisection; it works for the fractional degrees of freedom Welch's test gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
                    -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p for Student's t with ``df`` degrees of freedom."""
    if not 0.0 < p < 1.0 or df <= 0:
        raise ValueError(f"need 0 < p < 1 and df > 0, got p={p}, df={df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2.0


@dataclass(frozen=True)
class Summary:
    """n values: mean, sample std (n - 1) and the 95% t interval's half-width."""

    n: int
    mean: float | None
    std: float | None
    half_width: float | None

    @property
    def low(self) -> float | None:
        return None if self.mean is None or self.half_width is None else \
            self.mean - self.half_width

    @property
    def high(self) -> float | None:
        return None if self.mean is None or self.half_width is None else \
            self.mean + self.half_width


def summarize(values: Sequence[float]) -> Summary:
    n = len(values)
    if n == 0:
        return Summary(0, None, None, None)
    mean = math.fsum(values) / n
    if n == 1:
        return Summary(1, mean, None, None)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * std / math.sqrt(n)
    return Summary(n, mean, std, half)


@dataclass(frozen=True)
class Difference:
    """``b - a`` with Welch's 95% interval (half-width) and its degrees of freedom."""

    diff: float
    half_width: float | None
    df: float | None
    n_a: int
    n_b: int

    @property
    def significant(self) -> bool:
        return self.half_width is not None and abs(self.diff) > self.half_width


def welch(a: Sequence[float], b: Sequence[float]) -> Difference | None:
    sa, sb = summarize(a), summarize(b)
    if sa.mean is None or sb.mean is None:
        return None
    diff = sb.mean - sa.mean
    if sa.std is None or sb.std is None:
        return Difference(diff, None, None, sa.n, sb.n)
    va, vb = sa.std ** 2 / sa.n, sb.std ** 2 / sb.n
    se = math.sqrt(va + vb)
    if se == 0.0:  # identical values in each group: no spread to speak of
        return Difference(diff, 0.0, float(sa.n + sb.n - 2), sa.n, sb.n)
    df = (va + vb) ** 2 / (va ** 2 / (sa.n - 1) + vb ** 2 / (sb.n - 1))
    return Difference(diff, t_quantile(0.5 + CONFIDENCE / 2, df) * se, df, sa.n, sb.n)


def _points(value: float, half: float) -> tuple[str, str]:
    digits = 1 if half >= 1.0 else 2
    return f"{abs(value):.{digits}f}", f"{half:.{digits}f}"


def verdict(label_a: str, label_b: str, d: Difference | None, unit: float = 100.0,
            what: str = "points") -> str:
    """One plain sentence about ``b`` against ``a`` (accuracies: unit 100 gives points)."""
    if d is None:
        return f"{label_a} or {label_b} has no finished trial to compare"
    seeds = f"{d.n_a} seeds each" if d.n_a == d.n_b else f"{d.n_a} and {d.n_b} seeds"
    if d.half_width is None:
        return f"cannot tell {label_b} from {label_a}: each needs at least 2 seeds ({seeds})"
    if not d.significant:
        return (f"no difference detectable between {label_b} and {label_a} with {seeds} "
                f"({label_b} - {label_a} = {d.diff * unit:+.2f} +/- "
                f"{d.half_width * unit:.2f} {what})")
    size, half = _points(d.diff * unit, d.half_width * unit)
    side = "higher" if d.diff > 0 else "lower"
    return f"{label_b} is {size} +/- {half} {what} {side} than {label_a} ({seeds}, 95% CI)"
