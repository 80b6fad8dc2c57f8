"""``tui-cnn ctl RUN pause|resume|stop|lr VALUE|target VALUE``: steer a run that trains in
a process of its own (started by the app or ``tui-cnn train --detach``) through its
control channel (core/live/control.py), and say what it answered."""

from __future__ import annotations

import argparse
import time
from typing import Any

ACK_WAIT_S = 5.0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("ctl", help="pause, resume, stop or steer a run training in the "
                       "background")
    p.add_argument("run", metavar="RUN", help="run id, or a unique prefix or suffix of one "
                   "(a sweep in the background: sweep-ID, which takes only stop)")
    p.add_argument("command", choices=("pause", "resume", "stop", "lr", "target"))
    p.add_argument("value", nargs="?", help="lr: the new rate (1e-3); target: 95%% or 0.95")
    p.add_argument("--runs-dir", default=argparse.SUPPRESS)
    p.add_argument("--no-wait", action="store_true",
                   help="do not wait for the run to acknowledge the command")
    p.set_defaults(handler=ctl_command)


def ctl_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.live.control import ControlError, append_command
    from tui_cnn.core.live.paths import CONTROL
    from tui_cnn.core.live.registry import find_live
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.exits import EXIT_FAILED, EXIT_OK, UsageError

    if args.command in ("lr", "target") and args.value is None:
        raise UsageError(f"{args.command} needs a value, e.g. `tui-cnn ctl RUN "
                         f"{args.command} {'1e-3' if args.command == 'lr' else '95%'}`")
    if args.command not in ("lr", "target") and args.value is not None:
        raise UsageError(f"{args.command} takes no value, got {args.value!r}")
    try:
        run = find_live(args.run, getattr(args, "runs_dir", None))
        sent = append_command(run.folder / CONTROL, args.command, args.value)
    except (RunStoreError, ControlError) as exc:
        raise UsageError(str(exc)) from None
    print(f"{run.run_id}: sent {args.command}" + (f" {args.value}" if args.value else "")
          + f" (command {sent.seq})")
    if args.no_wait:
        return EXIT_OK
    answer = _wait_for_ack(run.folder, sent.seq)
    if answer is None:
        print(f"{run.run_id}: no answer in {ACK_WAIT_S:.0f} s; it takes commands between "
              "batches (still loading data?)")
        return EXIT_OK
    print(f"{run.run_id}: {answer}")
    return EXIT_FAILED if "refused" in answer else EXIT_OK


def _wait_for_ack(folder: Any, seq: int) -> str | None:
    from tui_cnn.core.live.state import read_state

    deadline = time.monotonic() + ACK_WAIT_S
    while time.monotonic() < deadline:
        state = read_state(folder)
        if state is not None and state.acked >= seq:
            return state.message
        time.sleep(0.1)
    return None
