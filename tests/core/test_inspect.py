"""Edge scores, confusion matrix, the chapter's naive conv, activations, top-k."""

from __future__ import annotations

import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tui_cnn.core.inspect import (
    ANGLES,
    activations,
    confusion_matrix,
    conv_weights,
    edge_scores,
    edge_summary,
    edge_templates,
    misclassified,
    top_k,
)
from tui_cnn.core.naive_conv import compare_conv, naive_conv2d

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])  # brighter right
SOBEL_UP = SOBEL_X.T[::-1].copy()  # [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]: brighter upwards
DIAG_UP_RIGHT = np.array([[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]])


@pytest.mark.parametrize(("kernel", "angle"), [
    (SOBEL_X, 0), (-SOBEL_X, 180), (SOBEL_UP, 90), (-SOBEL_UP, 270),
    (DIAG_UP_RIGHT, 45), (-DIAG_UP_RIGHT, 225),
    (np.fliplr(DIAG_UP_RIGHT), 135), (-np.fliplr(DIAG_UP_RIGHT), 315),
    (3.0 * SOBEL_X + 5.0, 0),  # scale and offset do not change Pearson r
])
def test_hand_made_edge_kernels_score_with_the_right_orientation(
        kernel: np.ndarray, angle: int) -> None:
    (score,) = edge_scores(kernel[None, None])
    assert score.angle == angle
    assert score.edge_like and score.r > 0.9


def test_templates_are_sobel_at_the_axes_and_opposite_angles_are_negatives() -> None:
    for k in (3, 5, 7):
        templates = edge_templates(k)
        assert sorted(templates) == list(ANGLES)
        assert all(t.shape == (k, k) for t in templates.values())
        for angle in (0, 45, 90, 135):
            assert np.allclose(templates[angle + 180], -templates[angle])
    assert np.array_equal(edge_templates(3)[0], SOBEL_X)
    assert np.array_equal(edge_templates(3)[90], SOBEL_UP)
    assert np.array_equal(edge_templates(5)[0][2], [-6, -12, 0, 12, 6])
    with pytest.raises(ValueError):
        edge_templates(4)


@pytest.mark.parametrize("k", [3, 5, 7])
def test_random_noise_is_rarely_edge_like(k: int) -> None:
    weights = np.random.default_rng(0).normal(size=(200, 1, k, k))
    scores = edge_scores(weights)
    assert sum(s.edge_like for s in scores) < 0.2 * len(scores)


def test_larger_sobel_kernels_score_edge_like() -> None:
    for k in (5, 7):
        weights = np.stack([edge_templates(k)[a] for a in ANGLES])[:, None]
        assert [s.angle for s in edge_scores(weights)] == list(ANGLES)


def test_multichannel_mean_and_best() -> None:
    noise = np.random.default_rng(1).normal(size=(3, 3))
    weights = np.stack([SOBEL_X, -SOBEL_X, noise])[None]  # mean = noise / 3
    assert not edge_scores(weights)[0].edge_like
    best = edge_scores(weights, channels="best")[0]
    assert (best.channel, best.angle, best.edge_like) == (0, 0, True)
    assert edge_scores(np.stack([SOBEL_UP] * 3)[None])[0].angle == 90


def test_threshold_flat_filters_and_summary() -> None:
    weights = np.stack([SOBEL_X, DIAG_UP_RIGHT, np.zeros((3, 3))])[:, None]
    scores = edge_scores(weights, threshold=0.95)
    assert [s.edge_like for s in scores] == [True, False, False]
    assert scores[2].r == 0.0
    assert edge_summary(scores) == "1 of 3 filters are edge-like (|r| > 0.95)"
    assert edge_summary(edge_scores(weights)) == "2 of 3 filters are edge-like (|r| > 0.8)"
    assert edge_summary([]) == "0 of 0 filters are edge-like (|r| > 0.8)"


def test_confusion_matrix_and_misclassified() -> None:
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 0])
    cm = confusion_matrix(y_true, y_pred, 3)
    assert cm.dtype == np.int64
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [2, 0, 1]]
    assert cm.sum() == len(y_true)
    assert misclassified(y_true, y_pred, 2, 0).tolist() == [5, 6]
    assert misclassified(y_true, y_pred, 1, 1).tolist() == [2, 3]
    assert misclassified(y_true, y_pred, 1, 2).tolist() == []
    assert confusion_matrix(torch.tensor([1]), torch.tensor([0]), 2).tolist() == [[0, 0], [1, 0]]
    with pytest.raises(ValueError):
        confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError):
        confusion_matrix([0, 1], [0], 3)


