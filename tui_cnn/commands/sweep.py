"""``tui-cnn sweep`` (a grid of trials, in worker processes or on Ray) and ``sweep-report``."""

from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
from typing import Any, TextIO

from tui_cnn import fmt
from tui_cnn.commands.live_line import LiveLine
from tui_cnn.commands.stop_signals import StopOnSignals
from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.flags import TRAIN_FLAGS, dest
from tui_cnn.core.parse import parse_field, with_field
from tui_cnn.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("sweep", help="train a grid of variants and seeds, then compare them")
    p.add_argument("--grid", action="append", metavar="FIELD=V1,V2", required=True,
                   help="a field and its values (any train field or arch field; list values "
                   "separated by ';', e.g. conv_channels='16,32;32,64'); repeat for a grid")
    for flag in TRAIN_FLAGS:  # the same table as tui-cnn train's
        if flag.switch:
            p.add_argument(flag.flag, action="store_true", default=argparse.SUPPRESS,
                           help=flag.help)
        else:
            p.add_argument(flag.flag, default=argparse.SUPPRESS, metavar=flag.metavar,
                           help=flag.help or None)
    p.add_argument("--offline", action="store_true", help="never download datasets")
    p.add_argument("--workers", type=int, help="trials at once (default: one per core, or "
                   "one per GPU where there are several)")
    p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="run the trials as Ray tasks: on a local Ray, or on the cluster at "
                   "ADDRESS (HOST:PORT, ray://HOST:PORT or auto)")
    p.add_argument("--cpus-per-trial", type=float, default=1.0, help="Ray: CPUs per trial")
    p.add_argument("--gpus-per-trial", type=float, default=0.0,
                   help="Ray: GPU fraction per trial (e.g. 0.25: four small CNNs per GPU)")
    p.add_argument("--dry-run", action="store_true", help="list the trials; run nothing")
    p.add_argument("--yes", action="store_true", help="run a grid of more than 1,000 trials")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(handler=run_command)
    r = sub.add_parser("sweep-report", help="a sweep's groups, intervals and verdict")
    r.add_argument("sweep", metavar="SWEEP", help="sweep id or a unique prefix of it")
    r.add_argument("--runs-dir", default=argparse.SUPPRESS)
    form = r.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--markdown", action="store_true")
    r.set_defaults(handler=report_command)


def base_config(args: argparse.Namespace) -> TrainConfig:
    """The config every trial starts from: the train flags, each read by core.parse."""
    cfg = TrainConfig()
    for flag in TRAIN_FLAGS:
        value = getattr(args, dest(flag), None)
        if value is True:  # a switch
            cfg = with_field(cfg, flag.field, True)
        elif value is not None:
            cfg = with_field(cfg, flag.field, parse_field(flag.field, str(value)))
    return cfg.replace(download=False) if args.offline else cfg


def run_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.core.sweep.grid import SweepSpec, parse_grid_arg
    from tui_cnn.core.sweep.runner import plan_sweep

    try:
        base = base_config(args)
        if base.runs_dir:
            base = base.replace(runs_dir=os.path.abspath(os.path.expanduser(base.runs_dir)))
        spec = SweepSpec.build(base, [parse_grid_arg(g) for g in args.grid])
        spec.check_size(args.yes)
        check_backend_flags(args)  # a dry run too: it shows what the real one would do
        backend = None if args.dry_run else _backend(args, spec.base)
        plan = plan_sweep(spec, confirmed=args.yes, create=not args.dry_run)
    except (ConfigError, RunStoreError) as exc:
        raise UsageError(str(exc)) from None
    if backend is None:
        return _dry_run(plan, args.json)
    return _run(plan, backend, args)


def check_backend_flags(args: argparse.Namespace) -> None:
    """--workers a whole number >= 1; Ray's --cpus-per-trial > 0 and --gpus-per-trial >= 0
    (Ray itself raised a traceback for a negative amount)."""
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {args.workers}")
    if not (math.isfinite(args.cpus_per_trial) and args.cpus_per_trial > 0):
        raise ConfigError(f"--cpus-per-trial must be more than 0, got {args.cpus_per_trial:g}")
    if not (math.isfinite(args.gpus_per_trial) and args.gpus_per_trial >= 0):
        raise ConfigError(f"--gpus-per-trial must be 0 or more, got {args.gpus_per_trial:g}")


