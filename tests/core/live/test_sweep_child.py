"""A sweep in a process of its own, with real processes: it runs to the end and a follower
rebuilds its progress as the store has it; ``stop`` on the control channel; SIGKILL of
the sweep's process is seen as killed, its workers go, and a re-run resumes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.events import ControlNote
from tui_cnn.core.live.control import append_command
from tui_cnn.core.live.paths import CONTROL, EVENTS, SPEC
from tui_cnn.core.live.registry import find_live, live_runs
from tui_cnn.core.live.state import LiveState, liveness, read_state, write_state
from tui_cnn.core.live.sweep_follow import follow_sweep, live_sweeps
from tui_cnn.core.live.sweep_spawn import read_sweep_spec, spawn_sweep
from tui_cnn.core.live.sweep_stream import SweepEventWriter
from tui_cnn.core.runfiles import pid_alive
from tui_cnn.core.runs import read_run
from tui_cnn.core.sweep.grid import SweepSpec
from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.store import find_sweep

pytestmark = [pytest.mark.slow,  # each starts a sweep process and workers that train
              pytest.mark.skipif(sys.platform != "linux", reason="Linux processes")]


@pytest.fixture(autouse=True)
def no_sweep_left_going(tmp_path: Path) -> Iterator[None]:
    yield
    for sweep in live_sweeps(tmp_path):
        with contextlib.suppress(OSError):
            os.kill(sweep.state.pid, signal.SIGKILL)


def tiny_sweep(runs_dir: Path, grid: tuple[str, list[str]] = ("seed", ["0", "1"]),
               epochs: int = 1) -> SweepSpec:
    """Trials of 200 images; ``epochs`` makes them last (the machine may be fast)."""
    base = TrainConfig(arch=PRESETS["cnn-small"], dataset="synth-digits", epochs=epochs,
                       train_size=200, test_size=100, threads=1, log_every=2,
                       device="cpu", runs_dir=str(runs_dir), download=False)
    return SweepSpec.build(base, [grid])


def run_ids(progress: SweepProgress) -> dict[int, str | None]:
    return {i: t.run_id for i, t in progress.trials.items()}


def test_a_sweep_process_runs_to_the_end_and_a_follower_rebuilds_its_progress(
        tmp_path: Path) -> None:
    spec = tiny_sweep(tmp_path)
    child = spawn_sweep(spec, workers=1)
    assert read_sweep_spec(child.folder) == (spec, 1)  # the spec round-trips
    assert child.folder.name == f"sweep-{spec.sweep_id()}"
    moved: list[int] = []
    while read_state(child.folder) is None:  # followed by live.json (as an attach is)
        assert child.process.poll() is None
        time.sleep(0.05)
    followed = follow_sweep(child.folder, threading.Event(), threading.Event(),
                            lambda progress, index: moved.append(index))
    assert liveness(read_state(child.folder)) == "ended"  # already, as the stream ends
    assert child.process.wait(timeout=30) == 0
    assert followed.status == "finished" and followed.progress is not None
    progress = followed.progress
    states = find_sweep(spec.sweep_id(), tmp_path).states(spec.trials())
    assert progress.counts() == {"finished": 2}
    assert [s.status for s in states] == ["finished", "finished"]
    assert run_ids(progress) == {s.index: s.run_id for s in states}
    assert all(read_run(tmp_path / str(s.run_id)).state == "finished" for s in states)
    assert moved.count(0) >= 3 and moved.count(1) >= 3  # assigned, started, ..., end
    assert moved.index(1) > len(moved) - 1 - moved[::-1].index(0)  # one worker: in turn
    state = read_state(child.folder)
    assert state is not None and (state.kind, state.status, state.ended) == (
        "sweep", "ended", "finished")
    assert (state.step, state.total_steps) == (2, 2)
    replayed = follow_sweep(child.folder, threading.Event(), threading.Event())
    assert replayed.status == "finished" and replayed.progress is not None
    assert replayed.progress.counts() == progress.counts()
    assert run_ids(replayed.progress) == run_ids(progress)
    assert list((find_sweep(spec.sweep_id(), tmp_path).path / "logs").glob("worker-*.log"))
    assert live_runs(tmp_path) == [] and live_sweeps(tmp_path) == []
    again = spawn_sweep(spec, workers=1)  # the same sweep again: nothing left to do
    rerun = follow_sweep(again.folder, threading.Event(), threading.Event(),
                         process=again.process)
    assert rerun.progress is not None and rerun.progress.counts() == {"skipped": 2}
    assert again.process.returncode == 0


def test_stop_on_the_control_channel_ends_it_with_the_trial_interrupted(
        tmp_path: Path) -> None:
    spec = tiny_sweep(tmp_path, epochs=500)
    child = spawn_sweep(spec, workers=1)
    sent: list[int] = []

    def stop_once_training(progress: SweepProgress, index: int) -> None:
        if not sent and progress.trials[0].step > 0:
            sent.append(append_command(child.folder / CONTROL, "stop").seq)

    notes: list[ControlNote] = []
    followed = follow_sweep(child.folder, threading.Event(), threading.Event(),
                            stop_once_training, child.process, noted=notes.append)
    assert child.process.wait(timeout=30) == 0
    assert sent == [1] and followed.status == "stopped"
    assert notes == [ControlNote(1, "stop", True,  # in the stream: every follower sees it
                                 "stopping every trial (each saved as interrupted)")]
    late: list[ControlNote] = []  # a follower that comes after: the same note, replayed
    again = follow_sweep(child.folder, threading.Event(), threading.Event(), noted=late.append)
    assert again.status == "stopped" and [n.replayed for n in late] == [True]
    assert followed.progress is not None
    assert followed.progress.counts() == {"interrupted": 1, "pending": 1}
    states = find_sweep(spec.sweep_id(), tmp_path).states(spec.trials())
    assert [s.status for s in states] == ["interrupted", "pending"]
    assert read_run(tmp_path / str(states[0].run_id)).state == "interrupted"
    state = read_state(child.folder)
    assert state is not None and (state.acked, state.ended) == (1, "stopped")
    assert "stopping every trial" in state.message


def test_a_follower_between_live_json_ended_and_the_streams_end_reads_it_ended(
        tmp_path: Path) -> None:
    """The sweep's process says ended in live.json, then in its stream: a follower without
    the process (another app, attached) that polled between the two read it as killed."""
    folder = tmp_path / "live"
    folder.mkdir()
    writer = SweepEventWriter(folder / EVENTS)
    writer.planned("sw-1", {0: "seed=0"}, 1, ())
    writer.message(0, "assigned", {"pid": 1})
    writer.message(0, "end", {"status": "interrupted", "run_id": "r0"})
    writer.close()  # no "ended" row yet
    write_state(folder, LiveState(os.getpid(), "sw-1", status="ended", ended="stopped",
                                  kind="sweep", step=1, total_steps=1))
    followed = follow_sweep(folder, threading.Event(), threading.Event())
    assert followed.status == "stopped"
    assert followed.progress is not None
    assert followed.progress.counts() == {"interrupted": 1}


def wait_gone(pid: int, timeout: float = 15.0) -> float:
    start = time.monotonic()
    while pid_alive(pid):
        assert time.monotonic() - start < timeout, f"process {pid} still there"
        time.sleep(0.1)
    return time.monotonic() - start


def test_a_sigkilled_sweep_process_reads_killed_and_a_rerun_resumes(tmp_path: Path) -> None:
    spec = tiny_sweep(tmp_path, grid=("epochs", ["1", "40"]))
    child = spawn_sweep(spec, workers=1)
    worker: list[int] = []

    def kill_in_the_second_trial(progress: SweepProgress, index: int) -> None:
        second = progress.trials[1]
        if not worker and second.status == "running" and second.pid is not None:
            worker.append(second.pid)
            os.kill(child.process.pid, signal.SIGKILL)

    followed = follow_sweep(child.folder, threading.Event(), threading.Event(),
                            kill_in_the_second_trial, child.process)
    assert followed.status == "killed" and followed.progress is not None
    assert [t.status for t in followed.progress.trials.values()] == ["finished", "killed"]
    assert "died" in followed.progress.trials[1].reason
    assert liveness(read_state(child.folder)) == "killed"
    assert wait_gone(worker[0]) < 5  # its worker stopped its trial and exited
    store = find_sweep(spec.sweep_id(), tmp_path)
    first, second = store.states(spec.trials())
    assert (first.status, second.status) == ("finished", "killed")
    assert read_run(tmp_path / str(second.run_id)).state == "interrupted"
    with pytest.raises(Exception, match="not training"):
        find_live(f"sweep-{spec.sweep_id()}", tmp_path)
    again = spawn_sweep(spec, workers=1)  # the same sweep: the killed trial only
    resumed = follow_sweep(again.folder, threading.Event(), threading.Event(),
                           process=again.process)
    assert resumed.status == "finished" and resumed.progress is not None
    assert [t.status for t in resumed.progress.trials.values()] == ["skipped", "finished"]
    first, second = store.states(spec.trials())
    assert (first.status, second.status, second.attempts) == ("finished", "finished", 2)
    assert (child.folder / SPEC).is_file()


def ctl(runs_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui_cnn", "ctl", *args, "--runs-dir",
                           str(runs_dir)], capture_output=True, text=True, timeout=60)


def test_tui_cnn_ctl_stops_a_sweep_by_its_id_and_refuses_pause(tmp_path: Path) -> None:
    spec = tiny_sweep(tmp_path, epochs=500)
    child = spawn_sweep(spec, workers=1)
    deadline = time.monotonic() + 60
    while (state := read_state(child.folder)) is None or state.status != "running":
        assert time.monotonic() < deadline and child.process.poll() is None
        time.sleep(0.1)
    newest = find_live(None, tmp_path)  # no run going: plain `attach` takes the sweep
    assert (newest.state.kind, newest.state.run_id) == ("sweep", spec.sweep_id())
    paused = ctl(tmp_path, f"sweep-{spec.sweep_id()}", "pause")
    assert paused.returncode == 1
    assert "pause refused: a sweep takes only stop" in paused.stdout
    stopped = ctl(tmp_path, spec.sweep_id()[:6], "stop")  # sw-...: its id's prefix
    assert stopped.returncode == 0, stopped.stderr
    assert "stopping every trial (each saved as interrupted)" in stopped.stdout
    assert child.process.wait(timeout=30) == 0
    state = read_state(child.folder)
    assert state is not None and (state.ended, state.acked) == ("stopped", 2)
    again = ctl(tmp_path, f"sweep-{spec.sweep_id()}", "stop")
    assert again.returncode == 2 and "is not training: it ended (stopped)" in again.stderr
