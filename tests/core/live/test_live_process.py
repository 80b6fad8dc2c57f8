"""Runs in a process of their own, with real child processes: SIGKILL detection, the
control channel (garbage included), two followers, and ``tui-cnn ctl``/``--detach``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.liveruns import kill_live_runs
from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.control import StopFlag
from tui_cnn.core.events import ControlNote, Event, RunEnded, RunStarted, StepMetrics
from tui_cnn.core.live.paths import CONTROL, LOG
from tui_cnn.core.live.registry import find_live, live_runs
from tui_cnn.core.live.runner import ProcessRunner, follow_run
from tui_cnn.core.live.state import liveness, read_state
from tui_cnn.core.runs import list_runs, read_run
from tui_cnn.core.steer import Steering

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux processes")


@pytest.fixture(autouse=True)
def no_run_left_training(tmp_path: Path) -> Iterator[None]:
    yield
    kill_live_runs(tmp_path)


def tiny(runs_dir: Path, epochs: int = 200) -> TrainConfig:
    return TrainConfig(arch=PRESETS["cnn-small"], dataset="synth-digits", epochs=epochs,
                       train_size=600, test_size=200, threads=1, log_every=2,
                       runs_dir=str(runs_dir), download=False)


class Follower:
    """Iterates a runner's events on a thread, keeping them."""

    def __init__(self, events: Iterator[Event]) -> None:
        self.events: list[Event] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(events,), daemon=True)
        self.thread.start()

    def _run(self, events: Iterator[Event]) -> None:
        try:
            for event in events:
                self.events.append(event)
        except BaseException as exc:
            self.error = exc

    def wait(self, what: type, timeout: float = 90.0, count: int = 1) -> list[Event]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events if isinstance(e, what)]
            if len(found) >= count:
                return found
            assert self.error is None, self.error
            time.sleep(0.05)
        raise AssertionError(f"no {what.__name__} in {timeout} s")


def start(runs_dir: Path, epochs: int = 200) -> tuple[ProcessRunner, StopFlag,
                                                      threading.Event, Follower]:
    runner, stop, pause = ProcessRunner(), StopFlag(), threading.Event()
    follower = Follower(runner(tiny(runs_dir, epochs), stop, pause, Steering()))
    return runner, stop, pause, follower


def test_a_sigkilled_child_reads_as_killed_within_5_s_and_its_folder_resumes(
        tmp_path: Path) -> None:
    _, _, _, follower = start(tmp_path)
    from tui_cnn.core.events import EpochMetrics

    follower.wait(EpochMetrics)
    [live] = live_runs(tmp_path)
    attached = Follower(follow_run(live.folder, StopFlag(), threading.Event(), Steering(),
                                   threading.Event()))  # another app: no child handle
    attached.wait(RunStarted)
    os.kill(live.state.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    for who in (follower, attached):
        [ended] = who.wait(RunEnded, timeout=5)
        assert time.monotonic() - killed_at < 5
        assert isinstance(ended, RunEnded) and ended.status == "killed"
        assert ended.epochs_done >= 1
    assert liveness(read_state(live.folder)) == "killed"
    assert not live_runs(tmp_path)
    [record] = list_runs(tmp_path)
    assert record.state == "killed"
    from tui_cnn.core.train import run

    cfg = tiny(tmp_path, epochs=len(record.epochs) + 1).replace(resume_from=str(record.path))
    [end] = [e for e in run(cfg) if isinstance(e, RunEnded)]
    assert end.status == "finished" and end.epochs_done == len(record.epochs) + 1


def test_garbage_on_the_control_channel_is_ignored_with_a_message(tmp_path: Path) -> None:
    _, stop, pause, follower = start(tmp_path)
    follower.wait(StepMetrics)
    [live] = live_runs(tmp_path)
    with open(live.folder / CONTROL, "ab") as handle:
        handle.write(b"garbage\n{\"cmd\": \"explode\"}\n{\"cmd\": \"lr\", \"value\": -1}\n"
                     b"\xff\xfe\n")
    notes = follower.wait(ControlNote, count=4, timeout=10)
    assert [n.applied for n in notes] == [False] * 4  # type: ignore[attr-defined]
    text = " | ".join(n.message for n in notes)  # type: ignore[attr-defined]
    assert "not JSON" in text and "unknown command 'explode'" in text
    assert "learning rate must be" in text
    assert "ignored" in (live.folder / LOG).read_text()
    steps = len(follower.wait(StepMetrics))
    time.sleep(1.0)
    assert len(follower.wait(StepMetrics)) > steps, "the run stopped training"
    stop.set()
    [ended] = follower.wait(RunEnded, timeout=30)
    assert isinstance(ended, RunEnded) and ended.status == "stopped"


def test_two_followers_both_see_the_run_and_either_steers_it(tmp_path: Path) -> None:
    _, stop, pause, first = start(tmp_path)
    first.wait(StepMetrics)
    [live] = live_runs(tmp_path)
    stop2, pause2, detached = StopFlag(), threading.Event(), threading.Event()
    second = Follower(follow_run(live.folder, stop2, pause2, Steering(), detached))
    second.wait(RunStarted)  # replayed from the first event
    pause2.set()  # the second one pauses it: the first one's pause flag follows
    notes = first.wait(ControlNote, timeout=10)
    assert notes[0].command == "pause"  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5
    while not pause.is_set():
        assert time.monotonic() < deadline, "the first follower did not see the pause"
        time.sleep(0.05)
    assert read_state(live.folder).status == "paused"  # type: ignore[union-attr]
    stop.set()  # the first one stops it: both see it end
    for follower in (first, second):
        [ended] = follower.wait(RunEnded, timeout=30)
        assert isinstance(ended, RunEnded) and ended.status == "stopped"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui_cnn", *args], capture_output=True,
                          text=True, timeout=120)


