"""6.5: "Layer 1 filters learn edges" (against the baseline a verdict needs: random 3x3
kernels are sometimes edge-like by chance) and "layer 2 filters learn combinations"."""

from __future__ import annotations

from tui_cnn.core.checkpoint import load_run_model
from tui_cnn.core.claims.lab import Lab
from tui_cnn.core.claims.verdict import (
    FAILS,
    HOLDS,
    NOT_MEASURED,
    Verdict,
    better_rule,
    compare_sentence,
    mean_text,
)
from tui_cnn.core.inference import stored_filters
from tui_cnn.core.inside.common import load_test_images
from tui_cnn.core.inside.patches import cached_top_patches
from tui_cnn.core.inspect import EDGE_THRESHOLD, edge_scores
from tui_cnn.core.sweep.stats import welch


def edge_share(weights: object) -> float:
    scores = edge_scores(weights)  # type: ignore[arg-type]
    return sum(s.edge_like for s in scores) / max(1, len(scores))


def edges_claim(lab: Lab) -> Verdict:
    before, after, rows = [], [], []
    for trained in lab.seeds("cnn"):
        found, _ = stored_filters(trained.run_dir)
        if 0 not in found or len(found) < 2:
            continue
        last = max(found)
        before.append(edge_share(found[0]))
        after.append(edge_share(found[last]))
        rows.append((str(trained.config.seed), f"{100 * before[-1]:.0f}%",
                     f"{100 * after[-1]:.0f}%"))
    d = welch(before, after)
    state = better_rule(d)
    return Verdict(state, f"Edge-like filters (|r| > {EDGE_THRESHOLD} against 8 oriented "
                   f"Sobel templates): {mean_text(before, digits=0)}% at initialisation, "
                   f"{mean_text(after, digits=0)}% after training; "
                   + compare_sentence("initialisation", "trained", d, what="points of the 32"
                                      " filters") + ".",
                   f"{mean_text(after, digits=0)}% edge-like", ("seed", "at init",
                                                                "after training"),
                   tuple(rows), lab.settings.describe(lab.settings.digits),
                   ("Random 3x3 kernels are sometimes edge-like by chance: the verdict "
                    "compares with the same network's initial weights.",))


MARGIN = 0.15  # conv2 must mix orientations in this many more of its channels than conv1


def layer2_state(conv1_corners: float, conv2_corners: float) -> str:
    """Holds when clearly more of conv2's channels than of conv1's answer to mixed
    orientations (corners, curves)."""
    return HOLDS if conv2_corners >= conv1_corners + MARGIN else FAILS


def layer2_claim(lab: Lab) -> Verdict:
    trained = lab.seeds("cnn")[0]
    loaded = load_run_model(trained.run_dir)
    convs = [layer for layer in loaded.table.layers if layer.kind == "Conv2d"]
    if len(convs) < 2:
        return Verdict(NOT_MEASURED, "The network has fewer than 2 conv layers.", "-")
    test = load_test_images(trained.config)
    epoch = len(trained.epochs)
    shares, rows = [], []
    for index in (1, 2):
        lab.progress(f"top patches of conv{index}")
        patches, _ = cached_top_patches(trained.run_dir, loaded.model, loaded.table, test,
                                        index, epoch=epoch)
        kinds = list(patches.kinds)
        corner = kinds.count("corner") / max(1, len(kinds))
        shares.append(corner)
        rows.append((patches.name, f"{patches.geometry.rf}x{patches.geometry.rf}",
                     str(kinds.count("edge")), str(kinds.count("corner")),
                     str(kinds.count("flat"))))
    return Verdict(layer2_state(*shares), f"From each channel's top-9 test patches: "
                   f"{100 * shares[0]:.0f}% of conv1's channels respond to mixed orientations "
                   f"(corner- or curve-like), {100 * shares[1]:.0f}% of conv2's"
                   + ("." if layer2_state(*shares) == HOLDS else
                      f": not {100 * MARGIN:.0f} points more, so not shown by this method."),
                   f"{100 * shares[1]:.0f}% of conv2 mixed",
                   ("layer", "patch", "one orientation", "mixed", "flat"), tuple(rows),
                   f"the chapter's CNN on {trained.config.dataset}, seed 0",
                   ("Method: the structure tensor of a channel's top patches; coherence "
                    ">= 0.5 is one orientation (edge-like), below is mixed.",
                    "Limits: top patches show what excites a channel most, not all it "
                    "responds to; a mixed patch may be a corner, a curve or a blob."))
