"""The claims lab: the shift function, equivariance, the counts, the empirical receptive
field, and every verdict rule on made-up results."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tui_cnn.core.claims.catalog import BY_ID, CLAIMS, select
from tui_cnn.core.claims.conv import conv_state
from tui_cnn.core.claims.counts import sharing_rows
from tui_cnn.core.claims.learned import layer2_state
from tui_cnn.core.claims.locality import Reach, reach_of, reach_state
from tui_cnn.core.claims.shifts import equivariance, shift
from tui_cnn.core.claims.translation import SHIFTS, curve, invariance_state
from tui_cnn.core.claims.verdict import (
    CORRECTED,
    FAILS,
    HOLDS,
    NOT_MEASURED,
    STATES,
    Verdict,
    at_least_rule,
    better_rule,
    count_rule,
    no_loss_rule,
)
from tui_cnn.core.config import PRESETS, ConfigError, TrainConfig
from tui_cnn.core.inside.common import load_test_images
from tui_cnn.core.layers import layer_table
from tui_cnn.core.models import build_model
from tui_cnn.core.sweep.stats import Difference


def test_shift_moves_exact_pixels_with_zero_fill_in_each_direction() -> None:
    image = np.arange(1, 17, dtype=np.uint8).reshape(1, 4, 4)
    right = shift(image, 0, 1)
    assert right[0, :, 0].tolist() == [0, 0, 0, 0]
    assert right[0, 0].tolist() == [0, 1, 2, 3]
    left = shift(image, 0, -2)
    assert left[0, 1].tolist() == [7, 8, 0, 0]
    down = shift(image, 1, 0)
    assert down[0, 0].tolist() == [0, 0, 0, 0] and down[0, 1].tolist() == [1, 2, 3, 4]
    up = shift(image, -1, 0)
    assert up[0, 3].tolist() == [0, 0, 0, 0] and up[0, 0].tolist() == [5, 6, 7, 8]
    assert shift(image, 0, 4).sum() == 0 and shift(image, 0, 0).tolist() == image.tolist()
    assert image[0, 0, 0] == 1  # the input is not changed


def test_a_conv_with_a_known_kernel_is_equivariant_away_from_the_border() -> None:
    conv = nn.Conv2d(1, 1, 3, padding=1, bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0],
                                          [1.0, 0.0, -1.0]]]]))
    x = torch.rand(4, 1, 16, 16) + 0.5  # no zeros: the border is visible
    inner, anywhere, size = equivariance(conv, x, pixels=1, border=2)
    assert inner < 1e-6 * size
    assert anywhere > 0.1 * size  # where the zero padding moved
    pool = nn.Sequential(conv, nn.MaxPool2d(2))
    assert equivariance(pool, x, pixels=2, border=1)[0] < 1e-6 * size
    assert equivariance(pool, x, pixels=1, border=1)[0] > 1e-3


def test_locally_and_fully_connected_counts_for_the_chapters_cnn() -> None:
    rows = sharing_rows("cnn", "mnist")
    assert [(r.name, r.conv, r.local, r.dense) for r in rows] == [
        ("conv1", 320, 250_880, 19_694_080),  # 25,088 units x (9 + 1); 784 x 25,088 + 25,088
        ("conv2", 18_496, 3_625_216, 78_688_512),  # 12,544 x (288 + 1); 6,272 x 12,544 + ...
    ]


def test_conv2s_empirical_receptive_field_lies_in_and_fills_its_8x8() -> None:
    cfg = TrainConfig(train_size=200, test_size=60)
    info_shape = (1, 28, 28)
    torch.manual_seed(0)
    model = build_model(PRESETS["cnn"], info_shape, 10)
    table = layer_table(PRESETS["cnn"], info_shape, 10)
    reach = reach_of(model, table, "conv2", load_test_images(cfg), images=60)
    assert reach.rf == 8 and reach.outside == 0
    assert reach.union == 1.0  # over many images every pixel of the window is reached
    assert reach.per_image < 1.0  # one image reaches less: MaxPool picks one of four
    conv1 = reach_of(model, table, "conv1", load_test_images(cfg), images=5)
    assert conv1.rf == 3 and conv1.outside == 0 and conv1.union == 1.0


def d(diff: float, half: float | None) -> Difference:
    return Difference(diff, half, 4.0, 3, 3)


def test_verdict_rules_on_made_up_results() -> None:
    assert count_rule(170_000, 421_642) == CORRECTED
    assert count_rule(110_000, 109_386) == HOLDS
    assert at_least_rule(0.991, 0.99) == HOLDS and at_least_rule(0.98, 0.99) == FAILS
    assert at_least_rule(None, 0.99) == NOT_MEASURED
    assert better_rule(d(0.02, 0.01)) == HOLDS
    assert better_rule(d(-0.02, 0.01)) == FAILS
    assert better_rule(d(0.005, 0.01)) == FAILS  # no difference detectable
    assert better_rule(d(-0.02, 0.01), claimed_higher=False) == HOLDS
    assert better_rule(d(0.02, None)) == NOT_MEASURED and better_rule(None) == NOT_MEASURED
    assert no_loss_rule(d(-0.001, 0.003), 0.005) == HOLDS
    assert no_loss_rule(d(-0.02, 0.005), 0.005) == CORRECTED
    assert conv_state(1e-7, 40.0, on_gpu=False) == CORRECTED
    assert conv_state(1e-7, 900.0, on_gpu=True) == HOLDS
    assert conv_state(0.5, 900.0, on_gpu=True) == FAILS
    assert layer2_state(0.2, 0.6) == HOLDS and layer2_state(0.6, 0.2) == FAILS
    assert layer2_state(0.38, 0.41) == FAILS  # within the margin: not shown


def test_invariance_and_locality_rules_on_made_up_results() -> None:
    flat = np.array([[0.99] * len(SHIFTS)])
    falling = np.array([[0.99, 0.98, 0.9, 0.7, 0.5, 0.3, 0.2]])
    mlp = np.array([[0.97, 0.9, 0.6, 0.4, 0.2, 0.1, 0.1]])
    assert invariance_state({("cnn", "none"): flat, ("mlp", "none"): mlp}) == HOLDS
    assert invariance_state({("cnn", "none"): falling, ("mlp", "none"): mlp}) == CORRECTED
    assert invariance_state({("cnn", "none"): mlp, ("mlp", "none"): mlp}) == FAILS
    inside = [Reach("conv1", 3, 0, 1.0, 0.9), Reach("conv2", 8, 0, 1.0, 0.5)]
    assert reach_state(inside) == HOLDS
    assert reach_state([inside[0], Reach("conv2", 8, 3, 1.0, 0.5)]) == FAILS


def test_every_claim_has_an_id_a_section_and_an_experiment() -> None:
    assert len(BY_ID) == len(CLAIMS) >= 13
    for claim in CLAIMS:
        assert claim.id.startswith(claim.section + "-") and callable(claim.experiment)
    assert [c.id for c in select(["6.2"])] == ["6.2-sharing", "6.2-equivariance",
                                              "6.2-invariance", "6.2-locality"]
    with pytest.raises(ConfigError, match="unknown claim"):
        select(["7.1"])
    with pytest.raises(ValueError):
        Verdict("maybe", "", "")
    assert set(STATES) == {HOLDS, CORRECTED, FAILS, NOT_MEASURED}


def test_invariance_curves_share_one_scale() -> None:
    assert curve(np.array([1.0, 0.5, 0.0])) == "█▅▁"  # 0..100% onto 8 blocks, every row
    assert curve(np.array([0.6, 0.6])) == "▅▅"  # not stretched to the row's own range
