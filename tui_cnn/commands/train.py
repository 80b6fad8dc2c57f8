"""``tui-cnn train``: train headless with a progress line on stderr and a result table."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from tui_cnn import fmt
from tui_cnn.commands.live_line import LiveLine
from tui_cnn.commands.stop_signals import StopOnSignals
from tui_cnn.core.config import ConfigError, TrainConfig, preset
from tui_cnn.core.control import StopFlag
from tui_cnn.core.events import DataProgress, EpochMetrics, Event, RunEnded, RunStarted, StepMetrics
from tui_cnn.core.flags import COMMON_FLAGS, TRAIN_FLAGS
from tui_cnn.core.parse import argparse_type as field_type


def add_parser(sub: Any, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("train", help="train a network headless and report")
    add_common(p)
    common = {f.flag for f in COMMON_FLAGS}
    for flag in TRAIN_FLAGS:
        if flag.flag in common:
            continue
        if flag.switch:
            p.add_argument(flag.flag, action="store_true", default=None, help=flag.help)
        else:
            p.add_argument(flag.flag, type=field_type(flag.field), metavar=flag.metavar,
                           help=flag.help or None)
    p.add_argument("--offline", action="store_true", help="never download datasets")
    p.add_argument("--resume", metavar="RUN", help="carry a saved run on (give more --epochs)")
    p.add_argument("--json", action="store_true", help="print one JSON object last on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument("--detach", action="store_true",
                   help="train in the background; print the run id and leave")
    p.set_defaults(handler=run_command)


_FIELDS = tuple(f.field for f in TRAIN_FLAGS if f.field != "arch")
FOLDER_FIELDS = ("test_fraction", "image_size", "channels", "skip_bad")
"""The flags only an image folder reads (their help says "--dataset folder")."""


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """Build the TrainConfig the flags ask for; ConfigError names any bad value."""
    from tui_cnn.core.runs import find_run, read_config

    run_dir = find_run(args.resume, args.runs_dir) if args.resume else None
    base = read_config(run_dir) if run_dir is not None else TrainConfig()
    changes: dict[str, Any] = {f: getattr(args, f) for f in _FIELDS
                               if getattr(args, f, None) is not None}
    if args.arch is not None:
        changes["arch"] = preset(args.arch)
    if args.offline:
        changes["download"] = False
    if run_dir is not None:
        changes["resume_from"] = str(run_dir)
    cfg = base.replace(**changes)
    folder_only = [f"--{name.replace('_', '-')}" for name in FOLDER_FIELDS if name in changes]
    if folder_only and cfg.dataset != "folder":  # kept in config.json, read by nothing
        raise ConfigError(f"{', '.join(folder_only)}: only for --dataset folder (this run "
                          f"trains on {cfg.dataset})")
    if run_dir is not None:
        from tui_cnn.core.runlock import check_resume

        check_resume(base, cfg, run_dir.name)  # before any data is loaded
    return cfg


def run_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.datafiles import DataError
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError

    try:
        cfg = config_from_args(args)
    except (ConfigError, RunStoreError) as exc:
        raise UsageError(str(exc)) from None
    if args.detach:
        from tui_cnn.commands.train_detach import start_detached

        return start_detached(cfg, args.json)
    stop = StopFlag()
    progress = Progress(sys.stderr, enabled=not args.quiet)
    with StopOnSignals(stop):
        try:
            ended = _drive(cfg, stop, progress)
        except (ConfigError, DataError, RunStoreError) as exc:
            progress.clear()
            raise UsageError(str(exc)) from None
    progress.clear()
    if ended is None:
        sys.stderr.write("tui-cnn: interrupted before training started\n")
        return EXIT_INTERRUPTED
    _print_result(ended, progress, args.json)
    if ended.status == "finished":
        return EXIT_OK
    return EXIT_INTERRUPTED if ended.status in ("stopped", "interrupted") else EXIT_FAILED


def _drive(cfg: TrainConfig, stop: StopFlag, progress: Progress) -> RunEnded | None:
    from tui_cnn.core.train import run

    ended = None
    events: Iterator[Event] = run(cfg, stop)
    for event in events:
        progress.show(event)
        if isinstance(event, RunEnded):
            ended = event
    return ended


class Progress(LiveLine):
    """One progress line on stderr (redrawn in place on a terminal, per epoch otherwise)."""

    def __init__(self, stream: TextIO, enabled: bool = True) -> None:
        super().__init__(stream, enabled)
        self.started: RunStarted | None = None
        self.epochs: list[EpochMetrics] = []
        self._last_draw = 0.0

    def show(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.started = event
            threads = "" if event.device != "cpu" else \
                f", {event.threads} thread{'s' if event.threads != 1 else ''}" + \
                (f", {event.shares_note}" if event.shares_note else "") + \
                (f": {event.threads_note}" if event.threads_note else "")
            self._line(f"{event.run_id}: {event.params:,} parameters on {event.device} "
                       f"({event.device_name}{threads}), {event.precision}, batch "
                       f"{event.config.batch_size}, {event.train_size:,} training images",
                       final=True)
        elif isinstance(event, DataProgress):
            self._data(event)
        elif isinstance(event, StepMetrics):
            self._step(event)
        elif isinstance(event, EpochMetrics):
            self.epochs.append(event)
            self._line(f"epoch {event.epoch}/{event.epochs}  train loss {event.train_loss:.4f}"
                       f" acc {fmt.percent(event.train_acc)}  test loss {event.test_loss:.4f}"
                       f" acc {fmt.percent(event.test_acc)}  {event.seconds:.1f}s "
                       f"{event.images_per_s:,.0f} img/s", final=True)

    def _data(self, event: DataProgress) -> None:
        done = f" {event.done / event.total:.0%}" if event.total else ""
        self._line(f"{event.message}{done}", final=False, throttle=event.total > 0)

    def _step(self, m: StepMetrics) -> None:
        frac = m.step / max(1, m.total_steps)
        self._line(f"epoch {m.epoch} {fmt.bar(frac, 20)} {frac:4.0%} step {m.step}/"
                   f"{m.total_steps} loss {m.loss:.4f} acc {fmt.percent(m.accuracy, 1)} "
                   f"{m.images_per_s:,.0f} img/s ETA {fmt.duration(m.eta_s)}",
                   final=False, throttle=True)

    def _line(self, text: str, final: bool, throttle: bool = False) -> None:
        if not self.enabled or (not final and not self.tty):
            return
        now = time.monotonic()
        if throttle and not final and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        self._write(text, final)


def _print_result(ended: RunEnded, progress: Progress, as_json: bool) -> None:
    started = progress.started
    rows = [["run", ended.run_id], ["status", f"{ended.status} ({ended.reason})"],
            ["arch", started.config.arch.name if started else "?"],
            ["dataset", started.dataset if started else "?"],
            ["device", f"{started.device} ({started.device_name})" if started else "?"],
            ["parameters", f"{ended.params:,}"], ["epochs", str(ended.epochs_done)],
            ["final test acc", fmt.percent(ended.final_test_acc)],
            ["best test acc", fmt.percent(ended.best_test_acc)],
            ["train time", f"{ended.train_seconds:.1f}s"],
            ["throughput", f"{ended.images_per_s:,.0f} img/s"],
            ["saved in", ended.run_dir or "(not saved)"]]
    print(fmt.table(["result", ""], rows))
    if as_json:
        print(fmt.json_text(result_json(ended, started)))


def result_json(ended: RunEnded, started: RunStarted | None) -> dict[str, Any]:
    return {"run_id": ended.run_id, "arch": started.config.arch.name if started else None,
            "dataset": started.dataset if started else None, "params": ended.params,
            "macs": started.macs if started else None, "epochs": ended.epochs_done,
            "final_test_acc": ended.final_test_acc, "best_test_acc": ended.best_test_acc,
            "train_seconds": round(ended.train_seconds, 3),
            "images_per_s": round(ended.images_per_s, 1), "status": ended.status,
            "reason": ended.reason, "device": started.device if started else None,
            "run_dir": ended.run_dir}
