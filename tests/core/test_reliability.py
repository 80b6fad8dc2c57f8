"""Faults during a run: a full disk, damaged checkpoints, an unwritable runs dir."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tui_cnn.cli import main
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.events import EpochMetrics, RunEnded
from tui_cnn.core.runs import RunStoreError, read_run
from tui_cnn.core.runwriter import RunWriter
from tui_cnn.core.train import run


def tiny(tmp_path: Path, **changes: object) -> TrainConfig:
    return TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=2,
                       train_size=400, test_size=100, threads=1, log_every=4,
                       runs_dir=str(tmp_path)).replace(**changes)


def test_full_disk_while_saving_fails_the_run_cleanly(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    original = RunWriter.append

    def append(self: RunWriter, name: str, record: dict) -> None:
        calls["n"] += 1
        if name == "epochs.jsonl" and record.get("epoch") == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        original(self, name, record)

    monkeypatch.setattr(RunWriter, "append", append)
    events = list(run(tiny(tmp_path)))
    end = events[-1]
    assert isinstance(end, RunEnded) and end.status == "failed"
    assert "No space left on device" in end.reason
    record = read_run(Path(end.run_dir or ""))
    assert record.state == "failed" and [e["epoch"] for e in record.epochs] == [1]
    assert sum(isinstance(e, EpochMetrics) for e in events) == 1


def _finished_run(tmp_path: Path) -> Path:
    end = list(run(tiny(tmp_path, epochs=1)))[-1]
    assert isinstance(end, RunEnded) and end.run_dir
    return Path(end.run_dir)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("model.pt", b"\x80\x02garbage", "model.pt cannot be read"),
    ("resume.pt", b"", "resume.pt cannot be read"),
    ("config.json", b'{"arch": ', "config.json: not valid JSON"),
])
def test_damaged_files_refuse_resume_with_the_file_named(
        tmp_path: Path, name: str, content: bytes, message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = _finished_run(tmp_path)
    (run_dir / name).write_bytes(content)
    code = main(["train", "--resume", str(run_dir), "--epochs", "3", "--quiet",
                 "--runs-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err
    assert read_run(run_dir).epochs  # the run itself is still listed with its history


def test_resume_needs_more_epochs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = _finished_run(tmp_path)
    code = main(["train", "--resume", str(run_dir), "--epochs", "1", "--quiet"])
    assert code == 2 and "already has 1 epoch(s)" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_runs_dir_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(RunStoreError, match="cannot write runs to"):
        list(run(tiny(locked)))


def test_runs_dir_that_is_a_file_is_exit_2(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["train", "--dataset", "synth-digits", "--train-size", "200", "--quiet",
                 "--runs-dir", str(blocker)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot write runs to" in err and len(err.strip().splitlines()) == 1


def test_a_torn_epoch_record_before_the_checkpoint_is_kept_through_a_resume(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """epochs.jsonl cut inside epoch 1's line: the model still loads (status.json counts
    the epoch), and a resume keeps the torn line, so the run stays marked damaged instead
    of dropping epoch 1's record unseen (it had listed 2/3, finished, not damaged)."""
    from tui_cnn.core.inside.epochs import load_epoch_model

    run_dir = _finished_run(tmp_path)
    epochs = run_dir / "epochs.jsonl"
    torn = epochs.read_bytes()[:100]
    epochs.write_bytes(torn)
    assert load_epoch_model(run_dir).epoch == 1  # it said "finished no epoch"
    assert main(["filters", str(run_dir)]) == 0
    assert "after epoch 1, the final checkpoint" in capsys.readouterr().out  # "epoch 0"
    assert main(["train", "--resume", str(run_dir), "--epochs", "2", "--quiet",
                 "--runs-dir", str(tmp_path)]) == 0
    lines = epochs.read_bytes().splitlines()
    assert lines[0] == torn and len(lines) == 2
    record = read_run(run_dir)
    assert [e["epoch"] for e in record.epochs] == [2] and record.damaged


def test_a_torn_line_a_kill_left_past_the_checkpoint_is_dropped_on_resume(
        tmp_path: Path) -> None:
    run_dir = _finished_run(tmp_path)
    with (run_dir / "epochs.jsonl").open("ab") as f:
        f.write(b'{"epoch": 2, "test_a')  # the kill came mid-write of epoch 2's row
    assert read_run(run_dir).damaged
    assert main(["train", "--resume", str(run_dir), "--epochs", "2", "--quiet",
                 "--runs-dir", str(tmp_path)]) == 0
    record = read_run(run_dir)
    assert [e["epoch"] for e in record.epochs] == [1, 2] and not record.damaged
