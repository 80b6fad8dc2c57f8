"""Embeddings (PCA), per-class accuracy and layer statistics against hand-worked answers."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn

from tui_cnn.core.inside.common import TestImages
from tui_cnn.core.inside.embed import class_accuracy, embed, pca_2d
from tui_cnn.core.inside.layer_stats import (
    LayerStats,
    stats_event,
    stats_record,
    weight_histograms,
)


def test_pca_separates_two_well_separated_clusters() -> None:
    rng = np.random.default_rng(0)
    direction = rng.normal(size=16)
    direction /= np.linalg.norm(direction)
    a = rng.normal(scale=0.1, size=(100, 16)) + 5 * direction
    b = rng.normal(scale=0.1, size=(80, 16)) - 5 * direction
    points, explained = pca_2d(torch.tensor(np.vstack([a, b]), dtype=torch.float32))
    first = points[:, 0]
    assert (np.all(first[:100] > 0) and np.all(first[100:] < 0)) or \
        (np.all(first[:100] < 0) and np.all(first[100:] > 0))
    assert explained[0] > 0.99 and explained[1] < 0.01
    assert abs(first[:100].mean() - first[100:].mean()) == pytest.approx(10, rel=0.02)
    again, _ = pca_2d(torch.tensor(np.vstack([a, b]), dtype=torch.float32))
    np.testing.assert_array_equal(points, again)  # seeded: the same picture every time


def test_class_accuracy_by_hand() -> None:
    labels = np.array([0, 0, 0, 1, 1, 2])
    predicted = np.array([0, 1, 0, 1, 0, 0])
    acc, counts = class_accuracy(labels, predicted, 4)
    assert counts.tolist() == [3, 2, 1, 0]
    assert acc[:3].tolist() == [2 / 3, 1 / 2, 0.0] and math.isnan(acc[3])


def test_embed_reads_the_input_of_the_last_linear() -> None:
    """Images of 2 pixels; fc1 copies them, fc2 says class 1 when pixel 1 is brighter."""
    model = nn.Sequential(OrderedDict(flatten=nn.Flatten(), fc1=nn.Linear(2, 2),
                                      fc1_relu=nn.ReLU(), fc2=nn.Linear(2, 2)))
    with torch.no_grad():
        model.fc1.weight.copy_(torch.eye(2))
        model.fc1.bias.zero_()
        model.fc2.weight.copy_(torch.tensor([[1.0, -1.0], [-1.0, 1.0]]))
        model.fc2.bias.zero_()
    images = np.array([[200, 10], [10, 200], [150, 100], [100, 150], [30, 220]],
                      dtype=np.uint8).reshape(5, 1, 1, 2)
    labels = np.array([0, 1, 1, 1, 0])
    test = TestImages(images, labels, (0.0,), (1.0,), ("a", "b"))
    result = embed(model, test, epoch=3)
    assert result.layer == "fc2" and result.feature_dim == 2 and result.epoch == 3
    assert result.predicted.tolist() == [0, 1, 0, 1, 1]
    assert result.class_counts.tolist() == [2, 3]
    assert result.class_accuracy.tolist() == [0.5, 2 / 3]
    assert result.accuracy == pytest.approx(3 / 5)
    assert result.points.shape == (5, 2) and result.explained.sum() == pytest.approx(1.0)


def tiny() -> nn.Sequential:
    model = nn.Sequential(OrderedDict(fc1=nn.Linear(2, 2, bias=False),
                                      fc2=nn.Linear(2, 1, bias=False)))
    with torch.no_grad():
        model.fc1.weight.copy_(torch.tensor([[3.0, 0.0], [0.0, 4.0]]))  # norm 5
        model.fc2.weight.copy_(torch.tensor([[1.0, 2.0]]))  # norm sqrt(5)
    return model


def test_layer_stats_match_hand_computed_values() -> None:
    model = tiny()
    stats = LayerStats(model)
    assert stats.names == ["fc1", "fc2"]
    first = stats.measure()
    assert first["fc1"] == pytest.approx((5.0, 0.0, 0.0))  # no gradient, no update yet
    x = torch.tensor([[1.0, 1.0]])
    model(x).sum().backward()  # d/dW1 = outer(w2, x) = [[1, 1], [2, 2]]; d/dW2 = W1 x = [3, 4]
    with torch.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    measured = stats.measure()
    # fc1 after: [[2.9, -0.1], [-0.2, 3.8]]; update norm 0.1 * sqrt(1 + 1 + 4 + 4)
    w1 = math.sqrt(2.9 ** 2 + 0.1 ** 2 + 0.2 ** 2 + 3.8 ** 2)
    assert measured["fc1"] == pytest.approx((w1, math.sqrt(10), 0.1 * math.sqrt(10) / w1),
                                            rel=1e-6)
    w2 = math.sqrt(0.7 ** 2 + 1.6 ** 2)  # [1, 2] - 0.1 * [3, 4]
    assert measured["fc2"] == pytest.approx((w2, 5.0, 0.5 / w2), rel=1e-6)
    again = stats.measure()  # no change since: update 0
    assert again["fc2"][2] == 0.0
    row = stats_record(7, 1, again)
    assert row["step"] == 7 and row["layers"]["fc1"]["weight_norm"] == pytest.approx(w1)
    event = stats_event(7, 1, measured)
    assert event.layers == ("fc1", "fc2") and event.step == 7
    np.testing.assert_allclose(event.grad_norm, [math.sqrt(10), 5.0], rtol=1e-6)
    np.testing.assert_allclose(event.update_ratio, [0.1 * math.sqrt(10) / w1, 0.5 / w2],
                               rtol=1e-6)


def test_weight_histograms_count_every_weight() -> None:
    counts, edges = weight_histograms(tiny().state_dict(), bins=4)["fc1.weight"]
    assert counts.tolist() == [2, 0, 0, 2]  # 0, 0 | - | - | 3, 4 (the last bin is closed)
    assert edges.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert set(weight_histograms(tiny().state_dict())) == {"fc1.weight", "fc2.weight"}
