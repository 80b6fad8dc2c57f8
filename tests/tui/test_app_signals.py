"""Signals to the app in a real child process: SIGTERM and SIGINT save the run as
interrupted; SIGHUP leaves it training in its own process. Exit 130 either way."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from tests.liveruns import kill_live_runs
from tui_cnn.core.live.control import append_command
from tui_cnn.core.live.paths import CONTROL
from tui_cnn.core.live.registry import live_runs
from tui_cnn.core.runs import list_runs, read_run

CHILD = textwrap.dedent("""
    import sys
    from tui_cnn.core.config import TrainConfig, preset
    from tui_cnn.tui.app import TuiCnnApp

    class AutoStart(TuiCnnApp):
        def on_ready(self) -> None:
            self.action_start()

    cfg = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=1000,
                      train_size=600, test_size=200, threads=1, runs_dir=sys.argv[1])
    app = AutoStart(cfg, devices=[("cpu", "cpu")])
    app.run(headless=True)
    sys.exit(app.return_code or 0)
""")


def _wait_for_epoch(runs_dir: Path, child: subprocess.Popen[bytes]) -> Path:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        runs = list_runs(runs_dir)
        if runs and runs[0].epochs:
            return runs[0].path
        time.sleep(0.2)
    raise AssertionError("the app never finished an epoch")


@pytest.fixture(autouse=True)
def no_run_left_training(tmp_path: Path) -> Iterator[None]:
    yield
    kill_live_runs(tmp_path / "runs")


def start_app(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    script = tmp_path / "child_app.py"  # Textual finds CSS next to the class's source file
    script.write_text(CHILD)
    runs_dir = tmp_path / "runs"
    child = subprocess.Popen([sys.executable, str(script), str(runs_dir)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return child, runs_dir


def test_hang_up_leaves_the_run_training_and_exits_130(tmp_path: Path) -> None:
    child, runs_dir = start_app(tmp_path)
    try:
        run_dir = _wait_for_epoch(runs_dir, child)
        child.send_signal(signal.SIGHUP)
        assert child.wait(timeout=30) == 130
    finally:
        child.kill()
    [live] = live_runs(runs_dir)
    step = live.state.step
    time.sleep(1.5)
    assert live_runs(runs_dir)[0].state.step > step, "the run stopped training"
    append_command(live.folder / CONTROL, "stop")
    deadline = time.monotonic() + 30
    while read_run(run_dir).state != "stopped":
        assert time.monotonic() < deadline, "ctl stop did not stop it"
        time.sleep(0.2)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_training_saves_the_run_and_exits_130(tmp_path: Path,
                                                            signum: int) -> None:
    child, runs_dir = start_app(tmp_path)
    try:
        run_dir = _wait_for_epoch(runs_dir, child)
        child.send_signal(signum)
        assert child.wait(timeout=60) == 130
    finally:
        child.kill()
    record = read_run(run_dir)
    assert record.state == "interrupted" and not record.problems
    assert record.status["reason"] == "interrupted by a signal"
    assert len(record.epochs) >= 1
    torch.load(run_dir / "model.pt", weights_only=True)
