"""6.4: "it'll hit 99%+ on MNIST", and "the structure matters more than the parameter
count" (the CNN against an MLP of the CNN's size; the small CNN against chapter 3's MLP)."""

from __future__ import annotations

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.claims.lab import Lab, Trained
from tui_cnn.core.claims.verdict import (
    CORRECTED,
    FAILS,
    HOLDS,
    NOT_MEASURED,
    Verdict,
    better_rule,
    compare_sentence,
    mean_text,
)
from tui_cnn.core.config import ArchSpec, preset
from tui_cnn.core.layers import layer_table
from tui_cnn.core.sweep.stats import welch

TARGET = 0.99


def time_to(trained: Trained, target: float = TARGET) -> tuple[int, float] | None:
    """(epoch, training seconds) when the test accuracy first reached ``target``."""
    seconds = 0.0
    for epoch in trained.epochs:
        seconds += epoch.seconds
        if epoch.test_acc >= target:
            return epoch.epoch, seconds
    return None


def ninety_nine_claim(lab: Lab) -> Verdict:
    runs = lab.seeds("cnn")
    reached = [time_to(t) for t in runs]
    finals = [t.ended.final_test_acc or 0.0 for t in runs]
    real = lab.settings.digits == "mnist"
    rows = tuple((str(t.config.seed), f"{100 * (t.ended.best_test_acc or 0):.2f}%",
                  "-" if r is None else f"epoch {r[0]}, {r[1]:.1f} s") for t, r in zip(
                      runs, reached, strict=True))
    figure = f"final test accuracy {mean_text(finals)}%"
    if not real:
        return Verdict(NOT_MEASURED, "Real MNIST is not on disk here, so the 99% is not "
                       f"measured; on the built-in digits the CNN reaches {figure}. Put "
                       "MNIST's files in --data-dir to measure it.", figure,
                       ("seed", "best test acc", "first at 99%"), rows,
                       lab.settings.describe(lab.settings.digits))
    state = HOLDS if all(r is not None for r in reached) else FAILS
    return Verdict(state, f"On real MNIST the CNN reaches {figure}"
                   + ("" if state == HOLDS else ": not every seed reaches 99%"), figure,
                   ("seed", "best test acc", "first at 99%"), rows,
                   lab.settings.describe("mnist"))


def wide_mlp(params: int, shape: tuple[int, int, int], classes: int) -> ArchSpec:
    """An MLP with one hidden layer sized to ``params`` parameters."""
    inputs = shape[0] * shape[1] * shape[2]
    hidden = max(1, round((params - classes) / (inputs + 1 + classes)))
    return ArchSpec("mlp-wide", (), 3, "none", (hidden,),
                    description=f"one hidden layer of {hidden}: the CNN's parameter budget")


def structure_claim(lab: Lab) -> Verdict:
    info = dataset_info(lab.settings.digits)
    cnn_params = layer_table(preset("cnn"), info.shape, info.num_classes).params
    wide = wide_mlp(cnn_params, info.shape, info.num_classes)
    wide_params = layer_table(wide, info.shape, info.num_classes).params
    pairs = [("mlp-wide", wide, "cnn", preset("cnn")),
             ("mlp", preset("mlp"), "cnn-small", preset("cnn-small"))]
    rows, states, sentences = [], [], []
    for a_name, a, b_name, b in pairs:
        acc_a = [t.ended.final_test_acc or 0.0 for t in lab.seeds(a)]
        acc_b = [t.ended.final_test_acc or 0.0 for t in lab.seeds(b)]
        d = welch(acc_a, acc_b)
        states.append(better_rule(d))
        sentences.append(compare_sentence(a_name, b_name, d))
        for name, spec, accs in ((a_name, a, acc_a), (b_name, b, acc_b)):
            rows.append((name, f"{layer_table(spec, info.shape, info.num_classes).params:,}",
                         f"{mean_text(accs)}%"))
    holds = states.count(HOLDS)
    state = HOLDS if holds == 2 else CORRECTED if holds == 1 else (
        NOT_MEASURED if NOT_MEASURED in states else FAILS)
    return Verdict(state, f"Same parameter budget: {sentences[0]}. Fewer parameters: "
                   f"{sentences[1]}.", _key(pairs[0][2], pairs[0][0], states[0]),
                   ("network", "parameters", "final test acc (95% CI)"), tuple(rows),
                   lab.settings.describe(lab.settings.digits),
                   (f"mlp-wide: one hidden layer sized to the CNN's {cnn_params:,} "
                    f"parameters ({wide_params:,}).",))


def _key(better: str, worse: str, state: str) -> str:
    return f"{better} > {worse}" if state == HOLDS else f"{better} vs {worse}: {state}"
