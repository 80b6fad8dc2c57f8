"""Claims about counting: 6.1's dense-layer sums, 6.2's parameter sharing, 6.4's ~170K.
Computed from the layer table: no training."""

from __future__ import annotations

from dataclasses import dataclass

from tui_cnn.core.arithmetic import CHAPTER_CNN_CLAIM, chapter_sums, network_count
from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.claims.lab import Lab
from tui_cnn.core.claims.verdict import CORRECTED, HOLDS, Verdict, count_rule
from tui_cnn.core.config import preset
from tui_cnn.core.layers import layer_table


def dense_sums(lab: Lab) -> Verdict:
    small, big = chapter_sums()
    with_bias = small.weights + small.units
    rows = ((small.label, f"{small.inputs:,} x {small.units:,}", f"{small.weights:,}",
             f"{with_bias:,}"),
            (big.label, f"{big.inputs:,} x {big.units:,}", f"{big.weights:,}",
             f"{big.weights + big.units:,}"))
    state = HOLDS if (small.weights, big.weights) == (100_352, 154_140_672) else CORRECTED
    return Verdict(state, f"784 x 128 = {small.weights:,} weights ({with_bias:,} with the 128 "
                   f"biases), and a 224x224x3 image into 1,024 units takes {big.weights:,} "
                   "weights (154 million): both sums are right; the chapter counts weights "
                   "without biases.", f"{small.weights:,}",
                   ("layer", "formula", "weights", "with biases"), rows, "arithmetic")


@dataclass(frozen=True)
class SharingRow:
    """One conv layer: its parameters, a locally-connected layer's (same windows, no
    sharing) and a fully-connected layer's, mapping the same input to the same output."""

    name: str
    conv: int
    local: int
    dense: int


def sharing_rows(arch: str, dataset: str) -> list[SharingRow]:
    info = dataset_info(dataset)
    table = layer_table(preset(arch), info.shape, info.num_classes)
    rows = []
    for layer in table.layers:
        if layer.kind != "Conv2d":
            continue
        c_in, h_in, w_in = layer.in_shape
        c_out, h_out, w_out = layer.out_shape
        units = c_out * h_out * w_out
        local = units * (layer.kernel * layer.kernel * c_in + 1)
        dense = c_in * h_in * w_in * units + units
        rows.append(SharingRow(layer.name, layer.params, local, dense))
    return rows


def sharing(lab: Lab) -> Verdict:
    dataset = lab.settings.digits
    rows = sharing_rows("cnn", dataset)
    if not rows:
        raise ValueError("the chapter's CNN has no conv layer")
    first = rows[0]
    table = tuple((r.name, f"{r.conv:,}", f"{r.local:,}", f"{r.dense:,}",
                   f"{r.local / r.conv:,.0f}x", f"{r.dense / r.conv:,.0f}x") for r in rows)
    return Verdict(HOLDS, f"Sharing holds: {first.name} has {first.conv:,} parameters; the "
                   f"same 3x3 windows without sharing would need {first.local:,} "
                   f"({first.local / first.conv:,.0f}x), a fully-connected layer "
                   f"{first.dense:,} ({first.dense / first.conv:,.0f}x).",
                   f"{first.local / first.conv:,.0f}x",
                   ("layer", "conv", "locally connected", "fully connected", "local/conv",
                    "dense/conv"), table, f"the chapter's CNN on {dataset}",
                   ("Locally connected: one k x k x C_in filter (+ bias) per output unit; "
                    "fully connected: every input to every output unit.",
                    "Training the locally-connected variant is not part of this lab."))


def parameter_count(lab: Lab) -> Verdict:
    cnn, mlp = network_count("cnn", "mnist"), network_count("mlp", "mnist")
    state = count_rule(CHAPTER_CNN_CLAIM, cnn.params)
    fc = cnn.first_linear
    rows = (("the chapter's CNN", "~170,000", f"{cnn.params:,}"),
            ("chapter 3's MLP", "~110,000", f"{mlp.params:,}"),
            (f"of which {fc.name}", "", f"{fc.params:,} ({100 * cnn.first_linear_share:.1f}%)"))
    return Verdict(state, f"The chapter's CNN has {cnn.params:,} parameters, not ~170K "
                   f"({cnn.params / CHAPTER_CNN_CLAIM:.1f}x): {fc.name} alone holds "
                   f"{fc.params:,} ({fc.formula}); the MLP's ~110K holds ({mlp.params:,}).",
                   f"{cnn.params:,}", ("network", "chapter says", "counted"), rows,
                   "the layer table on MNIST's 1x28x28")
