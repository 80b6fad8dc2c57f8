"""Top patches: a hand-set vertical-bar channel finds the vertical bars, where they are."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tui_cnn.core.config import ArchSpec, preset
from tui_cnn.core.inside.common import InsideError, TestImages
from tui_cnn.core.inside.geometry import Geometry, crop, crop_window, unit_geometry
from tui_cnn.core.inside.orientation import orientation
from tui_cnn.core.inside.patches import cache_path, cached_top_patches, top_patches
from tui_cnn.core.layers import layer_table
from tui_cnn.core.models import build_model

VERTICAL = np.array([[-1.0, 2.0, -1.0]] * 3)
SHAPE = (1, 28, 28)


def bars_model() -> tuple[torch.nn.Sequential, object]:
    """conv1 channel 0 = vertical-bar detector, channel 1 = horizontal-bar detector."""
    spec = ArchSpec(conv_channels=(2,), hidden=())
    model = build_model(spec, SHAPE, 10)
    with torch.no_grad():
        model.conv1.weight.zero_()
        model.conv1.bias.zero_()
        model.conv1.weight[0, 0] = torch.tensor(VERTICAL)
        model.conv1.weight[1, 0] = torch.tensor(VERTICAL.T)
    return model, layer_table(spec, SHAPE, 10)


def bar_images() -> tuple[TestImages, dict[int, tuple[int, int]]]:
    """8 images: vertical 3-pixel bars (bright 250, 200, 150, and one at column 0),
    horizontal bars and a blank; returns the vertical bars' centres by image."""
    images = np.zeros((8, *SHAPE), dtype=np.uint8)
    centres = {1: (5, 7), 3: (20, 14), 6: (12, 22), 4: (11, 0)}
    brightness = {1: 250, 3: 200, 6: 150, 4: 100}
    for index, (y, x) in centres.items():
        images[index, 0, y - 1:y + 2, x] = brightness[index]
    for index, (y, x) in {0: (9, 9), 2: (15, 3), 5: (24, 20)}.items():
        images[index, 0, y, x - 1:x + 2] = 240 - 10 * index
    labels = np.arange(8, dtype=np.int64)
    return TestImages(images, labels, (0.0,), (1.0,), tuple(map(str, range(10)))), centres


def test_the_vertical_bar_channel_gets_the_vertical_bars_at_their_centres() -> None:
    model, table = bars_model()
    test, centres = bar_images()
    result = top_patches(model, table, test, 1, k=4, chunk=3)
    assert result.name == "conv1" and result.geometry == Geometry(3, 1, -1)
    assert result.images[0].tolist() == [1, 3, 6, 4]  # brightest bar first
    assert [(int(y), int(x)) for y, x in zip(result.ys[0], result.xs[0], strict=True)] == \
        [centres[i] for i in (1, 3, 6, 4)]
    np.testing.assert_allclose(result.values[0], np.array([250, 200, 150, 100]) / 255 * 6,
                               rtol=1e-5)
    assert result.tiles.shape == (2, 4, 1, 3, 3)  # conv1 sees 3x3
    for j, b in enumerate((250, 200, 150, 100)):
        expected = np.zeros((3, 3), np.uint8)
        expected[:, 1] = b
        np.testing.assert_array_equal(result.tiles[0, j, 0], expected)
    assert result.inside[0, 3].tolist() == [0, 3, 1, 3]  # column 0: the left of the tile padded
    assert set(result.images[1, :3].tolist()) == {0, 2, 5}  # horizontal bars
    assert result.kinds.tolist() == ["edge", "edge"]
    assert result.angles[0] == pytest.approx(0.0, abs=1e-6)  # gradient across the columns
    # its 4th patch is a vertical bar's weak response (1/6 of its peak): mostly horizontal
    assert result.angles[1] == pytest.approx(90.0, abs=5.0)
    assert result.summary.startswith("conv1: 2 of 2 channels' top-4 patches share one "
                                     "orientation (edge-like), 0 mix")
    assert "method: structure tensor" in result.summary


def test_chunked_running_top_k_equals_a_full_sort() -> None:
    torch.manual_seed(0)
    spec = preset("cnn-small")
    model, table = build_model(spec, SHAPE, 10).eval(), layer_table(spec, SHAPE, 10)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (50, *SHAPE), dtype=np.uint8)
    test = TestImages(images, np.zeros(50, np.int64), (0.5,), (0.25,), tuple("0123456789"))
    result = top_patches(model, table, test, 2, k=5, chunk=7)
    with torch.inference_mode():
        act = model[:5](test.batch(0, 50))  # conv1 relu1 pool1 conv2 relu2
    assert list(dict(model.named_children()))[4] == "relu2"
    maxima = act.flatten(2).amax(2).numpy()  # (50, 16)
    expected = -np.sort(-maxima, axis=0)[:5].T  # (16, 5) best first
    np.testing.assert_allclose(result.values, expected, rtol=1e-6)
    picked = maxima[result.images, np.arange(16)[:, None]]  # ties may pick either image
    np.testing.assert_allclose(picked, expected, rtol=1e-6)
    assert len(set(result.images[0].tolist())) == 5
    assert result.tiles.shape == (16, 5, 1, 8, 8)  # conv2 after a 2x2 pool sees 8x8


