"""Exact parameter counts and shapes: the layer table on paper agrees with torch."""

from __future__ import annotations

import pytest
import torch

from tui_cnn.core.config import PRESETS, ArchSpec, ConfigError
from tui_cnn.core.layers import layer_table
from tui_cnn.core.models import build_model, count_params, first_layer_name

MNIST, CIFAR = (1, 28, 28), (3, 32, 32)


@pytest.mark.parametrize(("arch", "shape", "expected"), [
    ("cnn", MNIST, 421_642),
    ("mlp", MNIST, 109_386),
    ("cnn", CIFAR, 545_098),
    ("cnn-stride2", MNIST, 421_642),
    ("mlp", CIFAR, 3072 * 128 + 128 + 128 * 64 + 64 + 650),
])
def test_exact_parameter_counts(arch: str, shape: tuple[int, int, int], expected: int) -> None:
    model = build_model(PRESETS[arch], shape, 10)
    assert count_params(model) == expected
    assert layer_table(PRESETS[arch], shape, 10).params == expected


@pytest.mark.parametrize("arch", list(PRESETS))
@pytest.mark.parametrize("shape", [MNIST, CIFAR])
def test_table_matches_torch_layer_by_layer(arch: str, shape: tuple[int, int, int]) -> None:
    table = layer_table(PRESETS[arch], shape, 10)
    model = build_model(PRESETS[arch], shape, 10)
    x = torch.zeros(2, *shape)
    for layer, (name, module) in zip(table.layers, model.named_children(), strict=True):
        assert layer.name == name
        x = module(x)
        assert tuple(x.shape[1:]) == layer.out_shape, name
        assert sum(p.numel() for p in module.parameters()) == layer.params, name
    assert tuple(x.shape) == (2, 10)


def test_chapter_cnn_layers_and_formulas() -> None:
    table = layer_table(PRESETS["cnn"], MNIST, 10)
    by_name = {layer.name: layer for layer in table.layers}
    assert by_name["conv1"].formula == "32x1x3x3 + 32 = 320"
    assert by_name["conv2"].formula == "64x32x3x3 + 64 = 18,496"
    assert by_name["fc1"].params == 3136 * 128 + 128
    assert by_name["pool2"].out_shape == (64, 7, 7)
    assert round(table.share(by_name["fc1"]), 3) == 0.952
    assert table.macs == 4_241_152  # 8.48 MFLOP forward, as measured in PITFALLS


def test_stride2_same_params_fewer_macs() -> None:
    pooled = layer_table(PRESETS["cnn"], MNIST, 10)
    strided = layer_table(PRESETS["cnn-stride2"], MNIST, 10)
    assert pooled.params == strided.params
    assert strided.macs < pooled.macs / 3
    assert not any(layer.kind == "MaxPool2d" for layer in strided.layers)


def test_shapes_that_do_not_fit_name_the_layer() -> None:
    deep = ArchSpec(conv_channels=(8, 8, 8, 8, 8, 8), downsample="maxpool")
    with pytest.raises(ConfigError, match=r"pool5: the 1x1 feature map is too small"):
        layer_table(deep, MNIST, 10)


def test_first_layer_is_the_conv_or_the_mlp_linear() -> None:
    assert first_layer_name(build_model(PRESETS["cnn"], MNIST, 10)) == "conv1"
    assert first_layer_name(build_model(PRESETS["mlp"], MNIST, 10)) == "fc1"


@pytest.mark.parametrize("arch", list(PRESETS))
def test_pool_then_relu_is_the_same_function_with_the_same_gradients(arch: str) -> None:
    from tui_cnn.core.models import pool_then_relu

    torch.manual_seed(0)
    model = build_model(PRESETS[arch], MNIST, 10).double().eval()  # eval: dropout off
    x = torch.randn(6, *MNIST, dtype=torch.float64)
    expected = model(x)
    expected.square().sum().backward()
    grads = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    model.zero_grad()
    got = pool_then_relu(model)(x)
    got.square().sum().backward()
    assert torch.equal(got, expected)
    assert all(torch.equal(p.grad, g) for p, g in
               zip([p for p in model.parameters() if p.grad is not None], grads, strict=True))


def test_pool_then_relu_swaps_only_relu_pool_pairs() -> None:
    from tui_cnn.core.models import pool_then_relu

    model = build_model(PRESETS["cnn"], MNIST, 10)
    calls: list[str] = []
    for name, module in model.named_children():
        module.register_forward_hook(lambda _m, _i, _o, name=name: calls.append(name))
    pool_then_relu(model)(torch.zeros(1, *MNIST))
    # relu1 and relu2 run fused after their pools (no hook), fc1_relu has no pool after it
    assert "relu1" not in calls and "pool1" in calls and "fc1_relu" in calls
