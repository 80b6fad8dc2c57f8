"""The headless CLI: exit codes, one-line errors, JSON result, real files, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.fakedata import write_idx_mnist
from tui_cnn.cli import main
from tui_cnn.core.runs import list_runs, read_jsonl, read_run

TINY = ["--arch", "cnn-small", "--train-size", "600", "--test-size", "200", "--threads", "1"]


@pytest.mark.parametrize("argv", [
    ["train", "--epochs", "0"],
    ["train", "--epochs", "abc"],
    ["train", "--batch-size", "-1"],
    ["train", "--lr", "nan"],
    ["train", "--arch", "resnet"],
    ["train", "--dataset", "imagenet"],
    ["train", "--device", "cuda:7", "--dataset", "synth-digits"],
    ["train", "--device", "tpu"],
    ["train", "--optimizer", "lbfgs"],
    ["summary", "--arch", "nope"],
    ["train", "--dataset", "synth-digits", "--batch-size", "100000", "--train-size", "500"],
    ["train", "--dataset", "mnist", "--data-dir", "/nonexistent/dir", "--offline"],
    ["train", "--resume", "no-such-run"],
    ["frobnicate"],
])
def test_bad_input_exits_2_with_one_line(argv: list[str], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc_info:
        raise SystemExit(main([*argv, "--runs-dir", str(tmp_path)] if argv[0] == "train"
                              else argv))
    assert exc_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "error" in err and "Traceback" not in err


def test_train_json_is_the_last_line_of_stdout(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["train", *TINY, "--dataset", "synth-digits", "--epochs", "1", "--json",
                 "--runs-dir", str(tmp_path)])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"run_id", "arch", "dataset", "params", "epochs", "final_test_acc",
            "best_test_acc", "train_seconds", "images_per_s", "status"} <= set(result)
    assert result["status"] == "finished" and result["params"] == 26_698
    assert result["arch"] == "cnn-small" and result["epochs"] == 1


def test_the_first_line_says_what_the_run_picked(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["train", *TINY, "--dataset", "synth-digits", "--epochs", "1",
                 "--precision", "fp32", "--batch-size", "50", "--runs-dir", str(tmp_path)])
    assert code == 0
    first = capsys.readouterr().err.strip().splitlines()[0]
    assert "26,698 parameters on cpu (" in first
    assert ", 1 thread), fp32 (asked for), batch 50, 600 training images" in first


@pytest.mark.parametrize(("split", "says"), [
    ("auto", ", 2 threads, each on half of every batch), fp32 (asked for), batch 32,"),
    ("off", ", 2 threads), fp32 (asked for), batch 32,")])
def test_the_first_line_says_how_the_batch_is_split(tmp_path: Path, split: str, says: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    args = [a if a != "1" else "2" for a in TINY]  # --threads 2
    code = main(["train", *args, "--dataset", "synth-digits", "--epochs", "1", "--precision",
                 "fp32", "--batch-split", split, "--runs-dir", str(tmp_path)])
    assert code == 0
    assert says in capsys.readouterr().err.strip().splitlines()[0]


def test_a_bad_batch_split_is_a_clear_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["train", *TINY, "--batch-split", "sometimes", "--runs-dir", str(tmp_path)])
    assert code != 0
    assert "unknown batch split 'sometimes'; choose one of: auto, off" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing started, nothing written


def test_mnist_from_idx_files_in_torchvision_layout(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_idx_mnist(tmp_path / "data", n_train=800, n_test=200, seed=1, gz=True)
    code = main(["train", "--arch", "cnn", "--dataset", "mnist", "--data-dir",
                 str(tmp_path / "data"), "--epochs", "1", "--threads", "1", "--json",
                 "--runs-dir", str(tmp_path / "runs"), "--offline"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["dataset"] == "mnist" and result["params"] == 421_642
    assert result["final_test_acc"] > 0.5


def test_summary_json_totals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--arch", "cnn", "--dataset", "cifar10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["params"] == 545_098
    assert data["layers"][0]["formula"] == "32x3x3x3 + 32 = 896"


def test_runs_lists_newest_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for arch in ("cnn-small", "mlp"):
        main(["train", *TINY[2:], "--arch", arch, "--dataset", "synth-digits", "--epochs",
              "1", "--runs-dir", str(tmp_path), "--quiet"])
        time.sleep(1.1)  # run ids and dates are per second
    capsys.readouterr()
    assert main(["runs", "--runs-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "mlp" in lines[2] and "cnn-small" in lines[3]


def _child(tmp_path: Path, epochs: int = 50) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "tui_cnn", "train", *TINY, "--dataset", "synth-digits",
         "--epochs", str(epochs), "--runs-dir", str(tmp_path), "--log-every", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _wait_for_epochs(tmp_path: Path, count: int, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list_runs(tmp_path)
        if runs and len(runs[0].epochs) >= count:
            return runs[0].path
        time.sleep(0.2)
    raise AssertionError("the child never finished an epoch")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signal_saves_the_run_as_interrupted(tmp_path: Path, signum: int) -> None:
    child = _child(tmp_path)
    run_dir = _wait_for_epochs(tmp_path, 1)
    child.send_signal(signum)
    assert child.wait(timeout=60) == 130
    record = read_run(run_dir)
    assert record.state == "interrupted" and len(record.epochs) >= 1
    assert torch.load(run_dir / "model.pt", weights_only=True)["conv1.weight"].shape == (
        8, 1, 3, 3)


def test_killed_mid_run_leaves_a_readable_folder_that_resumes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    child = _child(tmp_path)
    run_dir = _wait_for_epochs(tmp_path, 2)
    child.kill()
    child.wait(timeout=30)
    record = read_run(run_dir)
    assert record.state == "killed" and len(record.epochs) >= 2
    done = len(record.epochs)
    torch.load(run_dir / "model.pt", weights_only=True)
    code = main(["train", "--resume", run_dir.name, "--epochs", str(done + 1),
                 "--runs-dir", str(tmp_path), "--json", "--quiet", "--threads", "1"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["epochs"] == done + 1 and result["run_id"] == run_dir.name
    assert read_run(run_dir).config["epochs"] == done + 1  # listed as done/done, not done/50
    epochs = [e["epoch"] for e in read_run(run_dir).epochs]
    assert epochs == list(range(1, done + 2))
    steps = [s["step"] for s in read_jsonl(run_dir / "steps.jsonl", [])]
    assert steps == sorted(set(steps))  # the killed epoch's steps are not doubled


def test_relative_folders_are_kept_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A run trained with relative --data-dir / --runs-dir kept them as typed, so every
    later command run from another directory failed ("two: no such folder")."""
    from tests.imagefolder import write_folder

    write_folder(tmp_path / "work" / "shapes", per_class=6)
    monkeypatch.chdir(tmp_path / "work")
    assert main(["train", "--dataset", "folder", "--data-dir", "shapes", "--runs-dir", "runs",
                 "--arch", "cnn-small", "--epochs", "1", "--batch-size", "8",
                 "--log-every", "5"]) == 0
    [run] = (tmp_path / "work" / "runs").iterdir()
    saved = json.loads((run / "config.json").read_text())
    assert saved["data_dir"] == str(tmp_path / "work" / "shapes")
    monkeypatch.chdir("/")
    capsys.readouterr()
    assert main(["inside", run.name[-4:], "--runs-dir", str(tmp_path / "work" / "runs")]) == 0
    assert "conv1" in capsys.readouterr().out


