"""Saliency, occlusion and Grad-CAM (Captum) on models whose answer is known."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn

from tui_cnn.core.config import preset
from tui_cnn.core.inside.attribution import attribute, explain, occlusion_window
from tui_cnn.core.inside.common import InsideError
from tui_cnn.core.models import build_model


def top_left_reader() -> nn.Sequential:
    """Two logits that read only the top-left 14x14 quadrant of a 28x28 image."""
    torch.manual_seed(0)
    model = nn.Sequential(OrderedDict(flatten=nn.Flatten(), fc1=nn.Linear(784, 2)))
    mask = torch.zeros(28, 28)
    mask[:14, :14] = 1
    with torch.no_grad():
        model.fc1.weight.mul_(mask.flatten())
    return model


def test_saliency_of_a_top_left_reader_is_zero_elsewhere() -> None:
    x = torch.rand(1, 1, 28, 28)
    result = attribute(top_left_reader(), x, 1, "saliency")
    assert result.values.shape == (28, 28) and not result.signed
    outside = result.values.copy()
    outside[:14, :14] = 0
    assert np.all(outside == 0)
    assert np.count_nonzero(result.values[:14, :14]) == 196
    assert result.values.max() == pytest.approx(1.0)
    expected = top_left_reader().fc1.weight[1].abs().reshape(28, 28).detach().numpy()
    np.testing.assert_allclose(result.values * result.scale, expected, rtol=1e-5)


def test_occlusion_of_a_top_left_reader_is_zero_elsewhere() -> None:
    x = torch.rand(1, 1, 28, 28) + 0.5
    model = top_left_reader()
    aligned = attribute(model, x, 0, "occlusion", window=7, stride=7)
    assert aligned.signed
    assert np.all(aligned.values[14:, :] == 0) and np.all(aligned.values[:, 14:] == 0)
    assert np.count_nonzero(aligned.values[:14, :14]) == 196
    default = attribute(model, x, 0, "occlusion")  # 4x4 windows, stride 2
    assert occlusion_window(28) == (4, 2)
    reach = 14 + 4 - 2  # a window that starts inside the quadrant ends at most 2 pixels past it
    assert np.all(default.values[reach:, :] == 0) and np.all(default.values[:, reach:] == 0)


def bar_classifier() -> nn.Sequential:
    """Class 0 = 'there is a vertical bar', class 1 = 'there is a horizontal bar'."""
    vertical = torch.tensor([[-1.0, 2.0, -1.0]] * 3)
    model = nn.Sequential(OrderedDict(
        conv1=nn.Conv2d(1, 2, 3, stride=2, padding=1), relu1=nn.ReLU(),
        pool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(), fc1=nn.Linear(2, 2)))
    with torch.no_grad():
        model.conv1.weight.copy_(torch.stack([vertical, vertical.T])[:, None])
        model.conv1.bias.zero_()
        model.fc1.weight.copy_(torch.eye(2))
        model.fc1.bias.zero_()
    return model


@pytest.mark.parametrize(("target", "region"), [(0, (slice(0, 14), slice(0, 14))),
                                                (1, (slice(14, 28), slice(14, 28)))])
def test_gradcam_peaks_where_the_class_evidence_is(target: int, region: tuple) -> None:
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 2:9, 4] = 1.0  # a vertical bar, top left
    x[0, 0, 22, 16:25] = 1.0  # a horizontal bar, bottom right
    result = attribute(bar_classifier(), x, target, "gradcam")
    assert result.values.shape == (28, 28)  # the 14x14 conv map upsampled
    y, xx = np.unravel_index(int(np.argmax(result.values)), result.values.shape)
    assert region[0].start <= y < region[0].stop and region[1].start <= xx < region[1].stop
    inside = result.values[region].sum()
    assert inside / result.values.sum() > 0.9


def test_gradcam_on_an_mlp_says_what_works() -> None:
    with pytest.raises(InsideError, match="MLP.*saliency and occlusion work"):
        attribute(top_left_reader(), torch.rand(1, 1, 28, 28), 0, "gradcam")


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32)])
def test_every_method_works_on_grey_and_colour_images(shape: tuple) -> None:
    torch.manual_seed(0)
    model = build_model(preset("cnn"), shape, 10).eval()
    x = torch.randn(1, *shape)
    for method in ("saliency", "occlusion", "gradcam"):
        result = explain(model, x, 3, method)
        for m in (result.for_predicted, result.for_label):
            assert m.values.shape == shape[1:] and np.isfinite(m.values).all()
            assert np.abs(m.values).max() <= 1.0 + 1e-6
        assert result.probabilities.sum() == pytest.approx(1.0)
        assert result.for_label.target == 3
