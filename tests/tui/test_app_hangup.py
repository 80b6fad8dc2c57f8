"""The SSH connection drops: the app's terminal closes under it while it trains.

The app runs in a real pseudo-terminal as its controlling terminal; closing the master side
makes the kernel send SIGHUP, as sshd does when a connection is lost. The process must leave
(it once hung restoring the dead terminal) and the run, which trains in a process of its
own, must go on training; a second app then attaches to it and shows its progress.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.liveruns import kill_live_runs
from tui_cnn.core.runs import list_runs, read_run

from .attaching import attach_and_stop, wait_live

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux pseudo-terminals")


def _controlling_tty() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


@pytest.fixture(autouse=True)
def no_run_left_training(tmp_path: Path) -> Iterator[None]:
    yield
    kill_live_runs(tmp_path)


async def test_terminal_hang_up_leaves_the_run_training_and_a_new_app_attaches(
        tmp_path: Path) -> None:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x18\x00\x50\x00\x00\x00\x00\x00")  # 24x80
    env = {**os.environ, "TERM": "xterm-256color"}
    child = subprocess.Popen(
        [sys.executable, "-m", "tui_cnn", "--dataset", "synth-digits", "--arch", "cnn-small",
         "--epochs", "200", "--runs-dir", str(tmp_path)],
        stdin=slave, stdout=slave, stderr=slave, env=env, preexec_fn=_controlling_tty)
    os.close(slave)
    threading.Thread(target=_drain, args=(master,), daemon=True).start()
    try:
        deadline = time.monotonic() + 120
        while not (list_runs(tmp_path) and list_runs(tmp_path)[0].epochs):
            assert time.monotonic() < deadline, "no epoch finished"
            assert child.poll() is None, f"the app ended early: {child.returncode}"
            os.write(master, b"t")  # start (repeats are refused while a run is going)
            time.sleep(1.0)
        os.close(master)  # the connection drops
        assert child.wait(timeout=60) == 130
    finally:
        child.kill()
    step = wait_live(tmp_path)  # the app is gone: the run trains on
    wait_live(tmp_path, past_step=step)
    record = read_run(list_runs(tmp_path)[0].path)
    assert record.state == "running" and record.epochs and not record.problems
    await attach_and_stop(tmp_path)