@pytest.mark.parametrize("arch", ["cnn", "cnn-stride2"])
def test_the_crop_window_is_where_the_gradient_of_a_unit_reaches(arch: str) -> None:
    torch.manual_seed(1)
    spec = preset(arch)
    model, table = build_model(spec, SHAPE, 10), layer_table(spec, SHAPE, 10)
    geometry = unit_geometry(table, "conv2")
    assert geometry.rf == (8 if arch == "cnn" else 7)
    for y, x in ((0, 0), (3, 5), (6, 6)):
        x_in = torch.rand(1, *SHAPE, requires_grad=True)
        upto = list(dict(model.named_children())).index("relu2") + 1
        model[:upto](x_in)[0, :, y, x].sum().backward()
        assert x_in.grad is not None
        rows, cols = np.nonzero(x_in.grad[0, 0].numpy())
        top, left = crop_window(y, x, geometry)
        assert rows.min() >= top and rows.max() < top + geometry.rf
        assert cols.min() >= left and cols.max() < left + geometry.rf
        if arch == "cnn-stride2":  # no max-pool: the gradient fills the clipped window
            assert rows.min() == max(top, 0) and cols.max() == min(left + geometry.rf, 28) - 1


def test_crop_clips_at_the_border_and_pads_the_tile() -> None:
    image = np.arange(1, 26, dtype=np.uint8).reshape(1, 5, 5)
    tile, inside = crop(image, -2, 3, 4)
    assert inside == (2, 4, 0, 2)
    expected = np.zeros((4, 4), np.uint8)
    expected[2:4, 0:2] = image[0, 0:2, 3:5]
    np.testing.assert_array_equal(tile[0], expected)


def test_orientation_tells_an_edge_from_a_corner() -> None:
    edge = np.zeros((1, 6, 6))
    edge[:, :, 3:] = 1.0
    corner = np.zeros((1, 6, 6))
    corner[:, 3:, 3:] = 1.0
    assert orientation([edge, edge]).kind == "edge"
    found = orientation([corner])
    assert found.kind == "corner" and found.coherence < 0.2
    assert orientation([np.zeros((1, 4, 4))]).kind == "flat"


def test_an_mlp_and_a_layer_out_of_range_are_one_clear_error() -> None:
    test, _ = bar_images()
    mlp = preset("mlp")
    with pytest.raises(InsideError, match="MLP"):
        top_patches(build_model(mlp, SHAPE, 10), layer_table(mlp, SHAPE, 10), test, 1)
    model, table = bars_model()
    with pytest.raises(InsideError, match="1 conv layer.*1 to 1"):
        top_patches(model, table, test, 2)
    result = top_patches(model, table, test, 1, k=2)
    with pytest.raises(InsideError, match="conv1 has 2 channels, 0 to 1"):
        result.check(2)


def test_the_cache_is_reused_and_a_damaged_one_is_rebuilt(tmp_path: Path) -> None:
    model, table = bars_model()
    test, _ = bar_images()
    calls: list[tuple[int, int]] = []
    first, cached = cached_top_patches(tmp_path, model, table, test, 1, epoch=2, k=3,
                                       progress=lambda d, t: calls.append((d, t)))
    assert not cached and calls[-1] == (8, 8)
    path = cache_path(tmp_path, 1, 2)
    assert path.name == "patches-layer1-epoch2.npz" and path.is_file()
    again, cached = cached_top_patches(tmp_path, model, table, test, 1, epoch=2, k=3)
    assert cached
    np.testing.assert_array_equal(again.tiles, first.tiles)
    assert again.summary == first.summary and again.geometry == first.geometry
    path.write_bytes(path.read_bytes()[:100])  # torn
    rebuilt, cached = cached_top_patches(tmp_path, model, table, test, 1, epoch=2, k=3)
    assert not cached
    np.testing.assert_array_equal(rebuilt.images, first.images)
    with torch.no_grad():
        model.conv1.weight.mul_(2)  # other weights: the cache does not answer for them
    assert not cached_top_patches(tmp_path, model, table, test, 1, epoch=2, k=3)[1]
