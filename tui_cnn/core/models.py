"""Build a torch model from an ArchSpec: one builder, layer for layer as ``layers.layer_table``."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from tui_cnn.core.config import ArchSpec
from tui_cnn.core.layers import Layer, LayerTable, check_params, layer_table


def _module(layer: Layer) -> nn.Module:
    if layer.kind == "Conv2d":
        return nn.Conv2d(layer.in_shape[0], layer.out_shape[0], layer.kernel,
                         stride=layer.stride, padding=layer.padding)
    if layer.kind == "BatchNorm2d":
        return nn.BatchNorm2d(layer.out_shape[0])
    if layer.kind == "ReLU":
        return nn.ReLU()
    if layer.kind == "MaxPool2d":
        return nn.MaxPool2d(2)
    if layer.kind == "Flatten":
        return nn.Flatten()
    if layer.kind == "Dropout":
        return nn.Dropout(layer.features)
    if layer.kind == "Linear":
        return nn.Linear(layer.in_shape[0], layer.out_shape[0])
    raise ValueError(f"no module for layer kind {layer.kind!r}")


def build_model(spec: ArchSpec, input_shape: tuple[int, int, int],
                num_classes: int) -> nn.Sequential:
    """An ``nn.Sequential`` whose children are named as in the layer table (conv1, pool1, fc1...).

    Raises ConfigError, naming the layer, when the spec's shapes do not fit the input, and
    with the count when it has more than ``layers.MAX_PARAMS`` parameters.
    """
    table = check_params(layer_table(spec, input_shape, num_classes))
    return nn.Sequential(OrderedDict((layer.name, _module(layer)) for layer in table.layers))


def build_with_table(spec: ArchSpec, input_shape: tuple[int, int, int],
                     num_classes: int) -> tuple[nn.Sequential, LayerTable]:
    table = check_params(layer_table(spec, input_shape, num_classes))
    return build_model(spec, input_shape, num_classes), table


def first_layer_name(model: nn.Sequential) -> str:
    """The first conv (or, for an MLP, the first linear) layer: the one whose filters we show."""
    for name, module in model.named_children():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            return name
    raise ValueError("model has no conv or linear layer")


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