def test_ctl_on_a_run_with_no_process_of_its_own_says_what_it_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run trained by a plain `tui-cnn train` was said to be "started before this
    version, or by an app's in-process runner"; now: ended, or in the foreground."""
    from tests.tui.runstore import write_run

    runs = tmp_path / "runs"
    write_run(runs, "20261201-100000-cnn-synth-digits-a1b2")
    write_run(runs, "20261201-110000-cnn-synth-digits-c3d4", status="running",
              pid=os.getpid(), accs=(0.5,))
    assert main(["ctl", "a1b2", "stop", "--runs-dir", str(runs)]) == 2
    assert "run 20261201-100000-cnn-synth-digits-a1b2 is not training: it ended " \
           "(finished)" in capsys.readouterr().err
    assert main(["ctl", "c3d4", "pause", "--runs-dir", str(runs)]) == 2
    err = capsys.readouterr().err
    assert "trains in the foreground of the terminal (or app) that started it" in err
    assert err.count("\n") == 1


def test_summary_keeps_options_given_before_it_and_counts_a_folders_classes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.imagefolder import write_folder

    assert main(["--arch", "mlp", "summary"]) == 0  # it printed the cnn's table
    assert capsys.readouterr().out.startswith("mlp on mnist (1x28x28 input, 10 classes)")
    assert main(["--arch", "foo", "summary"]) == 2
    assert "unknown architecture 'foo'" in capsys.readouterr().err
    assert main(["summary", "--dataset", "folder"]) == 2  # it printed "0 classes", exit 0
    assert "--dataset folder needs --data-dir DIR" in capsys.readouterr().err
    root = write_folder(tmp_path / "shapes", per_class=1, classes=("a", "b", "c"))
    assert main(["summary", "--dataset", "folder", "--data-dir", str(root)]) == 0
    assert "cnn on folder (1x28x28 input, 3 classes)" in capsys.readouterr().out