def _backend(args: argparse.Namespace, base: TrainConfig) -> Any:
    if args.ray is not None:
        from tui_cnn.core.sweep.ray_backend import RayBackend, check_address, import_ray

        import_ray()  # one clear line now if Ray is missing or the cluster is not there
        if args.ray != "local":
            check_address(args.ray)
        cpus = args.workers or os.cpu_count() or 1
        return RayBackend(None if args.ray == "local" else args.ray, cpus,
                          args.cpus_per_trial, args.gpus_per_trial)
    from tui_cnn.core.sweep.local import local_layout
    from tui_cnn.core.sweep.runner import LocalBackend

    workers, threads, gpus = local_layout(args.workers, base.threads, base.device)
    return LocalBackend(workers, threads, gpus)


def _dry_run(plan: Any, as_json: bool) -> int:
    todo = {t.index for t in plan.to_run}
    rows = [[str(t.index), t.label, "to run" if t.index in todo else "finished"]
            for t in plan.trials]
    if as_json:
        print(fmt.json_text({"sweep_id": plan.store.sweep_id, "trials": len(plan.trials),
                          "to_run": len(todo), "rows": [
                              {"index": t.index, "values": dict(t.values),
                               "to_run": t.index in todo} for t in plan.trials]}))
        return EXIT_OK
    print(fmt.table(["#", "trial", "state"], rows, right={0}))
    print(f"sweep {plan.store.sweep_id}: {len(plan.trials)} trial(s), {len(todo)} to run "
          f"(dry run: nothing started)")
    return EXIT_OK


def _run(plan: Any, backend: Any, args: argparse.Namespace) -> int:
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.core.sweep.runner import run_sweep
    from tui_cnn.core.sweep.summary import sweep_report
    from tui_cnn.core.sweep.text import report_text

    stop = threading.Event()
    display = SweepDisplay(sys.stderr, enabled=not args.quiet)
    display.intro(plan, backend)
    try:
        with StopOnSignals(stop):
            progress = run_sweep(plan, backend, stop, display.update)
    except (ConfigError, RunStoreError) as exc:
        display.clear()
        raise UsageError(str(exc)) from None
    display.clear()
    report = sweep_report(plan.store)
    if args.json:
        print(fmt.json_text(report.to_dict()))
    else:
        print(report_text(report))
    counts = progress.counts()
    if stop.is_set():
        return EXIT_INTERRUPTED
    return EXIT_OK if set(counts) <= {"finished", "skipped"} else EXIT_FAILED


class SweepDisplay(LiveLine):
    """A line per trial as it ends, and one status line redrawn in place on a terminal."""

    def __init__(self, stream: TextIO, enabled: bool = True) -> None:
        super().__init__(stream, enabled)
        self._last = 0.0

    def intro(self, plan: Any, backend: Any) -> None:
        where = (f"Ray ({backend.address or 'local'})" if hasattr(backend, "address")
                 else f"{backend.workers} worker process(es), {backend.threads} thread(s) each")
        skipped = len(plan.trials) - len(plan.to_run)
        self._write(f"sweep {plan.store.sweep_id}: {len(plan.trials)} trial(s), "
                    f"{len(plan.to_run)} to run ({skipped} already finished) on {where}",
                    final=True)

    def update(self, progress: Any, index: int) -> None:
        trial = progress.trials[index]
        if trial.ended and trial.status != "skipped":
            acc = f" test acc {fmt.percent(trial.test_acc)}" if trial.test_acc is not None \
                else ""
            why = f" ({trial.reason})" if trial.status != "finished" and trial.reason else ""
            self._write(f"  [{progress.done}/{len(progress.trials)}] #{index} {trial.label}: "
                        f"{trial.status}{acc}{why} {trial.run_id or ''}".rstrip(), final=True)
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            self._write(status_line(progress), final=False)


def status_line(progress: Any) -> str:
    running = [t for t in progress.trials.values() if t.status in ("assigned", "running")]
    parts = " ".join(f"#{t.index} {fmt.bar(t.fraction, 8)} {t.fraction:4.0%}"
                     for t in running[:4])
    done = progress.done
    total = len(progress.trials)
    return (f"{fmt.bar(done / max(1, total), 16)} {done}/{total} done  {parts}  "
            f"ETA {fmt.duration(progress.eta_s())}")


# ---- sweep-report ----------------------------------------------------------------------

def report_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.core.sweep.store import find_sweep
    from tui_cnn.core.sweep.summary import sweep_report
    from tui_cnn.core.sweep.text import report_text

    try:
        report = sweep_report(find_sweep(args.sweep, getattr(args, "runs_dir", None)))
    except (ConfigError, RunStoreError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(fmt.json_text(report.to_dict()))
    else:
        print(report_text(report, markdown=args.markdown))
    return EXIT_OK
