"""``tui-cnn sweep`` and ``sweep-report`` from the command line, for real."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui_cnn.cli import main
from tui_cnn.core.runs import read_run
from tui_cnn.core.sweep.store import list_sweeps

TINY = ["--arch", "cnn-small", "--dataset", "synth-digits", "--epochs", "1",
        "--train-size", "256", "--test-size", "128", "--log-every", "2"]


@pytest.mark.parametrize(("argv", "words"), [
    (["--grid", "colour=red,blue"], ["unknown grid field 'colour'"]),
    (["--grid", "seed=0,x"], ["seed=x", "whole number"]),
    (["--grid", "arch=cnn,resnet"], ["arch=resnet"]),
    (["--grid", "seed=0", "--lr", "nan"], ["learning rate"]),
    (["--grid", "seed=" + ",".join(map(str, range(1001)))], ["1,001 trials", "--yes"]),
    (["--grid", "seed=0,1", "--ray", "127.0.0.1:1"], ["cannot reach a Ray cluster"]),
    (["--grid", "seed=0", "--workers", "0"], ["--workers"]),
    (["--grid", "seed=0", "--workers", "-1", "--dry-run"], ["--workers must be at least 1"]),
    (["--grid", "seed=0", "--ray", "--cpus-per-trial", "-1"],
     ["--cpus-per-trial must be more than 0, got -1"]),
    (["--grid", "seed=0", "--ray", "--gpus-per-trial", "-2"],
     ["--gpus-per-trial must be 0 or more, got -2"]),
    (["--grid", "seed=0", "--gpus-per-trial", "nan", "--dry-run"], ["--gpus-per-trial"]),
])
def test_bad_sweep_refused_before_anything_starts(argv: list[str], words: list[str],
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", *argv, "--runs-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err
    assert not list(tmp_path.iterdir())  # nothing written, nothing started


def test_dry_run_lists_the_trials(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "--grid", "arch=cnn,cnn-stride2", "--grid", "seed=0,1,2",
                 "--runs-dir", str(tmp_path), "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["trials"] == 6 and out["to_run"] == 6
    assert out["rows"][3]["values"] == {"arch": "cnn-stride2", "seed": "0"}
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_sweep_runs_skips_finished_on_rerun_and_reports(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "--grid", "seed=0,1", *TINY, "--runs-dir", str(tmp_path),
            "--workers", "2", "--quiet", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["counts"] == {"finished": 2}
    assert main(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert [t["run_id"] for t in second["trials"]] == [t["run_id"] for t in first["trials"]]
    assert len([p for p in tmp_path.iterdir() if p.name != "sweeps"]) == 2  # nothing re-run
    group = first["groups"][0]
    assert group["metrics"]["final_test_acc"]["n"] == 2
    assert main(["sweep-report", first["sweep_id"][:6], "--runs-dir", str(tmp_path),
                 "--markdown"]) == 0
    md = capsys.readouterr().out
    assert md.splitlines()[0].startswith(f"**sweep {first['sweep_id']}: 2 trial(s)")
    assert "| all | 2/2 |" in md
    assert main(["sweep-report", "nope", "--runs-dir", str(tmp_path)]) == 2


@pytest.mark.slow
def test_two_sweeps_on_one_runs_dir_at_once_lose_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tui_cnn", "sweep", "--grid", grid, *TINY,
         "--runs-dir", str(tmp_path), "--workers", "1", "--quiet", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        for grid in ("seed=0,1", "seed=2,3")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    reports = [json.loads(o[0]) for o in outs]
    run_ids = {t["run_id"] for r in reports for t in r["trials"]}
    assert len(run_ids) == 4
    for run_id in run_ids:
        record = read_run(tmp_path / run_id)
        assert record.state == "finished" and not record.problems
    assert len(list_sweeps(tmp_path)) == 2


def test_ray_not_installed_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets without Ray
    code = main(["sweep", "--grid", "seed=0,1", "--ray", "--runs-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == ("tui-cnn: error: --ray needs Ray, which is not installed here; "
                           "install it with pip install -e '.[ray]' (or pip install 'ray>=2.9')")


@pytest.mark.slow
def test_ctrl_c_to_the_process_group_saves_every_trial_as_interrupted(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    argv = [sys.executable, "-m", "tui_cnn", "sweep", "--grid", "seed=0,1,2", *TINY,
            "--epochs", "40", "--runs-dir", str(tmp_path), "--workers", "2", "--json"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        running = [p for p in tmp_path.glob("2*/epochs.jsonl")]
        if len(running) == 2:
            break
        time.sleep(0.2)
    assert len(running) == 2, "two trials never got going"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 130, err
    report = json.loads(out)
    assert sorted(t["status"] for t in report["trials"]) == [
        "interrupted", "interrupted", "pending"]
    for trial in report["trials"]:
        if trial["status"] == "interrupted":
            assert read_run(tmp_path / trial["run_id"]).state == "interrupted"