def test_naive_conv_matches_torch() -> None:
    rng = np.random.default_rng(2)
    image, kernel = rng.random((12, 9)), rng.normal(size=(3, 2))
    expected = F.conv2d(torch.tensor(image)[None, None], torch.tensor(kernel)[None, None])
    out = naive_conv2d(image, kernel)
    assert out.shape == (10, 8)
    assert np.max(np.abs(out - expected[0, 0].numpy())) < 1e-5


def test_compare_conv_on_a_28x28_image() -> None:
    rng = np.random.default_rng(3)
    result = compare_conv(rng.random((28, 28)), SOBEL_X, min_seconds=0.01, threads=1)
    assert result.naive_out.shape == result.torch_out.shape == (26, 26)
    assert result.max_abs_diff < 1e-5
    assert result.naive_seconds > 0 and result.torch_seconds > 0
    assert result.speed_ratio == pytest.approx(result.naive_seconds / result.torch_seconds)
    with pytest.raises(ValueError):
        compare_conv(np.zeros((2, 2)), SOBEL_X)


def _small_cnn() -> nn.Sequential:
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 4, 3, padding=1)), ("relu1", nn.ReLU(inplace=True)),
        ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(4, 6, 3, padding=1)), ("relu2", nn.ReLU()),
        ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()), ("fc1", nn.Linear(6 * 2 * 2, 8)),
        ("fc1_relu", nn.ReLU()), ("fc1_drop", nn.Dropout(0.5)), ("fc2", nn.Linear(8, 3)),
    ]))


def test_activations_shapes_names_and_copies() -> None:
    torch.manual_seed(0)
    model = _small_cnn().train()
    image = np.random.default_rng(4).normal(size=(1, 8, 8)).astype(np.float32)
    acts = activations(model, image)
    assert list(acts) == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]
    assert {name: a.shape for name, a in acts.items()} == {
        "conv1": (4, 8, 8), "relu1": (4, 8, 8), "pool1": (4, 4, 4),
        "conv2": (6, 4, 4), "relu2": (6, 4, 4), "pool2": (6, 2, 2)}
    assert all(a.dtype == np.float32 for a in acts.values())
    assert acts["conv1"].min() < 0  # not overwritten by the in-place ReLU after it
    assert np.array_equal(acts["relu1"], np.maximum(acts["conv1"], 0))
    assert model.training  # mode restored
    assert not model[0]._forward_hooks  # hooks removed
    with torch.no_grad():
        direct = model[0](torch.from_numpy(image)[None])[0].numpy()
    assert np.allclose(acts["conv1"], direct, atol=1e-6)
    assert activations(model, torch.from_numpy(image)[None]).keys() == acts.keys()
    assert activations(model, image[0], prefixes=("fc",)).keys() == {
        "fc1", "fc1_relu", "fc1_drop", "fc2"}


def test_conv_weights() -> None:
    weights = conv_weights(_small_cnn())
    assert {name: w.shape for name, w in weights.items()} == {
        "conv1": (4, 1, 3, 3), "conv2": (6, 4, 3, 3)}


def test_top_k() -> None:
    logits = torch.tensor([[1.0, 3.0, 3.0, -2.0]])
    top = top_k(logits, k=3)
    assert [i for i, _ in top] == [1, 2, 0]  # ties keep class order
    probs = np.exp([1.0, 3.0, 3.0, -2.0]) / np.exp([1.0, 3.0, 3.0, -2.0]).sum()
    assert [p for _, p in top] == pytest.approx([probs[1], probs[2], probs[0]])
    assert len(top_k(np.array([0.0, 1.0]), k=5)) == 2
    assert top_k(logits.bfloat16(), k=1)[0][0] == 1
    with pytest.raises(ValueError):
        top_k(np.zeros((2, 3)))


def test_importing_inspect_does_not_import_torch() -> None:
    code = "import sys, tui_cnn.core.inspect; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
