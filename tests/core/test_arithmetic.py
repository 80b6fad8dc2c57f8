"""The chapter's arithmetic, checked to the unit."""

from __future__ import annotations

import pytest

from tui_cnn.core import arithmetic
from tui_cnn.core.config import ConfigError


def test_the_chapter_networks_on_mnist() -> None:
    mlp, cnn, stride = arithmetic.chapter_networks("mnist")
    assert (mlp.name, mlp.params, mlp.macs) == ("mlp", 109_386, 109_184)
    assert (cnn.name, cnn.params, cnn.macs) == ("cnn", 421_642, 4_241_152)
    assert (stride.name, stride.params, stride.macs) == ("cnn-stride2", 421_642, 1_362_304)
    assert cnn.first_linear.name == "fc1"
    assert cnn.first_linear.params == 401_536
    assert cnn.first_linear_share == pytest.approx(0.95231, abs=1e-5)
    assert cnn.conv_params == 320 + 18_496
    assert mlp.first_linear.params == 784 * 128 + 128
    assert mlp.conv_params == 0


def test_counts_follow_the_dataset() -> None:
    mlp, cnn, stride = arithmetic.chapter_networks("cifar10")
    assert (mlp.params, cnn.params) == (402_250, 545_098)
    assert cnn.first_linear.params == 4096 * 128 + 128
    assert arithmetic.network_count("cnn", "synth-digits").params == 421_642


def test_the_chapter_sums() -> None:
    small, big = arithmetic.chapter_sums()
    assert (small.inputs, small.units, small.weights) == (784, 128, 100_352)
    assert (big.inputs, big.units, big.weights) == (150_528, 1024, 154_140_672)
    assert arithmetic.millions(big.weights) == "154 million"
    assert arithmetic.sum_line(small) == (
        "784 x 128 = 100,352 weights (a 28x28 image into 128 units)")
    assert "= 154,140,672 ≈ 154 million weights" in arithmetic.sum_line(big)


def test_claim_sentences_state_the_real_counts() -> None:
    lines = arithmetic.claim_sentences("mnist")
    assert lines[0] == (
        "The chapter says its CNN has ~170K parameters; on MNIST it has 421,642 (2.5x that), "
        "95.2% of them in fc1 (128x3,136 + 128 = 401,536); the convolutions hold only 18,816.")
    assert lines[1] == "Its ~110K for the MLP holds: 109,386."
    assert "cut the multiply-adds 3.1x (4,241,152 -> 1,362,304 per image)" in lines[2]
    assert len(lines) == 3  # MNIST-shaped: no extra line
    assert len(arithmetic.claim_sentences("synth-digits")) == 3


def test_claim_sentences_add_a_differently_shaped_dataset() -> None:
    lines = arithmetic.claim_sentences("cifar10")
    assert "421,642" in lines[0]  # the chapter's claim is about MNIST
    assert lines[-1] == "On CIFAR-10 (3x32x32) the same CNN has 545,098, 96.2% in fc1."


def test_unknown_preset_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        arithmetic.network_count("resnet", "mnist")


def test_conv_macs_is_the_valid_output_times_the_kernel() -> None:
    assert arithmetic.conv_macs((28, 28), (3, 3)) == 26 * 26 * 9 == 6_084
    assert arithmetic.conv_macs((2, 2), (3, 3)) == 0


def test_speed_sentence_says_what_was_measured() -> None:
    text = arithmetic.speed_sentence(315.2, "cpu", 1, 6.4e-6, 6_084)
    assert text.startswith("Measured 315x on this CPU with 1 torch thread: 3.2x short of the "
                           "chapter's 1,000x, which it claims for a GPU version.")
    assert "only 6,084 multiply-adds" in text
    assert "6.4 µs per call" in text
    fast = arithmetic.speed_sentence(2500.0, "cuda:0", None, 1e-6, 6_084)
    assert fast.startswith("Measured 2,500x on this cuda:0: at or above the chapter's 1,000x.")
