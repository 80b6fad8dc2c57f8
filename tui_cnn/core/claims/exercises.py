"""6.6's exercises 2 and 3 as claims: MaxPool can give way to stride 2 (accuracy, speed,
multiply-adds, shift stability); the same CNN on digits and on colour images."""

from __future__ import annotations

from dataclasses import dataclass

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.checkpoint import load_run_model
from tui_cnn.core.claims.lab import Lab
from tui_cnn.core.claims.shifts import shift_instability
from tui_cnn.core.claims.verdict import (
    CORRECTED,
    Verdict,
    better_rule,
    compare_sentence,
    mean_text,
    no_loss_rule,
)
from tui_cnn.core.config import preset
from tui_cnn.core.inside.common import load_test_images
from tui_cnn.core.layers import layer_table
from tui_cnn.core.sweep.stats import welch

MARGIN = 0.005  # a drop of half a point or less counts as no loss


@dataclass(frozen=True)
class ArchStats:
    acc: list[float]
    rate: list[float]
    unstable: list[float]  # share of predictions a 1-pixel shift changes
    macs: int


def arch_stats(lab: Lab, arch: str) -> ArchStats:
    info = dataset_info(lab.settings.digits)
    runs = lab.seeds(arch)
    test = load_test_images(runs[0].config)
    return ArchStats([t.ended.final_test_acc or 0.0 for t in runs],
                     [t.ended.images_per_s for t in runs],
                     [shift_instability(load_run_model(t.run_dir).model, test) for t in runs],
                     layer_table(preset(arch), info.shape, info.num_classes).macs)


def stride_claim(lab: Lab) -> Verdict:
    pool, stride = arch_stats(lab, "cnn"), arch_stats(lab, "cnn-stride2")
    d = welch(pool.acc, stride.acc)
    rows = tuple((arch, f"{mean_text(s.acc)}%", mean_text(s.rate, 1, 0), f"{s.macs:,}",
                  f"{mean_text(s.unstable)}%")
                 for arch, s in (("cnn", pool), ("cnn-stride2", stride)))
    speed = sum(stride.rate) / max(1e-9, sum(pool.rate))
    state = no_loss_rule(d, MARGIN)
    worst = "" if d is None or d.half_width is None or state != CORRECTED else (
        f" (a loss of up to {100 * (d.half_width - d.diff):.2f} points is not ruled out)")
    return Verdict(state, f"{compare_sentence('cnn', 'cnn-stride2', d)}{worst}; "
                   f"stride 2 needs {pool.macs / stride.macs:.1f}x fewer multiply-adds and "
                   f"trains {speed:.2f}x as fast; a 1-pixel shift changes "
                   f"{mean_text(pool.unstable)}% of MaxPool's predictions and "
                   f"{mean_text(stride.unstable)}% of stride 2's.",
                   f"{d.diff * 100:+.2f} points" if d else "-",
                   ("network", "final test acc", "images/s", "mult-adds",
                    "changed by 1-px shift"), rows, lab.settings.describe(lab.settings.digits),
                   (f"'holds' means no drop larger than {100 * MARGIN:.1f} points is "
                    "detected at 95%.",))


def cifar_claim(lab: Lab) -> Verdict:
    digits, photos = lab.settings.digits, lab.settings.photos
    acc_d = [t.ended.final_test_acc or 0.0 for t in lab.seeds("cnn", digits)]
    acc_p = [t.ended.final_test_acc or 0.0 for t in lab.seeds("cnn", photos)]
    d = welch(acc_d, acc_p)
    stand_in = photos != "cifar10"
    note = (" synth-shapes stands in for CIFAR-10 (not on disk here), so this says how the "
            "CNN does on built-in colour shapes, not on photos." if stand_in else "")
    return Verdict(better_rule(d, claimed_higher=False),
                   f"{compare_sentence(digits, photos, d)}.{note}",
                   f"{d.diff * 100:+.2f} points" if d else "-",
                   ("dataset", "final test acc"),
                   ((digits, f"{mean_text(acc_d)}%"), (photos, f"{mean_text(acc_p)}%")),
                   f"{lab.settings.describe(digits)}; {photos}")
