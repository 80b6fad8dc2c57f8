"""6.2's translation invariance, in two parts: (a) a conv layer is equivariant (shift the
input, the output shifts) away from the border, and how far that survives pooling and
stride 2; (b) whether trained networks' predictions are invariant to shifted test images."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tui_cnn.core.checkpoint import load_run_model
from tui_cnn.core.claims.lab import Lab, Trained
from tui_cnn.core.claims.shifts import equivariance, shifted_accuracy
from tui_cnn.core.claims.verdict import CORRECTED, FAILS, HOLDS, Verdict
from tui_cnn.core.config import PRESETS
from tui_cnn.core.inside.common import TestImages, load_test_images
from tui_cnn.core.models import build_model
from tui_cnn.core.report import SPARKS

SHIFTS = (0, 1, 2, 3, 4, 6, 8)
EQUIVARIANT = 1e-4  # largest difference (relative to the output's size) read as "equal"
ARCHS = ("mlp", "cnn", "cnn-stride2")


def _layers(shape: tuple[int, int, int]) -> list[tuple[str, nn.Module]]:
    torch.manual_seed(0)
    cnn = build_model(PRESETS["cnn"], shape, 10)
    stride = build_model(PRESETS["cnn-stride2"], shape, 10)
    conv, relu, pool = (cnn.get_submodule(n) for n in ("conv1", "relu1", "pool1"))
    return [("conv 3x3 (padding 1)", conv),
            ("conv + ReLU + 2x2 MaxPool", nn.Sequential(conv, relu, pool)),
            ("conv 3x3, stride 2", stride.get_submodule("conv1"))]


def equivariance_rows(test: TestImages) -> list[tuple[str, int, float, float]]:
    """(layer, input shift, relative max difference inside, relative max anywhere)."""
    x = test.batch(0, min(64, len(test)))
    rows = []
    for name, layer in _layers(tuple(test.images.shape[1:])):  # type: ignore[arg-type]
        layer.eval()
        for pixels in (1, 2):
            inner, anywhere, size = equivariance(layer, x, pixels, border=2)
            rows.append((name, pixels, inner / size, anywhere / size))
    return rows


def equivariant(rows: list[tuple[str, int, float, float]]) -> dict[tuple[str, int], bool]:
    return {(name, pixels): inner < EQUIVARIANT for name, pixels, inner, _ in rows}


def equivariance_claim(lab: Lab) -> Verdict:
    test = load_test_images(lab.config("cnn"))
    rows = equivariance_rows(test)
    eq = equivariant(rows)
    conv_ok = eq[("conv 3x3 (padding 1)", 1)]
    pool_1 = eq[("conv + ReLU + 2x2 MaxPool", 1)]
    pool_2 = eq[("conv + ReLU + 2x2 MaxPool", 2)]
    state = CORRECTED if conv_ok and pool_2 and not pool_1 else (HOLDS if conv_ok else FAILS)
    conv_inner = rows[0][2]
    exact = "exactly equal" if conv_inner == 0 else f"largest difference {conv_inner:.0e} of " \
        "the output's size"
    table = tuple((name, f"{pixels} px", f"{inner:.1e}", f"{anywhere:.2f}",
                   "yes" if inner < EQUIVARIANT else "no")
                  for name, pixels, inner, anywhere in rows)
    return Verdict(state, f"A conv layer is equivariant: shift the input by 1 pixel and its "
                   f"output shifts by 1 ({exact} away from the border; the border differs, "
                   "where the zero padding moves). After 2x2 MaxPool or a stride-2 conv that "
                   "holds only for shifts by 2 pixels: a 1-pixel shift changes the output "
                   f"({'not equivariant' if not pool_1 else 'still equivariant'}).",
                   "exact" if conv_inner == 0 else f"{conv_inner:.0e}",
                   ("layer", "shift", "max diff inside", "anywhere", "equivariant"), table,
                   f"64 test images of {test.images.shape[1]}x{test.images.shape[2]}"
                   f"x{test.images.shape[3]}, seeded initial weights",
                   ("Differences are relative to the output's largest value; 'inside' leaves "
                    "out 2 output pixels at every edge.",))


def _accuracies(lab: Lab, arch: str, augment: str) -> tuple[list[list[float]], list[Trained]]:
    runs = lab.seeds(arch, augment=augment)
    test = load_test_images(runs[0].config)
    curves = [shifted_accuracy(load_run_model(t.run_dir).model, test, SHIFTS) for t in runs]
    return curves, runs


def invariance_curves(lab: Lab) -> dict[tuple[str, str], np.ndarray]:
    """(arch, augment) -> (seeds, len(SHIFTS)) test accuracies at each shift."""
    out = {}
    for augment in ("none", "shift"):
        for arch in ARCHS:
            lab.progress(f"shifted test sets: {arch}, augmentation {augment}")
            curves, _ = _accuracies(lab, arch, augment)
            out[(arch, augment)] = np.array(curves)
    return out


def curve(accuracies: np.ndarray) -> str:
    """Accuracy at each shift as a line of blocks on one scale for every row (0 to 100%)."""
    top = len(SPARKS) - 1
    return "".join(SPARKS[int(round(float(np.clip(a, 0, 1)) * top))] for a in accuracies)


def invariance_state(curves: dict[tuple[str, str], np.ndarray], big: int = 4) -> str:
    """Holds if the CNN (no augmentation) keeps its accuracy under a ``big``-pixel shift
    (within 2 points); corrected if it loses more but keeps more than the MLP does;
    does not hold if it keeps no more than the MLP."""
    i = SHIFTS.index(big)
    cnn, mlp = curves[("cnn", "none")].mean(0), curves[("mlp", "none")].mean(0)
    if cnn[0] - cnn[i] <= 0.02:
        return HOLDS
    return CORRECTED if cnn[i] > mlp[i] + 0.02 else FAILS


def invariance_claim(lab: Lab) -> Verdict:
    curves = invariance_curves(lab)
    state = invariance_state(curves)
    rows = tuple((arch, augment, curve(c.mean(0)), *(f"{100 * v:.1f}" for v in c.mean(0)))
                 for (arch, augment), c in curves.items())
    i4, i8 = SHIFTS.index(4), SHIFTS.index(8)
    cnn, mlp = curves[("cnn", "none")].mean(0), curves[("mlp", "none")].mean(0)
    cnn_aug = curves[("cnn", "shift")].mean(0)
    return Verdict(state, f"Trained without shifts, the CNN falls from {100 * cnn[0]:.1f}% "
                   f"to {100 * cnn[i4]:.1f}% on test images moved 4 pixels and "
                   f"{100 * cnn[i8]:.1f}% at 8 (the MLP: {100 * mlp[i4]:.1f}%, "
                   f"{100 * mlp[i8]:.1f}%): its conv layers are equivariant, but the "
                   "fully-connected head reads fixed positions, so the network is not "
                   "invariant to large shifts; 2-pixel shift augmentation keeps "
                   f"{100 * cnn_aug[i4]:.1f}% at 4 pixels.",
                   f"{100 * cnn[i4]:.1f}% at 4 px", ("network", "augmentation", "0-8 px",
                                                    *(f"{s} px" for s in SHIFTS)), rows,
                   lab.settings.describe(lab.settings.digits),
                   ("Accuracy at each shift is the mean over the four directions, zero fill.",))
