"""``tui-cnn claims``: the chapter's claims as experiments, a table of verdicts, a report."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_cnn import fmt
from tui_cnn.exits import EXIT_INTERRUPTED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from tui_cnn.core.claims.catalog import Claim, Result
    from tui_cnn.core.claims.lab import Lab


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("claims", help="the chapter's claims, measured: a verdict for each")
    p.add_argument("--only", action="append", metavar="ID",
                   help="one claim (or a section, e.g. 6.2); repeat for more")
    p.add_argument("--seeds", type=int, default=3, help="seeds per trained network (3)")
    p.add_argument("--quick", action="store_true",
                   help="small training sets and 2 epochs: every claim in minutes")
    p.add_argument("--dataset", help="digits to train on: mnist (where on disk, the "
                   "default then), fashion-mnist (where on disk) or synth-digits")
    p.add_argument("--data-dir", default=argparse.SUPPRESS)
    p.add_argument("--runs-dir", default=argparse.SUPPRESS)
    p.add_argument("--device", default=argparse.SUPPRESS)
    p.add_argument("--list", action="store_true", help="list the claims and what is kept")
    p.add_argument("--json", action="store_true")
    p.add_argument("--markdown", metavar="FILE", help="also write a report a learner keeps")
    p.set_defaults(handler=claims_command)


def claims_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.claims.catalog import select
    from tui_cnn.core.claims.lab import Lab
    from tui_cnn.core.claims.report import lab_settings
    from tui_cnn.core.config import ConfigError

    try:
        settings = lab_settings(quick=args.quick, seeds=args.seeds, dataset=args.dataset,
                                data_dir=getattr(args, "data_dir", None),
                                runs_dir=getattr(args, "runs_dir", None),
                                device=getattr(args, "device", None) or "auto")
        chosen = select(args.only)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.markdown:
        _check_writable(args.markdown)  # now, not after every claim has trained
    lab = Lab(settings, progress=_progress(args.json))
    if args.list:
        _print_kept(lab)
        return EXIT_OK
    started = time.perf_counter()
    results = _run_claims(lab, chosen, quiet=args.json)
    if results is None:
        return EXIT_INTERRUPTED
    _print_results(results, lab, time.perf_counter() - started, as_json=args.json)
    if args.markdown:
        _write_markdown(args, results, lab)
    return EXIT_OK


def _print_kept(lab: Lab) -> None:
    """``--list``: every claim, what the chapter says and the verdict kept for it."""
    from tui_cnn.core.claims.catalog import CLAIMS, kept

    found = kept(lab)
    print(fmt.table(["claim", "the chapter says", "kept verdict"],
                    [[c.id, c.says, found.get(c.id, {}).get("verdict", {}).get(
                        "state", "not run")] for c in CLAIMS]))


def _run_claims(lab: Lab, chosen: list[Claim], quiet: bool) -> list[Result] | None:
    """The chosen claims' results, each printed as it comes unless ``quiet``; None (the
    reason on stderr) when the lab was stopped or interrupted."""
    from tui_cnn.core.claims.catalog import run_claims
    from tui_cnn.core.claims.lab import LabStopped

    results = []
    try:
        for result in run_claims(lab, chosen):
            results.append(result)
            if not quiet:
                _print_one(result)
    except LabStopped:
        sys.stderr.write("tui-cnn: claims stopped; what was trained is kept\n")
        return None
    except KeyboardInterrupt:
        lab.stop.set()
        sys.stderr.write("tui-cnn: claims interrupted; what was trained is kept\n")
        return None
    return results


def _print_results(results: list[Result], lab: Lab, seconds: float, as_json: bool) -> None:
    from tui_cnn.core.claims.report import rows

    if as_json:
        print(json.dumps({"seconds": round(seconds, 1),
                          "claims": [r.to_dict() for r in results]}))
    else:
        print()
        print(fmt.table(["claim", "verdict", "key number"], rows(results)))
        print(f"{len(results)} claim(s) in {seconds:.0f} s; kept in {lab.root}")


def _check_writable(path: str) -> None:
    """UsageError if ``path`` could not be written: a folder, or its folder missing or
    read-only (the report is written after the claims, which may take an hour)."""
    target = Path(path).expanduser()
    folder = target.parent
    if target.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: no folder {folder}")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"cannot write {path}: not writable")


def _write_markdown(args: argparse.Namespace, results: list[Result], lab: Lab) -> None:
    from tui_cnn.core.claims.report import markdown

    try:
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(markdown(results, lab, args))
    except OSError as exc:
        raise UsageError(f"cannot write {args.markdown}: {exc.strerror or exc}") from None


def _progress(quiet: bool) -> Any:
    def show(text: str) -> None:
        if not quiet:
            sys.stderr.write(f"  … {text}\n")
    return show


def _print_one(result: Any) -> None:
    v = result.verdict
    print(f"{result.claim.id} [{v.state}] {v.sentence}")
    if v.headers:
        print(fmt.table(list(v.headers), [list(r) for r in v.rows]))
    for line in v.details:
        print(f"  {line}")
    print(f"  data: {v.data} · {result.seconds:.1f} s")
    print()
