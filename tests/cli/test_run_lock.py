"""One process trains a run at a time, and runs that change while listed (issue 18, fault
classes 3, 4, 5): real processes, no mocks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_damaged_runs import TINY, run_cli
from tui_cnn.core.runlock import LOCK_NAME, RunBusyError, RunLock
from tui_cnn.core.runs import read_run

ROOT = Path(__file__).resolve().parents[2]


def _cli(*argv: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tui_cnn", *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture()
def one_run(tmp_path: Path) -> tuple[Path, str]:
    code, _, err = run_cli(["train", *TINY, "--runs-dir", str(tmp_path)])
    assert code == 0, err
    (run_id,) = [p.name for p in tmp_path.iterdir()]
    return tmp_path, run_id


def _wait_for_lock(lock: Path, pid: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(pid):
            return
        time.sleep(0.02)
    raise AssertionError("the first process never took the lock")


@pytest.mark.slow
def test_two_processes_resume_one_run_the_second_is_refused(one_run: tuple[Path, str]) -> None:
    """A resumes (and is frozen holding the lock); B is refused naming A's pid; A, let go,
    finishes; the run has 2 epochs, not 3."""
    root, run_id = one_run
    first = _cli("train", "--resume", run_id, "--epochs", "2", "--quiet", "--threads", "1",
                 "--runs-dir", str(root))
    try:
        _wait_for_lock(root / run_id / LOCK_NAME, first.pid)
        os.kill(first.pid, signal.SIGSTOP)
        second = _cli("train", "--resume", run_id, "--epochs", "2", "--quiet",
                      "--runs-dir", str(root))
        _, err = second.communicate(timeout=120)
        assert second.returncode == 2
        assert err.strip().splitlines() == [
            f"tui-cnn: error: run {run_id} is being trained by process {first.pid}; wait "
            "for it to end or stop it first"]
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    record = read_run(root / run_id)
    assert [e["epoch"] for e in record.epochs] == [1, 2] and record.state == "finished"
    assert not (root / run_id / LOCK_NAME).read_text()  # released, no pid left behind


@pytest.mark.slow
def test_a_sigkilled_holder_leaves_the_run_free(one_run: tuple[Path, str]) -> None:
    """The kernel drops the flock of a killed process: the run can be carried on."""
    root, run_id = one_run
    first = _cli("train", "--resume", run_id, "--epochs", "5", "--quiet", "--threads", "1",
                 "--runs-dir", str(root))
    _wait_for_lock(root / run_id / LOCK_NAME, first.pid)
    first.kill()
    first.wait(timeout=30)
    code, _, err = run_cli(["train", "--resume", run_id, "--epochs", "2", "--quiet",
                            "--threads", "1", "--runs-dir", str(root)])
    assert code == 0, err


def test_a_lock_held_in_this_process_refuses_a_second(tmp_path: Path) -> None:
    lock = RunLock.acquire(tmp_path)
    with pytest.raises(RunBusyError, match=rf"process {os.getpid()} \(this one\)"):
        RunLock.acquire(tmp_path)
    lock.release()
    RunLock.acquire(tmp_path).release()  # free again


def test_status_running_with_a_live_pid_is_not_resumed(one_run: tuple[Path, str]) -> None:
    root, run_id = one_run
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        status = root / run_id / "status.json"
        status.write_text(json.dumps({**json.loads(status.read_text()), "status": "running",
                                      "pid": sleeper.pid}))
        code, _, err = run_cli(["train", "--resume", run_id, "--epochs", "2", "--quiet",
                                "--runs-dir", str(root)])
        assert code == 2 and f"being trained by process {sleeper.pid}" in err
        assert "status.json says running" in err
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize(("flag", "value", "what"), [
    ("--arch", "cnn-stride2", "architecture cnn-small"), ("--dataset", "synth-shapes",
                                                           "dataset synth-digits"),
    ("--optimizer", "sgd", "optimizer adam")])
def test_resume_that_changes_what_the_run_is_is_refused(
        one_run: tuple[Path, str], flag: str, value: str, what: str) -> None:
    root, run_id = one_run
    before = {p.name: p.read_bytes() for p in (root / run_id).iterdir() if p.is_file()}
    code, _, err = run_cli(["train", "--resume", run_id, flag, value, "--epochs", "2",
                            "--quiet", "--runs-dir", str(root)])
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"was trained with {what}" in err and "fork it" in err and "f in the app" in err
    after = {p.name: p.read_bytes() for p in (root / run_id).iterdir() if p.is_file()}
    assert after == before  # nothing written


@pytest.mark.slow
def test_folders_deleted_while_another_process_lists_them(tmp_path: Path) -> None:
    """`tui-cnn runs` in a subprocess while this process deletes the run folders it lists."""
    code, _, err = run_cli(["train", *TINY, "--runs-dir", str(tmp_path / "seed")])
    assert code == 0, err
    (seed,) = (tmp_path / "seed").iterdir()
    runs = tmp_path / "runs"
    names = [f"run-{i:03d}" for i in range(200)]
    for name in names:
        shutil.copytree(seed, runs / name, ignore=shutil.ignore_patterns("*.pt"))
    for _ in range(3):
        lister = _cli("runs", "--runs-dir", str(runs))
        rounds = 0
        while lister.poll() is None:  # delete and remake folders for as long as it lists
            for name in names[rounds % 2::2]:
                shutil.rmtree(runs / name, ignore_errors=True)
            for name in names[rounds % 2::2]:
                shutil.copytree(seed, runs / name, ignore=shutil.ignore_patterns("*.pt"))
            rounds += 1
        out, err = lister.communicate(timeout=120)
        assert lister.returncode == 0 and err == "", err
        assert rounds >= 1 and "run-" in out
