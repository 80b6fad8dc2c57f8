"""Comparing saved runs and writing the Markdown report: pure functions over run records."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.compare import compare, differences, flatten, summarise
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.inspect import EdgeScore
from tui_cnn.core.layers import layer_table
from tui_cnn.core.report import (
    Figure,
    RunSection,
    build_report,
    cell,
    code_block,
    edge_label,
    edge_scores_or_none,
    finite_points,
    finite_range,
    json_safe,
    no_edge_scores,
    sparkline,
    strip_ansi,
)
from tui_cnn.core.runs import RunRecord


def _record(run_id: str, arch: str = "cnn", *, accs: tuple[float, ...] = (0.5, 0.7),
            status: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
            problems: list[str] | None = None) -> RunRecord:
    config = {**TrainConfig(arch=preset(arch)).to_dict(), "run_id": run_id,
              "created": float(len(run_id)), **(extra or {})}
    epochs = [{"epoch": i, "test_acc": a, "seconds": 1.5} for i, a in enumerate(accs, 1)]
    return RunRecord(run_id, Path(run_id), config, status or {"status": "finished"}, epochs,
                     problems or [])


def test_flatten_uses_dotted_keys_and_tuples() -> None:
    assert flatten({"arch": {"name": "cnn", "hidden": [128]}, "lr": 0.1}) == \
        {"arch.name": "cnn", "arch.hidden": (128,), "lr": 0.1}


def test_differences_show_only_what_differs_arch_name_first() -> None:
    a, b = _record("a", "cnn"), _record("b", "cnn-stride2", extra={"lr": 0.01})
    diff = differences([a.config, b.config])
    assert list(diff) == ["arch.name", "arch.downsample", "lr"]
    assert diff["arch.name"] == ("cnn", "cnn-stride2")
    assert diff["lr"] == (0.004, 0.01)


def test_bookkeeping_keys_never_count_as_differences() -> None:
    a = _record("a", extra={"device_name": "x", "params": 1})
    b = _record("bb", extra={"device_name": "y", "params": 2})
    assert differences([a.config, b.config]) == {}


def test_a_key_missing_from_one_run_differs_as_none() -> None:
    a, b = _record("a", extra={"threads": 1}), _record("b")
    del b.config["threads"]
    assert differences([a.config, b.config]) == {"threads": (1, None)}


def test_summary_works_out_params_and_macs_when_config_lacks_them() -> None:
    info = dataset_info("synth-digits")
    table = layer_table(preset("cnn-stride2"), info.shape, info.num_classes)
    summary = summarise(_record("r", "cnn-stride2", accs=(0.4, 0.9, 0.8)))
    assert (summary.params, summary.macs) == (table.params, table.macs)
    assert (summary.best_test_acc, summary.final_test_acc) == (0.9, 0.8)
    assert summary.epochs_done == 3
    assert summary.train_seconds == 4.5  # summed epochs when status has no total
    assert summary.arch == "cnn-stride2" and summary.status == "finished"


def test_summary_prefers_status_and_skips_nan() -> None:
    status = {"status": "stopped", "final_test_acc": 0.6, "train_seconds": 9.0,
              "images_per_s": 1234.5}
    record = _record("r", accs=(0.6, math.nan), status=status, extra={"params": 7, "macs": 9},
                     problems=["steps.jsonl: 1 torn line"])
    summary = summarise(record)
    assert (summary.params, summary.macs, summary.best_test_acc) == (7, 9, 0.6)
    assert (summary.final_test_acc, summary.train_seconds, summary.images_per_s) == \
        (0.6, 9.0, 1234.5)
    assert summary.status == "stopped (damaged)"


def test_comparison_to_dict_keys_differences_by_run() -> None:
    result = compare([_record("a", "cnn"), _record("b", "cnn-stride2")]).to_dict()
    assert [r["run_id"] for r in result["runs"]] == ["a", "b"]
    assert result["differences"]["arch.name"] == {"a": "cnn", "b": "cnn-stride2"}


# ---- the Markdown report -------------------------------------------------------------


def test_sparkline_skips_non_finite_values() -> None:
    assert sparkline([0.0, math.nan, 1.0, math.inf, 0.5]) == "▁█▅"
    assert sparkline([math.nan]) == ""
    assert sparkline([2.0, 2.0]) == "▁▁"


def test_cells_escape_pipes_and_join_lists() -> None:
    assert cell("a|b") == "a\\|b"
    assert cell((32, 64)) == "32, 64"
    assert cell(()) == "none"
    assert (cell(None), cell(True), cell(0.004)) == ("-", "yes", "0.004")


def test_code_block_strips_ansi_and_fences() -> None:
    block = code_block("\x1b[31mred\x1b[0m   \nplain\n")
    assert block == "```text\nred\nplain\n```"
    assert "\x1b" not in strip_ansi("\x1b[38;2;1;2;3mx\x1b[0m")


def test_report_has_tables_curves_and_sections() -> None:
    records = [_record("run-a", "cnn"), _record("run-b", "cnn-stride2")]
    comparison = compare(records)
    md = build_report(comparison, [r.config for r in records],
                      [Figure("Training loss", "\x1b[0mplot\x1b[0m")],
                      [RunSection("run-a", [Figure("Filters", "░░██")], ["**3 of 8**"])],
                      footer="made here")
    for heading in ("# tui-cnn report", "## Settings", "## Results", "## Curves",
                    "### Training loss", "## Run `run-a`", "### Filters"):
        assert f"\n{heading}\n" in f"\n{md}"
    assert "| **arch** | cnn | cnn-stride2 |" in md
    assert "| kernel | 3 | 3 |" in md
    assert "| run | arch | parameters | mult-adds |" in md
    assert "| `run-b` | cnn-stride2 |" in md
    assert "\x1b" not in md and md.count("```") % 2 == 0
    assert md.endswith("made here\n")


# ---- shared value helpers ----------------------------------------------------------------


def test_non_finite_values_never_reach_json_or_plots() -> None:
    data = {"a": [1.0, math.nan, {"b": math.inf}], "c": "x"}
    assert json.dumps(json_safe(data), allow_nan=False) == \
        '{"a": [1.0, null, {"b": null}], "c": "x"}'
    rows = [{"step": 1, "loss": 2.0}, {"step": 2, "loss": math.nan}, {"step": 3},
            {"step": 4, "loss": 0.5}]
    assert finite_points(rows, "step", "loss") == ([1.0, 4.0], [2.0, 0.5])
    assert finite_range(np.array([-1.0, np.nan, 3.0])) == (-1.0, 3.0)
    assert finite_range(np.array([np.nan])) == (0.0, 0.0)


def test_edge_scores_only_for_finite_odd_square_kernels() -> None:
    sobel = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    scores = edge_scores_or_none(sobel[None, None])
    assert scores is not None and edge_label(scores[0]) == "0 →"
    assert edge_label(EdgeScore(4, 90, 0.3, False)) == "4"
    assert "odd square kernels" in no_edge_scores(np.zeros((2, 1, 28, 28)))
    assert edge_scores_or_none(np.zeros((2, 1, 1, 1))) is None
    assert "NaN" in no_edge_scores(np.full((1, 1, 3, 3), np.nan))


def test_difference_rows_name_settings_for_people() -> None:
    """Issue 20, item 10: the comparison table showed the raw key train_size_actual."""
    from tui_cnn.core.compare import Comparison
    from tui_cnn.core.rows import difference_rows

    comparison = Comparison([], {"train_size_actual": (500, 1000), "arch.downsample": (
        "maxpool", "stride"), "label_smoothing": (0.1, 0.0)})
    assert [row[0] for row in difference_rows(comparison)] == [
        "train images", "arch.downsample", "label smoothing"]
