"""The sweep statistics against values worked by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_cnn.core.sweep.stats import summarize, t_cdf, t_quantile, verdict, welch


@pytest.mark.parametrize(("df", "expected"), [
    (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (10, 2.228), (30, 2.042),
])
def test_t_quantile_matches_the_tables(df: int, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


def test_t_quantile_tends_to_the_normal_and_inverts_the_cdf() -> None:
    assert t_quantile(0.975, 1e6) == pytest.approx(1.95996, abs=1e-4)
    assert t_cdf(t_quantile(0.9, 7.3), 7.3) == pytest.approx(0.9, abs=1e-9)
    assert t_quantile(0.025, 3) == pytest.approx(-3.182, abs=5e-4)
    assert t_cdf(0.0, 4) == pytest.approx(0.5)


# n, values, mean, sample std, half-width = t(0.975, n-1) * std / sqrt(n), worked by hand
@pytest.mark.parametrize(("values", "mean", "std", "half"), [
    ([0.90, 0.92], 0.91, math.sqrt(0.0002), 12.7062 * 0.01),
    ([1.0, 2.0, 3.0], 2.0, 1.0, 4.3027 / math.sqrt(3)),
    ([2.0, 4.0, 4.0, 6.0], 4.0, math.sqrt(8 / 3), 3.1824 * math.sqrt(8 / 3) / 2),
    ([1.0, 2.0, 3.0, 4.0, 5.0], 3.0, math.sqrt(2.5), 2.7764 * math.sqrt(2.5) / math.sqrt(5)),
])
def test_summary_by_hand(values: list[float], mean: float, std: float, half: float) -> None:
    s = summarize(values)
    assert s.n == len(values)
    assert s.mean == pytest.approx(mean)
    assert s.std == pytest.approx(std)
    assert s.half_width == pytest.approx(half, rel=1e-4)
    assert s.low == pytest.approx(mean - half, rel=1e-4)


def test_one_value_has_no_spread_and_none_has_no_mean() -> None:
    assert summarize([0.5]).std is None and summarize([0.5]).half_width is None
    assert summarize([]).mean is None


def test_welch_by_hand() -> None:
    # sd 0.01 each, n 3 each: se = sqrt(2 * 0.0001 / 3); df = 4; half = 2.7764 * se
    d = welch([0.90, 0.91, 0.92], [0.93, 0.94, 0.95])
    assert d is not None
    se = math.sqrt(2 * 0.0001 / 3)
    assert d.diff == pytest.approx(0.03)
    assert d.df == pytest.approx(4.0)
    assert d.half_width == pytest.approx(2.7764 * se, rel=1e-4)
    assert d.significant
    assert verdict("cnn", "cnn-stride2", d) == (
        "cnn-stride2 is 3.0 +/- 2.3 points higher than cnn (3 seeds each, 95% CI)")


def test_welch_unequal_variances_by_hand() -> None:
    # a: mean 2, var 1 (n 3); b: mean 4, squares 9+1+0+1+9 -> var 5 (n 5): va = 1/3, vb = 1
    d = welch([1.0, 2.0, 3.0], [1.0, 3.0, 4.0, 5.0, 7.0])
    assert d is not None
    va, vb = 1 / 3, 1.0
    df = (va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 4)
    assert d.df == pytest.approx(df) == pytest.approx(64 / 11)  # (4/3)^2 / (1/18 + 1/4)
    assert d.half_width == pytest.approx(t_quantile(0.975, df) * math.sqrt(va + vb))


def test_verdict_when_the_interval_holds_zero_and_when_it_cannot_tell() -> None:
    d = welch([0.90, 0.92, 0.91], [0.905, 0.915, 0.92])
    assert d is not None and not d.significant
    assert verdict("cnn", "cnn-stride2", d).startswith(
        "no difference detectable between cnn-stride2 and cnn with 3 seeds each")
    assert verdict("a", "b", welch([0.9], [0.8])).startswith("cannot tell b from a")
    assert "no finished trial" in verdict("a", "b", welch([], [0.8]))
    lower = welch([0.95, 0.951, 0.949], [0.90, 0.901, 0.899])
    assert verdict("cnn", "s2", lower).startswith("s2 is 5.00 +/- 0.23 points lower")
    assert "lower than cnn" in verdict("cnn", "s2", lower)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.5001, 0.9995), df=st.floats(1.0, 500.0))
def test_t_quantile_inverts_the_cdf_for_any_df(p: float, df: float) -> None:
    t = t_quantile(p, df)
    assert t_cdf(t, df) == pytest.approx(p, abs=1e-9)
    assert t >= t_quantile(p, df * 2) - 1e-9  # heavier tails at fewer degrees of freedom


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=12))
def test_interval_holds_the_mean_and_shifts_with_the_data(values: list[float]) -> None:
    s, shifted = summarize(values), summarize([v + 0.5 for v in values])
    assert s.low is not None and s.high is not None and s.mean is not None
    assert s.low <= s.mean <= s.high
    assert shifted.mean == pytest.approx(s.mean + 0.5)
    assert shifted.half_width == pytest.approx(s.half_width, abs=1e-12)
