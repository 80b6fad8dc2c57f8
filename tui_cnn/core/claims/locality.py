"""6.2's locality: each unit sees a small patch, and deeper layers see larger ones. The
theoretical receptive field of each conv layer against the empirical one: the input
pixels where one unit's gradient is non-zero, over many test images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from tui_cnn.core.checkpoint import load_run_model
from tui_cnn.core.claims.lab import Lab
from tui_cnn.core.claims.shifts import gradient_reach
from tui_cnn.core.claims.verdict import FAILS, HOLDS, Verdict
from tui_cnn.core.inside.common import TestImages, load_test_images
from tui_cnn.core.inside.geometry import crop_window, unit_geometry
from tui_cnn.core.layers import LayerTable

IMAGES = 100


@dataclass(frozen=True)
class Reach:
    layer: str
    rf: int  # theoretical, pixels per side
    outside: int  # pixels reached outside the theoretical window, over every image
    union: float  # share of the window reached by some image
    per_image: float  # mean share of the window one image's gradient reaches


def reach_of(model: nn.Sequential, table: LayerTable, layer: str, test: TestImages,
             images: int = IMAGES) -> Reach:
    """Where the gradient of the middle unit of ``layer`` (channel 0) reaches."""
    geometry = unit_geometry(table, layer)
    out_h, out_w = next(x.out_shape for x in table.layers if x.name == layer)[1:]
    unit = (out_h // 2, out_w // 2)
    top, left = crop_window(*unit, geometry)
    h, w = test.images.shape[2:]
    window = np.zeros((h, w), dtype=bool)
    window[max(top, 0):top + geometry.rf, max(left, 0):left + geometry.rf] = True
    union = np.zeros((h, w), dtype=bool)
    shares = []
    for i in range(min(images, len(test))):
        reached = gradient_reach(model, layer, test.batch(i, i + 1), unit)
        union |= reached
        shares.append(reached[window].mean())
    return Reach(layer, geometry.rf, int((union & ~window).sum()),
                 float(union[window].mean()), float(np.mean(shares)))


def reach_state(reaches: list[Reach]) -> str:
    """Holds when no gradient reaches outside the theoretical field and deeper layers
    have larger fields."""
    inside = all(r.outside == 0 for r in reaches)
    growing = all(a.rf < b.rf for a, b in zip(reaches, reaches[1:], strict=False))
    return HOLDS if inside and growing else FAILS


def locality_claim(lab: Lab) -> Verdict:
    trained = lab.seeds("cnn")[0]
    loaded = load_run_model(trained.run_dir)
    test = load_test_images(trained.config)
    convs = [layer.name for layer in loaded.table.layers if layer.kind == "Conv2d"]
    reaches = [reach_of(loaded.model, loaded.table, name, test) for name in convs]
    rows = tuple((r.layer, f"{r.rf}x{r.rf}", str(r.outside), f"{100 * r.per_image:.0f}%",
                  f"{100 * r.union:.0f}%") for r in reaches)
    last = reaches[-1]
    if last.per_image >= 0.999:
        why = ("even one image's gradient fills it: MaxPool passes each gradient through "
               "one input of four, but conv1's overlapping 3x3 windows cover the pixels it "
               "skips")
    else:
        why = (f"one image's gradient fills {100 * last.per_image:.0f}% of it (MaxPool passes "
               "each gradient through one input of four, ReLU blocks some)")
    return Verdict(reach_state(reaches), f"Each layer's units see a patch: {last.layer}'s "
                   f"middle unit is reached only from its {last.rf}x{last.rf} theoretical "
                   f"field ({last.outside} pixels outside it, over {IMAGES} images); {why}; "
                   f"over {IMAGES} images the union fills {100 * last.union:.0f}%.",
                   f"{last.rf}x{last.rf}", ("layer", "theoretical field", "pixels outside",
                                            "one image fills", "all images fill"), rows,
                   f"the chapter's CNN trained on {trained.config.dataset}, seed 0")
