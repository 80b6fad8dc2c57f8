"""core.inside.runview.read_layer_history on a hand-written layers.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tui_cnn.core.inside.runview import read_layer_history


def test_layers_jsonl_becomes_arrays_with_gaps_as_nan(tmp_path: Path) -> None:
    rows = [{"step": 2, "epoch": 1, "layers": {
                "conv1": {"weight_norm": 3.0, "grad_norm": 0.5, "update_ratio": 0.0},
                "fc1": {"weight_norm": 6.0, "grad_norm": 1.0, "update_ratio": 0.0}}},
            {"step": 4, "epoch": 1, "layers": {
                "conv1": {"weight_norm": 3.5, "grad_norm": 0.25, "update_ratio": 0.01}}},
            {"epoch": 1}]  # no step: skipped
    (tmp_path / "layers.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n{torn")
    h = read_layer_history(tmp_path)
    assert h.layers == ("conv1", "fc1") and h.steps.tolist() == [2, 4]
    assert h.weight_norm[:, 0].tolist() == [3.0, 3.5]
    assert h.grad_norm[1, 0] == 0.25 and np.isnan(h.grad_norm[1, 1])
    assert h.update_ratio.tolist()[0] == [0.0, 0.0]


def test_no_layers_jsonl_gives_empty_arrays(tmp_path: Path) -> None:
    h = read_layer_history(tmp_path)
    assert h.layers == () and h.steps.shape == (0,) and h.weight_norm.shape == (0, 0)
