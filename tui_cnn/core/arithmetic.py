"""The chapter's parameter arithmetic, worked out from the layer tables. Pure Python.

Chapter 5 says: a 784 -> 128 dense layer has 784 x 128 = 100,352 weights; a 224x224x3
image into 1024 units is 154 million; its CNN has "~170K" parameters against the MLP's
"~110K". Here every number is computed, so each claim can be checked on any dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import preset
from tui_cnn.core.layers import Layer, LayerTable, layer_table

CHAPTER_NETWORKS = ("mlp", "cnn", "cnn-stride2")
CHAPTER_DATASET = "mnist"  # the chapter's counts are for MNIST
CHAPTER_CNN_CLAIM = 170_000  # "This network has ~170K parameters"
CHAPTER_MLP_CLAIM = 110_000  # "compared to the MLP's ~110K"


@dataclass(frozen=True)
class NetworkCount:
    """One network on one dataset: totals and its first fully-connected layer."""

    name: str
    dataset: str
    params: int
    macs: int  # multiply-adds per image
    first_linear: Layer
    after_first_linear: int = 0  # parameters of the layers after the first linear one

    @property
    def first_linear_share(self) -> float:
        return self.first_linear.params / self.params if self.params else 0.0

    @property
    def conv_params(self) -> int:
        """Parameters before the first linear layer (convolutions, batch-norm)."""
        return self.params - self.first_linear.params - self.after_first_linear


def first_linear(table: LayerTable) -> Layer:
    """The first Linear layer (every spec ends in one)."""
    return next(layer for layer in table.layers if layer.kind == "Linear")


def count_of(table: LayerTable, name: str, dataset: str) -> NetworkCount:
    """A NetworkCount for ``table`` (built from preset ``name`` on ``dataset``)."""
    fc = first_linear(table)
    after = table.layers[table.layers.index(fc) + 1:]
    return NetworkCount(name, dataset, table.params, table.macs, fc,
                        sum(layer.params for layer in after))


def network_count(name: str, dataset: str) -> NetworkCount:
    """Preset ``name`` on ``dataset``; ConfigError if its shapes do not fit."""
    info = dataset_info(dataset)
    return count_of(layer_table(preset(name), info.shape, info.num_classes), name, dataset)


def chapter_networks(dataset: str) -> list[NetworkCount]:
    """The MLP, the CNN and the stride-2 CNN on ``dataset``."""
    return [network_count(name, dataset) for name in CHAPTER_NETWORKS]


@dataclass(frozen=True)
class DenseSum:
    """The weights of one dense layer: inputs x units (no bias, as the chapter counts)."""

    label: str
    inputs: int
    units: int

    @property
    def weights(self) -> int:
        return self.inputs * self.units


def chapter_sums() -> tuple[DenseSum, DenseSum]:
    """The chapter's two sums: 784 x 128 = 100,352 and 150,528 x 1024 = 154,140,672."""
    return (DenseSum("a 28x28 image into 128 units", 28 * 28, 128),
            DenseSum("a 224x224x3 image into 1024 units", 224 * 224 * 3, 1024))


def millions(value: int) -> str:
    """``154140672`` -> ``"154 million"`` (rounded to a whole million)."""
    return f"{round(value / 1e6):,} million"


def sum_line(s: DenseSum) -> str:
    """E.g. ``784 x 128 = 100,352 weights (a 28x28 image into 128 units)``."""
    big = f" ≈ {millions(s.weights)}" if s.weights >= 10**7 else ""
    return f"{s.inputs:,} x {s.units:,} = {s.weights:,}{big} weights ({s.label})"


def claim_sentences(dataset: str) -> list[str]:
    """The chapter's "~170K" and "~110K" against the real counts on MNIST, the stride-2
    CNN's cost, and, for a differently shaped dataset, the CNN's count there."""
    cnn, mlp, stride = (network_count(n, CHAPTER_DATASET) for n in ("cnn", "mlp", "cnn-stride2"))
    fc = cnn.first_linear
    lines = [
        f"The chapter says its CNN has ~{CHAPTER_CNN_CLAIM // 1000}K parameters; on MNIST it "
        f"has {cnn.params:,} ({cnn.params / CHAPTER_CNN_CLAIM:.1f}x that), "
        f"{100 * cnn.first_linear_share:.1f}% of them in {fc.name} ({fc.formula}); "
        f"the convolutions hold only {cnn.conv_params:,}.",
        f"Its ~{CHAPTER_MLP_CLAIM // 1000}K for the MLP holds: {mlp.params:,}.",
        f"Stride-2 convs instead of MaxPool keep the parameters ({stride.params:,}: both "
        f"flatten {stride.first_linear.in_shape[0]:,} values into {fc.name}, and a conv's "
        f"weights do not depend on its stride) but cut the multiply-adds "
        f"{cnn.macs / stride.macs:.1f}x ({cnn.macs:,} -> {stride.macs:,} per image).",
    ]
    info = dataset_info(dataset)
    if info.shape != dataset_info(CHAPTER_DATASET).shape:
        there = network_count("cnn", dataset)
        lines.append(f"On {info.title} ({'x'.join(map(str, info.shape))}) the same CNN has "
                     f"{there.params:,}, {100 * there.first_linear_share:.1f}% in "
                     f"{there.first_linear.name}.")
    return lines


CHAPTER_CONV_CLAIM = 1000  # "The GPU-optimized version is 1000x faster"


def conv_macs(image_shape: tuple[int, int], kernel_shape: tuple[int, int]) -> int:
    """Multiply-adds of one 'valid' 2-D convolution (the chapter's conv2d)."""
    (h, w), (kh, kw) = image_shape, kernel_shape
    return max(0, h - kh + 1) * max(0, w - kw + 1) * kh * kw


def _where(device: str, threads: int | None) -> str:
    if device != "cpu":
        return f"this {device}"
    if threads:
        return f"this CPU with {threads} torch thread{'s' if threads != 1 else ''}"
    return "this CPU"


def speed_sentence(ratio: float, device: str, threads: int | None, torch_seconds: float,
                   macs: int) -> str:
    """One honest sentence: the measured naive/torch ratio against the chapter's 1000x."""
    where = _where(device, threads)
    claim = f"the chapter's {CHAPTER_CONV_CLAIM:,}x"
    if ratio >= CHAPTER_CONV_CLAIM:
        verdict = f"at or above {claim}"
    else:
        verdict = (f"{CHAPTER_CONV_CLAIM / ratio:.1f}x short of {claim}, "
                   "which it claims for a GPU version")
    return (f"Measured {ratio:,.0f}x on {where}: {verdict}. The whole sum is only "
            f"{macs:,} multiply-adds, so most of torch's {1e6 * torch_seconds:,.1f} µs per "
            f"call is fixed per-call cost, not arithmetic.")
