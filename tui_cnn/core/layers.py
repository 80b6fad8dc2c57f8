"""The layer list of an ArchSpec, worked out on paper: shapes, parameters, multiply-adds.

Pure Python (no torch): the app shows parameter counts before torch is loaded, and
``models.build_model`` builds exactly these layers, in this order, with these names
(a test checks the counts against torch's).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_cnn.core.config import ArchSpec, ConfigError


@dataclass(frozen=True)
class Layer:
    """One layer as the model builder and the parameter table both see it."""

    name: str  # module name inside the model, e.g. "conv1"
    kind: str  # Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Dropout, Linear
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    params: int
    formula: str  # e.g. "32x1x3x3 + 32 = 320"; "" where there are no parameters
    macs: int  # multiply-adds per image
    receptive_field: int | None  # pixels one output unit sees (None: the whole image)
    kernel: int = 0
    stride: int = 1
    padding: int = 0
    features: float = 0.0  # dropout probability for Dropout


@dataclass(frozen=True)
class LayerTable:
    layers: tuple[Layer, ...]
    input_shape: tuple[int, int, int]
    num_classes: int

    @property
    def params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    def share(self, layer: Layer) -> float:
        total = self.params
        return layer.params / total if total else 0.0


class _Walker:
    """Walks the spec front to back, tracking shape and receptive field."""

    def __init__(self, input_shape: tuple[int, int, int]) -> None:
        self.shape: tuple[int, ...] = input_shape
        self.rf = 1
        self.jump = 1
        self.layers: list[Layer] = []

    def add(self, name: str, kind: str, out: tuple[int, ...], params: int = 0,
            formula: str = "", macs: int = 0, **extra: int | float) -> None:
        rf: int | None = self.rf if len(out) == 3 else None
        self.layers.append(Layer(name, kind, self.shape, out, params, formula, macs, rf,
                                 **extra))  # type: ignore[arg-type]
        self.shape = out

    def conv(self, index: int, out_c: int, kernel: int, stride: int) -> None:
        in_c, h, w = self.shape
        pad = kernel // 2
        oh, ow = (h + 2 * pad - kernel) // stride + 1, (w + 2 * pad - kernel) // stride + 1
        if oh < 1 or ow < 1:
            raise ConfigError(f"conv{index}: a {h}x{w} input is too small for this kernel")
        weights = out_c * in_c * kernel * kernel
        formula = f"{out_c}x{in_c}x{kernel}x{kernel} + {out_c} = {weights + out_c:,}"
        self.rf += (kernel - 1) * self.jump
        self.jump *= stride
        self.add(f"conv{index}", "Conv2d", (out_c, oh, ow), weights + out_c, formula,
                 out_c * oh * ow * in_c * kernel * kernel,
                 kernel=kernel, stride=stride, padding=pad)

    def pool(self, index: int) -> None:
        c, h, w = self.shape
        if h < 2 or w < 2:
            raise ConfigError(
                f"pool{index}: the {h}x{w} feature map is too small to pool 2x2; "
                "use fewer conv layers or no downsampling"
            )
        self.rf += self.jump
        self.jump *= 2
        self.add(f"pool{index}", "MaxPool2d", (c, h // 2, w // 2), kernel=2, stride=2)

    def linear(self, name: str, out_f: int) -> None:
        in_f = self.shape[0]
        weights = in_f * out_f
        formula = f"{out_f}x{in_f:,} + {out_f} = {weights + out_f:,}"
        self.add(name, "Linear", (out_f,), weights + out_f, formula, weights)


def layer_table(spec: ArchSpec, input_shape: tuple[int, int, int],
                num_classes: int) -> LayerTable:
    """Every layer of ``spec`` on ``input_shape`` images; ConfigError if shapes do not fit."""
    walk = _Walker(input_shape)
    for i, out_c in enumerate(spec.conv_channels, start=1):
        walk.conv(i, out_c, spec.kernel_size, 2 if spec.downsample == "stride" else 1)
        if spec.batch_norm:
            c = walk.shape[0]
            walk.add(f"bn{i}", "BatchNorm2d", walk.shape, 2 * c, f"2x{c} = {2 * c}")
        walk.add(f"relu{i}", "ReLU", walk.shape)
        if spec.downsample == "maxpool":
            walk.pool(i)
    flat = 1
    for size in walk.shape:
        flat *= size
    walk.add("flatten", "Flatten", (flat,))
    for i, units in enumerate(spec.hidden, start=1):
        walk.linear(f"fc{i}", units)
        walk.add(f"fc{i}_relu", "ReLU", walk.shape)
        if spec.dropout > 0:
            walk.add(f"fc{i}_drop", "Dropout", walk.shape, features=spec.dropout)
    walk.linear(f"fc{len(spec.hidden) + 1}", num_classes)
    return LayerTable(tuple(walk.layers), input_shape, num_classes)


MAX_PARAMS = 100_000_000
"""The most parameters a network may have to be built (400 MB of fp32 weights, more again
for the optimiser): a config asking for more is refused before anything is allocated."""


def check_params(table: LayerTable) -> LayerTable:
    """``table``, or ConfigError with its parameter count when it is above MAX_PARAMS."""
    if table.params > MAX_PARAMS:
        raise ConfigError(f"the network has {table.params:,} parameters "
                          f"({4 * table.params / 2**30:,.1f} GiB of weights), more than the "
                          f"{MAX_PARAMS:,} tui-cnn builds; use fewer or smaller layers")
    return table
