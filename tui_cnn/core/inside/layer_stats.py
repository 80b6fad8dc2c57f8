"""How training moves each layer: weight norm, gradient norm, update/weight ratio.

``LayerStats(model).measure()`` at report time: every norm is computed on the model's
device and stacked into one tensor, read back with one ``.cpu()`` (one host sync per
report, nothing between reports). The update is the change of the weights since the
previous ``measure()`` (the first: since ``LayerStats`` was made); a copy of the weights
is kept on the device for it. Layers are the modules with a ``weight`` parameter (conv,
linear, batch-norm), by module name. ``weight_histograms`` bins a state_dict in numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from tui_cnn.core.events import LayerStatsReport

Stats = dict[str, tuple[float, float, float]]  # layer -> (weight norm, grad norm, ratio)


class LayerStats:
    def __init__(self, model: nn.Module) -> None:
        self.weights: dict[str, torch.Tensor] = {
            name: module.weight for name, module in model.named_modules()
            if isinstance(getattr(module, "weight", None), nn.Parameter)}
        with torch.no_grad():
            self._previous = [w.detach().clone() for w in self.weights.values()]

    @property
    def names(self) -> list[str]:
        return list(self.weights)

    def measure(self) -> Stats:
        """{layer: (||W||, ||grad W|| (0 without a gradient), ||W - W_prev|| / ||W||)}."""
        if not self.weights:
            return {}
        with torch.no_grad():
            params = list(self.weights.values())
            w_norms = torch.stack([p.detach().norm() for p in params])
            g_norms = torch.stack([p.grad.detach().norm() if p.grad is not None
                                   else p.new_zeros(()) for p in params])
            u_norms = torch.stack([(p.detach() - prev).norm()
                                   for p, prev in zip(params, self._previous, strict=True)])
            for p, prev in zip(params, self._previous, strict=True):
                prev.copy_(p.detach())
            host = torch.stack([w_norms, g_norms, u_norms]).float().cpu()  # the one sync
        rows = host.T.tolist()
        return {name: (w, g, u / w if w > 0 else 0.0)
                for name, (w, g, u) in zip(self.weights, rows, strict=True)}


def stats_event(step: int, epoch: int, stats: Stats) -> LayerStatsReport:
    """The event the training loop yields at a report (arrays in model order)."""
    rows = np.array(list(stats.values()), dtype=np.float64).reshape(-1, 3)
    return LayerStatsReport(epoch, step, tuple(stats), rows[:, 0].copy(), rows[:, 1].copy(),
                            rows[:, 2].copy())


def stats_record(step: int, epoch: int, stats: Stats) -> dict[str, Any]:
    """One line of ``layers.jsonl``: {"step", "epoch", "layers": {name: {w, g, ratio}}}."""
    return {"step": step, "epoch": epoch,
            "layers": {name: {"weight_norm": w, "grad_norm": g, "update_ratio": r}
                       for name, (w, g, r) in stats.items()}}


def weight_histograms(state_dict: dict[str, Any], bins: int = 30
                      ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{``<layer>.weight``: (counts (bins,), edges (bins + 1,))} for every weight tensor."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for key, value in state_dict.items():
        if not key.endswith("weight"):
            continue
        array = (value.detach().to("cpu", torch.float64).numpy() if isinstance(
            value, torch.Tensor) else np.asarray(value, dtype=np.float64)).ravel()
        if array.size == 0:
            continue
        counts, edges = np.histogram(array, bins=bins)
        out[key] = (counts.astype(np.int64), edges)
    return out
