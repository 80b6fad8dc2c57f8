"""The sweep's process: ``python -m tui_cnn.core.live.sweep_child LIVE_DIR``.

Started by sweep_spawn.py in a session of its own (a hang-up of the app's terminal does
not reach it), with no terminal. It plans and runs spec.json's sweep as the app's sweep
worker did (``plan_sweep``, ``run_sweep`` on a ``LocalBackend`` of ``local_layout``'s
size, the workers' logs in the sweep folder's ``logs/``), writing live.json (its
heartbeat: status, trials done of all), events.jsonl (every message of the backend, see
sweep_stream.py) and taking ``stop`` from control.jsonl. SIGTERM and SIGINT stop every
trial (each saved as interrupted); SIGHUP is ignored. Its worker processes stop their
trial (saved as interrupted) and exit when this process dies, even by SIGKILL (local.py).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_cnn.core.config import ConfigError
from tui_cnn.core.events import ControlNote
from tui_cnn.core.live.child import run_to_the_end, start_controls
from tui_cnn.core.live.control import Command, ControlError, ControlReader
from tui_cnn.core.live.paths import EVENTS
from tui_cnn.core.live.state import Heartbeat, LiveState
from tui_cnn.core.live.sweep_spawn import read_sweep_spec
from tui_cnn.core.live.sweep_stream import SweepEventWriter
from tui_cnn.core.runfiles import RunStoreError
from tui_cnn.core.sweep.grid import SweepSpec, Trial
from tui_cnn.core.sweep.progress import SweepProgress
from tui_cnn.core.sweep.runner import Backend

CONTROL_POLL_S = 0.2


class SweepControls:
    """The control thread's side: ``stop`` stops every trial; other commands are refused
    (a sweep does not pause or steer), said in live.json, the log and the event stream
    (a ControlNote: every app following the sweep learns of it)."""

    def __init__(self, heartbeat: Heartbeat, writer: SweepEventWriter) -> None:
        self.stop = threading.Event()
        self.heartbeat, self.writer = heartbeat, writer
        self.done = threading.Event()

    def apply(self, item: Command | ControlError) -> None:
        if isinstance(item, ControlError):
            self._ack(ControlNote(0, "", False, f"control.jsonl {item}: ignored"))
        elif item.cmd == "stop":
            self.stop_all()
            self._ack(ControlNote(item.seq, "stop", True,
                                  "stopping every trial (each saved as interrupted)"))
        else:
            self._ack(ControlNote(item.seq, item.cmd, False,
                                  f"{item.cmd} refused: a sweep takes only stop"))

    def stop_all(self) -> None:
        self.stop.set()
        self._say_stopping()

    def _say_stopping(self) -> None:
        if self.stop.is_set() and self.heartbeat.state.status in ("starting", "running"):
            self.heartbeat.update(status="stopping")

    def _ack(self, note: ControlNote) -> None:
        print(f"control: {note.message}", file=sys.stderr, flush=True)
        self.writer.control(note)
        self.heartbeat.update(acked=note.seq or self.heartbeat.state.acked,
                              message=note.message)

    def poll_forever(self, reader: ControlReader) -> None:
        while not self.done.wait(CONTROL_POLL_S):
            for item in reader.poll():
                self.apply(item)
            self._say_stopping()  # after a signal (its handler only sets the flag)


@dataclass
class StreamedBackend:
    """A backend whose every message goes to the stream before run_sweep takes it."""

    inner: Backend
    writer: SweepEventWriter
    workers: int = 0

    def __post_init__(self) -> None:
        self.workers = self.inner.workers

    def execute(self, trials: list[Trial], on_message: Callable[[int, str, dict[str, Any]],
                None], stop: threading.Event) -> None:
        def streamed(index: int, kind: str, payload: dict[str, Any]) -> None:
            self.writer.message(index, kind, payload)
            on_message(index, kind, payload)

        self.inner.execute(trials, streamed, stop)


def run(spec: SweepSpec, workers: int | None, controls: SweepControls,
        writer: SweepEventWriter) -> SweepProgress:
    from tui_cnn.core.sweep.local import local_layout
    from tui_cnn.core.sweep.runner import LocalBackend, plan_sweep, run_sweep

    plan = plan_sweep(spec)
    logs = plan.store.path / "logs"
    logs.mkdir(exist_ok=True)
    chosen, threads, gpus = local_layout(workers, spec.base.threads, spec.base.device)
    backend = StreamedBackend(LocalBackend(chosen, threads, gpus, log_dir=str(logs)), writer)
    writer.planned(plan.store.sweep_id, {t.index: t.label for t in plan.trials}, chosen,
                   plan.skipped)
    heartbeat = controls.heartbeat
    status = "stopping" if controls.stop.is_set() else "running"
    heartbeat.update(status=status, step=len(plan.skipped), total_steps=len(plan.trials))

    def note(progress: SweepProgress, index: int) -> None:
        heartbeat.update(step=progress.done)

    return run_sweep(plan, backend, controls.stop, note)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    live_dir = Path((argv or sys.argv[1:])[0])
    spec, workers = read_sweep_spec(live_dir)
    heartbeat = Heartbeat(live_dir, LiveState(os.getpid(), spec.sweep_id(), kind="sweep",
                                              total_steps=spec.size)).start()
    writer = SweepEventWriter(live_dir / EVENTS)
    controls = SweepControls(heartbeat, writer)
    start_controls(live_dir, controls.poll_forever, controls.stop.set)

    def work() -> int:
        progress = run(spec, workers, controls, writer)
        ended = "stopped" if controls.stop.is_set() else "finished"
        heartbeat.update(status="ended", ended=ended)  # first: a follower that reads the
        writer.ended(ended, progress.counts())  # end may run the sweep again at once
        return 0

    # ConfigError, RunStoreError: the sweep is running elsewhere, its folder unwritable...
    return run_to_the_end(work, writer, heartbeat, controls.done, (ConfigError, RunStoreError))


if __name__ == "__main__":
    raise SystemExit(main())