@pytest.mark.parametrize("flags", [["--channels", "3"], ["--test-fraction", "0.3"],
                                   ["--image-size", "32"], ["--skip-bad"]])
def test_folder_flags_on_another_dataset_are_refused(
        flags: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--channels 3 on synth-digits was kept in config.json next to a 1x28x28 input, and
    compare then listed "channels 1 vs 3" between two grey runs."""
    assert main(["train", "--dataset", "synth-digits", *flags,
                 "--runs-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{flags[0]}: only for --dataset folder (this run trains on synth-digits)" in err
    assert not list(tmp_path.iterdir())


def test_the_app_without_a_terminal_is_one_line(tmp_path: Path) -> None:
    """`tui-cnn attach RUN < /dev/null` opened the full-screen app on no terminal."""
    for argv in ([], ["attach", "--runs-dir", str(tmp_path)], ["--arch", "foo"]):
        done = subprocess.run([sys.executable, "-m", "tui_cnn", *argv], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=60)
        if argv:  # no live run, a bad flag: that is said first
            assert done.returncode == 2 and ("no run is training" in done.stderr
                                             or "unknown architecture 'foo'" in done.stderr)
            continue
        assert done.returncode == 2
        assert done.stderr == ("tui-cnn: error: the app needs a terminal (its input and output "
                               "are not one); headless: `tui-cnn train`, `tui-cnn runs`, "
                               "`tui-cnn ctl RUN ...`\n")


def test_compare_and_report_show_a_steered_rate_and_the_target_in_percent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run steered with `ctl lr` was shown at the rate it started with alone, and a target
    accuracy as the fraction 0.9 (every other place says 90%); report left it out."""
    from tests.tui.runstore import write_run
    from tui_cnn.core.config import TrainConfig
    from tui_cnn.core.events import LrChanged
    from tui_cnn.core.steer import lr_row

    runs = tmp_path / "runs"
    plain = write_run(runs, "20261201-100000-cnn-synth-digits-a1b2")
    steered = write_run(runs, "20261201-110000-cnn-synth-digits-c3d4",
                        cfg=TrainConfig(epochs=3, train_size=600, test_size=200,
                                        target_acc=0.9))
    with (steered / "steps.jsonl").open("a") as f:  # as the run writes it, before epoch 3
        f.write(json.dumps(lr_row(LrChanged(2, 12, 1e-4, 4e-3, 1e-4))) + "\n")
    assert main(["compare", plain.name, steered.name, "--runs-dir", str(runs)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("learning rate steered"))
    assert line.split()[-5:] == ["-", "0.0001", "from", "step", "13"]
    target = next(x for x in out.splitlines() if x.startswith("target accuracy"))
    assert target.split()[-2:] == ["-", "90%"]
    assert main(["report", plain.name, steered.name, "--runs-dir", str(runs)]) == 0
    report = capsys.readouterr().out
    assert "| **learning rate steered** | - | 0.0001 from step 13 |" in report
    assert "| **target accuracy** | - | 90% |" in report
