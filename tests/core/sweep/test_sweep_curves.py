"""Group curves: mean and band per epoch, worked by hand."""

from __future__ import annotations

import math

import pytest

from tui_cnn.core.sweep.curves import curve_of


def test_mean_band_and_std_per_epoch_with_a_shorter_trial() -> None:
    curve = curve_of("cnn", [{1: 0.5, 2: 0.7}, {1: 0.7, 2: 0.9}, {1: 0.6}])
    assert curve.epochs == (1, 2)
    assert curve.n == (3, 2)
    assert curve.mean == pytest.approx((0.6, 0.8))
    assert curve.low == pytest.approx((0.5, 0.7)) and curve.high == pytest.approx((0.7, 0.9))
    assert curve.std[0] == pytest.approx(0.1)  # deviations -0.1, 0.1, 0: sqrt(0.02 / 2)
    assert curve.std[1] == pytest.approx(math.sqrt(0.02))  # -0.1, 0.1: sqrt(0.02 / 1)
    assert curve_of("one", [{1: 0.5}]).std == (None,)
