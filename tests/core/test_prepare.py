"""MNIST-style preparation on hand-made strokes: exact boxes, scales and centres of mass."""

from __future__ import annotations

import numpy as np
import pytest

from tui_cnn.core.prepare import (
    bounding_box,
    centre_of_mass,
    fit_size,
    ink_on_dark,
    prepare,
    prepare_colour,
    prepare_grey,
)


def test_a_bar_is_scaled_to_20_wide_keeping_its_aspect_and_centred() -> None:
    drawing = np.zeros((28, 28), np.float32)
    drawing[3:6, 2:12] = 1.0  # 3 x 10, up in the left corner
    out = prepare_grey(drawing)
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert bounding_box(out) == (11, 4, 17, 24)  # 6 x 20: the aspect 3:10 kept
    assert np.allclose(out[11:17, 4:24], 1.0) and out.sum() == pytest.approx(120, abs=1e-3)
    assert centre_of_mass(out) == pytest.approx((13.5, 13.5))


def test_an_l_stroke_lands_by_its_centre_of_mass_not_its_box() -> None:
    drawing = np.zeros((28, 28), np.float32)
    drawing[15:25, 17:19] = 1.0  # upright: 10 tall, 2 wide
    drawing[23:25, 17:27] = 1.0  # foot: 10 wide -> a 10 x 10 L in the lower right
    out = prepare_grey(drawing)
    # scaled x2 to 20 x 20; its centre of mass (13.06, 5.94) in the box moves to 13.5:
    # shifted by round(13.5 - 13.06) = 0 rows and round(13.5 - 5.94) = 8 columns
    assert bounding_box(out) == (0, 8, 20, 28)  # centring the box would give (4, 4, 24, 24)
    row, col = centre_of_mass(out)
    assert abs(row - 13.5) <= 0.5 and abs(col - 13.5) <= 0.5


def test_too_small_and_too_large_strokes_both_end_up_20_pixels() -> None:
    dot = np.zeros((28, 28), np.uint8)
    dot[0:2, 26:28] = 255
    assert bounding_box(prepare_grey(dot)) == (4, 4, 24, 24)
    big = np.zeros((28, 28), np.float32)
    big[1:27, 0:26] = 0.5
    out = prepare_grey(big)
    assert bounding_box(out) == (4, 4, 24, 24)
    assert np.allclose(out[4:24, 4:24], 0.5, atol=1e-4)


def test_blank_stays_blank_and_dark_on_light_is_turned_round() -> None:
    assert not prepare_grey(np.zeros((28, 28))).any()
    scan = np.full((40, 30), 255, np.uint8)
    scan[10:30, 10:15] = 0  # a black upright on white paper
    ink = ink_on_dark(scan)
    assert ink[0, 0] == 0.0 and ink[20, 12] == 1.0
    assert bounding_box(prepare_grey(ink)) == (4, 12, 24, 17)  # 20 x 5, its COM col 2 -> 14


def test_fit_size_keeps_the_aspect() -> None:
    assert fit_size(3, 10, 20) == (6, 20)
    assert fit_size(40, 10, 20) == (20, 5)
    assert fit_size(1, 100, 20) == (1, 20)


def test_colour_square_fills_24_on_the_background_colour() -> None:
    picture = np.full((3, 32, 32), 0.5, np.float32)
    picture[:, 0:8, 0:8] = np.array([1.0, 0.0, 0.0])[:, None, None]  # red, top left
    out = prepare_colour(picture)
    assert out.shape == (3, 32, 32)
    assert np.allclose(out[:, 4:28, 4:28], np.array([1.0, 0.0, 0.0])[:, None, None])
    assert np.allclose(out[:, :4], 0.5) and np.allclose(out[:, :, 28:], 0.5)


def test_prepare_follows_the_models_input_shape() -> None:
    drawing = np.zeros((28, 28), np.float32)
    drawing[3:6, 2:12] = 1.0
    grey = prepare(drawing, (1, 28, 28))
    assert grey.shape == (1, 28, 28) and bounding_box(grey[0]) == (11, 4, 17, 24)
    colour = prepare(drawing, (3, 32, 32))
    assert colour.shape == (3, 32, 32) and np.array_equal(colour[0], colour[2])
    assert bounding_box(colour[0]) == (13, 4, 20, 28)  # 7 x 24 (3:10 of 24 rounds to 7)


def test_faint_noise_does_not_widen_the_box() -> None:
    """Noise of 1-3/255 over the whole picture made the box the whole picture, so the stroke
    was shrunk into 20x20 and misread; now the noise is below FAINT x the brightest."""
    drawing = np.zeros((28, 28), np.float32)
    drawing[3:6, 2:12] = 1.0  # the bar of the first test
    noise = np.random.default_rng(0).integers(0, 4, (28, 28)).astype(np.float32) / 255
    noisy = np.maximum(drawing, noise)
    assert bounding_box(noisy) == (3, 2, 6, 12)
    assert bounding_box(noisy, threshold=1e-3) == (0, 0, 28, 28)  # the old rule
    clean, prepared = prepare_grey(drawing), prepare_grey(noisy)
    assert bounding_box(clean) == bounding_box(prepared) == (11, 4, 17, 24)
    assert np.abs(clean - prepared).max() < 0.03
    colour = np.full((3, 32, 32), 0.5, np.float32) + noise[None, :1, :1] * 0  # grey ground
    colour[:, 4:10, 4:10] = (1.0, 0.0, 0.0)[0]
    colour += np.random.default_rng(1).integers(0, 4, (3, 32, 32)) / 255
    assert bounding_box(np.abs(colour - 0.5).max(axis=0)) == (4, 4, 10, 10)
