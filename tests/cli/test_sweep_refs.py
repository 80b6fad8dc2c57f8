"""``compare`` and ``report`` given a sweep id; ``train`` and ``sweep`` share one flag table."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from tui_cnn.cli import build_parser, main
from tui_cnn.commands.sweep import base_config
from tui_cnn.core.flags import TRAIN_FLAGS
from tui_cnn.core.sweep.store import list_sweeps

TINY = ["--arch", "cnn-small", "--dataset", "synth-digits", "--epochs", "1",
        "--train-size", "256", "--test-size", "128", "--log-every", "2"]


def _options(command: str) -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {o for a in sub.choices[command]._actions for o in a.option_strings}


def test_train_and_sweep_take_every_flag_of_the_one_table() -> None:
    flags = {f.flag for f in TRAIN_FLAGS}
    assert flags <= _options("train")
    assert flags <= _options("sweep")
    assert {"--skip-bad", "--keep-checkpoints", "--test-fraction"} <= flags


def test_sweep_reads_a_switch_and_a_value_from_the_table() -> None:
    args = build_parser().parse_args(["sweep", "--grid", "seed=0", "--skip-bad",
                                      "--keep-checkpoints", "all", "--lr", "0.01"])
    cfg = base_config(args)
    assert cfg.skip_bad is True and cfg.keep_checkpoints == "all" and cfg.lr == 0.01


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    runs = tmp_path_factory.mktemp("runs")
    code = main(["sweep", "--grid", "seed=0,1", *TINY, "--runs-dir", str(runs),
                 "--workers", "2", "--quiet", "--json"])
    assert code == 0
    return runs, list_sweeps(runs)[0].sweep_id


@pytest.mark.slow
def test_compare_a_sweep_sets_its_trials_side_by_side_then_its_groups(
        swept: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    runs, sweep_id = swept
    capsys.readouterr()
    assert main(["compare", sweep_id, "--runs-dir", str(runs)]) == 0
    out = capsys.readouterr().out
    assert "seed" in out.split("results")[0]  # the trials differ in the seed only
    assert f"sweep {sweep_id}: 2 trial(s): 2 finished" in out
    assert "2/2" in out  # the one group: both seeds finished
    assert main(["compare", sweep_id[:8], "--runs-dir", str(runs), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["runs"]) == 2
    assert data["sweeps"][0]["sweep_id"] == sweep_id
    assert data["sweeps"][0]["groups"][0]["finished"] == 2


@pytest.mark.slow
def test_report_on_a_sweep_has_its_runs_and_its_group_table(
        swept: tuple[Path, str], tmp_path: Path) -> None:
    runs, sweep_id = swept
    out = tmp_path / "report.md"
    assert main(["report", sweep_id, "--runs-dir", str(runs), "-o", str(out)]) == 0
    text = out.read_text()
    assert text.count("## Run `") == 2
    assert f"## Sweep `{sweep_id}`" in text
    assert "| group | n | final acc % (95% CI) |" in text
    assert text.index("## Results") < text.index("## Sweep") < text.index("## Run `")


def test_a_ref_that_is_neither_run_nor_sweep_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "nothing", "sw-nothing", "--runs-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "nothing" in err