def settled_step(ref: str, runs: str, timeout: float = 15.0) -> int:
    """The live step once the pause has taken hold. The pause is acked when asked, and the
    run pauses between batches: the batch under way, and the report at its epoch's end
    (once seen in CI: acked at step 95, then epoch 6's report wrote 114), may still come.
    Settled: the same over more than one heartbeat (HEARTBEAT_S, 1 s)."""
    deadline = time.monotonic() + timeout
    step = find_live(ref, runs).state.step
    while time.monotonic() < deadline:
        time.sleep(1.2)
        now = find_live(ref, runs).state.step
        if now == step:
            return step
        step = now
    raise AssertionError(f"the run kept stepping after the pause: step {step}")


def test_train_detach_then_ctl_pause_resume_lr_stop(tmp_path: Path) -> None:
    runs = str(tmp_path)
    out = cli("train", "--detach", "--json", "--arch", "cnn-small", "--dataset",
              "synth-digits", "--epochs", "200", "--train-size", "600", "--test-size", "200",
              "--threads", "1", "--runs-dir", runs)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout.splitlines()[-1])
    run_id = info["run_id"]
    assert f"tui-cnn attach {run_id}" in out.stdout and "tui-cnn ctl" in out.stdout
    suffix = run_id[-4:]
    listed = cli("runs", "--runs-dir", runs)
    assert "live" in listed.stdout, listed.stdout
    paused = cli("ctl", suffix, "pause", "--runs-dir", runs)
    assert paused.returncode == 0 and "paused between batches" in paused.stdout, paused
    state = find_live(suffix, runs).state
    assert state.status == "paused"
    step = settled_step(suffix, runs)
    time.sleep(1.5)
    assert find_live(suffix, runs).state.step == step  # paused: no steps
    assert "live, paused" in cli("runs", "--runs-dir", runs).stdout
    bad = cli("ctl", suffix, "lr", "zero", "--runs-dir", runs)
    assert bad.returncode == 2 and "learning rate" in bad.stderr
    assert "resumed" in cli("ctl", suffix, "resume", "--runs-dir", runs).stdout
    assert "learning rate 0.001" in cli("ctl", suffix, "lr", "1e-3", "--runs-dir", runs).stdout
    stopped = cli("ctl", suffix, "stop", "--runs-dir", runs)
    assert "stopping" in stopped.stdout, stopped
    deadline = time.monotonic() + 30
    while read_run(Path(info["run_dir"])).state != "stopped":
        assert time.monotonic() < deadline, "the run did not stop"
        time.sleep(0.2)
    again = cli("ctl", suffix, "pause", "--runs-dir", runs)
    assert again.returncode == 2 and "is not training" in again.stderr
    assert "no run is training" in cli("attach", "--runs-dir", runs).stderr


def test_liveness_reads_ended_killed_and_not_responding() -> None:
    from tui_cnn.core.live.state import STALE_S, LiveState

    me = os.getpid()
    assert liveness(LiveState(me, "r", status="running")) == "running"
    assert liveness(LiveState(me, "r", status="ended")) == "ended"
    assert liveness(LiveState(2**31 - 2, "r", status="running")) == "killed"
    old = time.time() - STALE_S - 1
    assert liveness(LiveState(me, "r", status="running", heartbeat=old)) == "not responding"
    zombie = subprocess.Popen(["true"])
    time.sleep(0.5)  # exited, not reaped: a zombie is not alive
    assert liveness(LiveState(zombie.pid, "r", status="running")) == "killed"
    zombie.wait()


def test_an_attaching_follower_gets_earlier_control_notes_marked_replayed(
        tmp_path: Path) -> None:
    """On attach the app replays the run from its first event; the commands taken before it
    came are old news (it said them as notices each time an app attached)."""
    _, stop, pause, first = start(tmp_path)
    first.wait(StepMetrics)
    pause.set()
    first.wait(ControlNote, timeout=10)
    pause.clear()
    first.wait(ControlNote, timeout=10, count=2)  # paused, then resumed: both in history
    [live] = live_runs(tmp_path)
    stop2, pause2, steering2 = StopFlag(), threading.Event(), Steering()
    attached = Follower(follow_run(live.folder, stop2, pause2, steering2, threading.Event(),
                                   replay=True))
    old = attached.wait(ControlNote, count=2, timeout=10)
    assert [(n.command, n.replayed) for n in old] == [  # type: ignore[attr-defined]
        ("pause", True), ("resume", True)]
    assert not pause2.is_set()  # the last of them says running
    steering2.request_lr("0.02")  # a command after attaching: news
    notes = attached.wait(ControlNote, count=3, timeout=10)
    assert (notes[2].command, notes[2].replayed) == ("lr", False)  # type: ignore[attr-defined]
    assert all(not n.replayed for n in first.wait(ControlNote, count=3))  # type: ignore[attr-defined]
    stop.set()
    attached.wait(RunEnded, timeout=30)


def test_a_run_that_is_not_saved_leaves_no_live_folder_behind(tmp_path: Path) -> None:
    import tempfile

    def temp_live() -> set[str]:
        return {p.name for p in Path(tempfile.gettempdir()).glob("tui-cnn-live-*")}

    before = temp_live()
    events = list(ProcessRunner()(tiny(tmp_path, epochs=1).replace(runs_dir=""), StopFlag(),
                                  threading.Event(), Steering()))
    assert isinstance(events[-1], RunEnded) and events[-1].status == "finished"
    assert events[-1].run_dir is None
    assert temp_live() == before
