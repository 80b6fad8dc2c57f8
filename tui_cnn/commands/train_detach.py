"""``tui-cnn train --detach``: start the run in a process of its own, wait until it has
started (or failed), print its id and how to follow and steer it, and leave (a helper of
the train subcommand)."""

from __future__ import annotations

import sys
import time
from typing import Any

from tui_cnn import fmt
from tui_cnn.core.config import TrainConfig

START_WAIT_S = 600.0


def start_detached(cfg: TrainConfig, as_json: bool) -> int:
    from tui_cnn.core.config import ConfigError
    from tui_cnn.core.datafiles import DataError
    from tui_cnn.core.events import RunStarted
    from tui_cnn.core.live.paths import EVENTS, LOG
    from tui_cnn.core.live.spawn import spawn
    from tui_cnn.core.live.stream import EventReader
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.exits import EXIT_FAILED, EXIT_OK, UsageError

    try:
        child = spawn(cfg)
    except RunStoreError as exc:
        raise UsageError(str(exc)) from None
    reader = EventReader(child.folder / EVENTS)
    started: RunStarted | None = None
    deadline = time.monotonic() + START_WAIT_S
    while started is None and time.monotonic() < deadline:
        running = child.process.poll() is None
        try:
            started = next((e for e in reader.read() if isinstance(e, RunStarted)), None)
        except (ConfigError, DataError, RunStoreError) as exc:
            raise UsageError(str(exc)) from None
        if started is None and not running:
            sys.stderr.write(f"tui-cnn: the run ended before it started; its log: "
                             f"{child.folder / LOG}\n")
            return EXIT_FAILED
        time.sleep(0.1)
    print(_how_to(child.run_id, child.process.pid, started))
    if as_json:
        print(fmt.json_text(_json(child.run_id, child.process.pid, started,
                                  str(child.folder))))
    return EXIT_OK


def _how_to(run_id: str, pid: int, started: Any) -> str:
    where = f"saved in {started.run_dir}" if started is not None else "still loading data"
    return (f"{run_id}: training in the background (pid {pid}), {where}\n"
            f"  follow it:  tui-cnn attach {run_id}   (or tui-cnn, then 4 and a)\n"
            f"  steer it:   tui-cnn ctl {run_id} pause|resume|stop|lr VALUE|target VALUE\n"
            f"  list runs:  tui-cnn runs")


def _json(run_id: str, pid: int, started: Any, live_dir: str) -> dict[str, Any]:
    return {"run_id": run_id, "pid": pid, "live_dir": live_dir,
            "run_dir": started.run_dir if started is not None else None}
