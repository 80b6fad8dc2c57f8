"""The built-in datasets: shapes, determinism, balance, and that they draw something."""

from __future__ import annotations

import numpy as np
import pytest

from tui_cnn.core import catalog, synth

SETS = ("synth-digits", "synth-shapes")


@pytest.mark.parametrize("name", SETS)
def test_shape_dtype_and_labels_match_catalog(name: str) -> None:
    x, y = synth.make(name, 50, seed=3)
    info = catalog.dataset_info(name)
    assert x.shape == (50, *info.shape) and x.dtype == np.uint8
    assert y.shape == (50,) and y.dtype == np.int64
    assert set(y.tolist()) == set(range(info.num_classes))


@pytest.mark.parametrize("name", SETS)
def test_same_seed_same_bytes_other_seed_or_split_differs(name: str) -> None:
    x1, y1 = synth.make(name, 40, seed=7)
    x2, y2 = synth.make(name, 40, seed=7)
    assert x1.tobytes() == x2.tobytes() and np.array_equal(y1, y2)
    x3, _ = synth.make(name, 40, seed=8)
    x4, _ = synth.make(name, 40, seed=7, split="test")
    assert x1.tobytes() != x3.tobytes()
    assert x1.tobytes() != x4.tobytes()


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("size", [100, 103])
def test_classes_are_balanced(name: str, size: int) -> None:
    _, y = synth.make(name, size, seed=0)
    counts = np.bincount(y, minlength=10)
    assert counts.sum() == size and counts.max() - counts.min() <= 1


def test_labels_are_shuffled() -> None:
    _, y = synth.make("synth-digits", 100, seed=0)
    assert not np.array_equal(y, np.arange(100) % 10)


def test_digits_have_ink_on_a_dark_background() -> None:
    x, _ = synth.make("synth-digits", 200, seed=1)
    images = x[:, 0].astype(np.float64)
    assert (images.max(axis=(1, 2)) > 150).all()  # every image has a stroke
    corners = np.concatenate([images[:, :3, :3], images[:, -3:, -3:]], axis=1)
    assert corners.mean() < 20  # background stays dark
    ink = (images > 128).mean(axis=(1, 2))
    assert 0.03 < ink.mean() < 0.35


def test_images_vary_within_a_class() -> None:
    for name in SETS:
        x, y = synth.make(name, 60, seed=2)
        same = x[y == 3].reshape((y == 3).sum(), -1).astype(np.int16)
        assert np.abs(same[0] - same[1]).mean() > 5


def test_shape_classes_follow_catalog_order() -> None:
    assert set(synth._SDF) == set(catalog.SHAPES)
    x, y = synth.sample("synth-shapes", count_per_class=2, seed=0)
    assert x.shape == (20, 3, 32, 32)
    assert y.tolist() == [k for k in range(10) for _ in range(2)]


def test_classes_differ_on_average() -> None:
    """The mean image of each digit class differs: the labels carry information."""
    x, y = synth.make("synth-digits", 500, seed=4)
    means = np.stack([x[y == k].mean(axis=0) for k in range(10)]).reshape(10, -1)
    gaps = np.abs(means[:, None] - means[None]).mean(axis=2)
    assert gaps[~np.eye(10, dtype=bool)].min() > 3


def test_unknown_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="synth-digits"):
        synth.make("mnist", 10)
