"""The rows both faces show: a run's row (with its seed) and accuracy gaps in test images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui_cnn.core.compare import RunSummary, compare
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.rows import RUN_COLUMNS, accuracy_gap, accuracy_gaps, run_row, show
from tui_cnn.core.runs import RunRecord


def summary(final: float | None, images: int | None = 2000,
            dataset: str = "mnist") -> RunSummary:
    return RunSummary("r", "cnn", dataset, None, None, 3, final, final, None, None,
                      "finished", images)


def test_a_gap_is_counted_in_test_images() -> None:
    first = summary(0.9915)  # 1,983 of 2,000 right
    assert accuracy_gap(summary(0.9950), first) == "+0.35 pp = 7 of 2,000 test images"
    assert accuracy_gap(summary(0.9880), first) == "-0.35 pp = 7 of 2,000 test images"
    assert accuracy_gap(summary(0.9915), first) == "+0.00 pp = 0 of 2,000 test images"


def test_a_gap_on_other_test_sets_is_in_points_only() -> None:
    first = summary(0.99)
    assert accuracy_gap(summary(0.70, dataset="cifar10"), first) == "-29.00 pp"
    assert accuracy_gap(summary(0.98, images=1000), first) == "-1.00 pp"
    assert accuracy_gap(summary(0.98, images=None), first) == "-1.00 pp"
    assert accuracy_gap(summary(None), first) is None


def record(run_id: str, seed: int, final: float, images: Any) -> RunRecord:
    config = {**TrainConfig(arch=preset("cnn"), seed=seed).to_dict(), "run_id": run_id,
              "test_size_actual": images}
    return RunRecord(run_id=run_id, path=Path(run_id), config=config,
                     status={"status": "finished", "final_test_acc": final},
                     epochs=[{"epoch": 1, "test_acc": final}])


def test_the_gaps_of_a_comparison_and_the_seed_in_a_run_row() -> None:
    runs = [record("a", 0, 0.84, 200), record("b", 1, 0.855, 200), record("c", 2, 0.81, "x")]
    assert accuracy_gaps(compare(runs)) == [("b", "+1.50 pp = 3 of 200 test images"),
                                           ("c", "-3.00 pp")]
    row = dict(zip(RUN_COLUMNS, run_row(runs[1]), strict=True))
    assert row["seed"] == "1" and row["run"] == "b"


def test_settings_show_short() -> None:
    assert show(0.12504419976323863) == "0.125" and show(0.004) == "0.004"
    assert show(3e-4) == "0.0003" and show((0.4914, 0.48216)) == "0.4914, 0.4822"
    assert show(32) == "32" and show(None) == "-" and show([]) == "none"
