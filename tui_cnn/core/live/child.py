"""The training process: ``python -m tui_cnn.core.live.child LIVE_DIR``.

Started by spawn.py in a session of its own (a hang-up of the app's terminal does not
reach it), with no terminal: stdin from /dev/null, stdout and stderr to LIVE_DIR/child.log.
It trains ``spec.json``'s config with ``core.train.run(cfg, stop, pause, steering)``, as
``tui-cnn train`` does, writing the run folder as always plus live.json (its heartbeat),
events.jsonl (every event) and taking commands from control.jsonl. SIGTERM and SIGINT
stop the run, saved as interrupted; SIGHUP is ignored.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.control import StopFlag
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.events import ControlNote, Event, RunEnded, RunStarted, StepMetrics
from tui_cnn.core.live.control import Command, ControlError, ControlReader
from tui_cnn.core.live.paths import CONTROL, EVENTS
from tui_cnn.core.live.spawn import read_spec
from tui_cnn.core.live.state import Heartbeat, LiveState
from tui_cnn.core.live.stream import EventWriter
from tui_cnn.core.runfiles import RunStoreError
from tui_cnn.core.steer import Steering

CONTROL_POLL_S = 0.2
EXIT_FAILED, EXIT_USAGE = 1, 2


class Controls:
    """What the control thread applies to the run: stop, pause, steering."""

    def __init__(self, heartbeat: Heartbeat, writer: EventWriter) -> None:
        self.stop, self.pause, self.steering = StopFlag(), threading.Event(), Steering()
        self.heartbeat, self.writer = heartbeat, writer
        self.done = threading.Event()

    def apply(self, item: Command | ControlError) -> None:
        if isinstance(item, ControlError):
            self._note(0, "", False, f"control.jsonl {item}: ignored")
            return
        try:
            message = self._take(item)
        except ConfigError as exc:
            self._note(item.seq, item.cmd, False, f"{item.cmd} refused: {exc}", item.value)
            return
        self._note(item.seq, item.cmd, True, message, item.value)

    def _take(self, item: Command) -> str:
        ended = self.heartbeat.state.status in ("stopping", "ended")
        if ended and item.cmd != "stop":
            raise ConfigError("the run is stopping")
        if item.cmd == "pause":
            self.pause.set()
            self.heartbeat.update(status="paused")
            return "paused between batches"
        if item.cmd == "resume":
            self.pause.clear()
            self.heartbeat.update(status="running")
            return "resumed"
        if item.cmd == "stop":
            getattr(self.stop, "interrupt" if item.value == "interrupted" else "set")()
            self.pause.clear()
            self.heartbeat.update(status="stopping")
            return "stopping at the next batch"
        if item.cmd == "lr":
            self.steering.request_lr(str(item.value))
            return f"learning rate {item.value:g} from the next step"
        target = item.value if isinstance(item.value, float) else None
        self.steering.request_target(target)
        return "no target accuracy" if target is None else f"target accuracy {target:.2%}"

    def _note(self, seq: int, cmd: str, applied: bool, message: str,
              value: float | str | None = None) -> None:
        print(f"control: {message}", file=sys.stderr, flush=True)
        self.writer.write(ControlNote(seq, cmd, applied, message, value))
        self.heartbeat.update(acked=seq or self.heartbeat.state.acked, message=message)

    def poll_forever(self, reader: ControlReader) -> None:
        while not self.done.wait(CONTROL_POLL_S):
            for item in reader.poll():
                self.apply(item)
            self.writer.flush()  # batched step metrics reach readers within ~0.2 s


def _note_event(heartbeat: Heartbeat, event: Event) -> None:
    if isinstance(event, StepMetrics):
        heartbeat.update(step=event.step, total_steps=event.total_steps, epoch=event.epoch)
    elif isinstance(event, RunStarted):
        status = "paused" if heartbeat.state.status == "paused" else "running"
        heartbeat.update(run_dir=event.run_dir, total_steps=event.total_steps,
                         status=status if heartbeat.state.status != "stopping"
                         else "stopping")
    elif isinstance(event, RunEnded):
        heartbeat.update(ended=event.status)


def train(cfg: TrainConfig, run_id: str | None, controls: Controls) -> int:
    from tui_cnn.core.train import run  # torch: after the signal handlers are set

    events = run(cfg, controls.stop, controls.pause, controls.steering, run_id=run_id)
    for event in events:
        controls.writer.write(event)
        _note_event(controls.heartbeat, event)
    return 0


class StreamWriter(Protocol):
    def failure(self, exc: BaseException) -> None: ...

    def close(self) -> None: ...


def start_controls(live_dir: Path, poll_forever: Callable[[ControlReader], None],
                   stop: Callable[[], None]) -> None:
    """SIGTERM and SIGINT call ``stop`` (which must take no lock), SIGHUP is ignored, and
    a thread takes the commands of control.jsonl."""
    signal.signal(signal.SIGTERM, lambda *_: stop())
    signal.signal(signal.SIGINT, lambda *_: stop())
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    threading.Thread(target=poll_forever, args=(ControlReader(live_dir / CONTROL),),
                     name="tui-cnn-control", daemon=True).start()


def run_to_the_end(work: Callable[[], int], writer: StreamWriter, heartbeat: Heartbeat,
                   done: threading.Event,
                   usage_errors: tuple[type[Exception], ...]) -> int:
    """``work()``'s exit code; a failure is said in the stream and the log, never lost;
    live.json says ended whatever happened."""
    try:
        return work()
    except usage_errors as exc:
        writer.failure(exc)
        return EXIT_USAGE
    except Exception as exc:
        traceback.print_exc()
        writer.failure(exc)
        return EXIT_FAILED
    finally:
        done.set()
        heartbeat.update(status="ended")
        heartbeat.stop()
        writer.close()


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    live_dir = Path((argv or sys.argv[1:])[0])
    run_id, cfg = read_spec(live_dir)
    heartbeat = Heartbeat(live_dir, LiveState(os.getpid(), run_id, epochs=cfg.epochs)).start()
    writer = EventWriter(live_dir / EVENTS)
    controls = Controls(heartbeat, writer)
    start_controls(live_dir, controls.poll_forever, controls.stop.interrupt)
    return run_to_the_end(lambda: train(cfg, None if cfg.resume_from else run_id, controls),
                          writer, heartbeat, controls.done,
                          (ConfigError, DataError, RunStoreError))


if __name__ == "__main__":
    raise SystemExit(main())
