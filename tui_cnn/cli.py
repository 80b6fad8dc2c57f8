"""Command line: ``tui-cnn`` opens the app; subcommands work headless.

Exit codes: 0 done, 1 failure at run time, 2 bad usage or input (one line, no traceback),
130 interrupted. torch is imported only by the commands that need it.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from tui_cnn import __version__, fmt
from tui_cnn.core.parse import argparse_type
from tui_cnn.core.runfiles import RunStoreError
from tui_cnn.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        raise SystemExit(EXIT_USAGE)


def _add_common(p: argparse.ArgumentParser, *, app: bool = False) -> None:
    """Options both ``tui-cnn`` and its subcommands take; a subcommand keeps the top value."""
    default = None if app else argparse.SUPPRESS
    p.add_argument("--arch", default=default,
                   help="architecture preset (cnn, cnn-stride2, mlp, ...)")
    p.add_argument("--dataset", default=default,
                   help="mnist, fashion-mnist, cifar10, synth-digits, synth-shapes, folder")
    p.add_argument("--epochs", type=argparse_type("epochs"), default=default)
    p.add_argument("--device", default=default, help="auto, cpu, cuda, cuda:N or mps")
    p.add_argument("--data-dir", default=default, help="dataset folder in torchvision's layout")
    p.add_argument("--runs-dir", default=default,
                   help="where runs are saved (or set TUI_CNN_RUNS_DIR)")


def build_parser() -> argparse.ArgumentParser:
    from tui_cnn.commands import info, train  # light modules: no torch at import

    parser = _Parser(prog="tui-cnn", description="Train and look inside small CNNs in the "
                     "terminal. With no command, opens the app.")
    parser.add_argument("--version", action="version", version=f"tui-cnn {__version__}")
    _add_common(parser, app=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    train.add_parser(sub, _add_common)
    attach = sub.add_parser("attach", help="open the app on a run training (or a sweep "
                            "running) in the background")
    attach.add_argument("run", nargs="?", metavar="RUN",
                        help="its id, or a unique prefix or suffix (default: the newest "
                        "run, else sweep); a sweep: sweep-ID or its sw-... id")
    attach.add_argument("--runs-dir", default=argparse.SUPPRESS)
    attach.set_defaults(handler=_attach_app)
    info.add_parsers(sub)
    for module_name in ("inspect_cmd", "export", "report", "sweep", "inside", "explain", "embed",
                        "predict", "claims", "ctl"):
        try:
            module = __import__(f"tui_cnn.commands.{module_name}", fromlist=["add_parsers"])
        except ImportError:
            continue
        module.add_parsers(sub)
    return parser


def _open_app(args: argparse.Namespace, attach: str | bool = False) -> int:
    from tui_cnn.tui.launch import run_app

    return run_app(arch=args.arch, dataset=args.dataset, epochs=args.epochs,
                   device=args.device, data_dir=args.data_dir, runs_dir=args.runs_dir,
                   attach=attach)


def _attach_app(args: argparse.Namespace) -> int:
    """``tui-cnn attach [RUN]``: the app, following that live run (checked here first, so
    a run that is not live is one line and exit 2, not an app)."""
    from tui_cnn.core.live.registry import find_live

    try:
        run = find_live(args.run, args.runs_dir)
    except RunStoreError as exc:
        raise UsageError(str(exc)) from None
    return _open_app(args, attach=run.run_id)


def main(argv: Sequence[str] | None = None) -> int:
    # Idle OpenMP threads sleep instead of spinning: on a small shared machine a spinning
    # thread that waits for a busy core made 2-thread training 3-5x slower (benchmarks.knobs).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    for stream in (sys.stdout, sys.stderr):
        fmt.ascii_fallback(stream)
    parser = build_parser()
    args = parser.parse_args(argv)
    for flag in ("runs_dir", "data_dir"):
        folder = getattr(args, flag, None)
        if folder == "":
            parser.error(f"--{flag.replace('_', '-')} is empty; give a folder")
        if isinstance(folder, str):  # kept in a run's config.json: it must not depend on
            setattr(args, flag, os.path.abspath(os.path.expanduser(folder)))  # the cwd
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", _open_app)
    piped_to_null = _stdout_is_null()
    try:
        code = handler(args)
        sys.stdout.flush()
        return code
    except UsageError as exc:
        sys.stderr.write(f"tui-cnn: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("tui-cnn: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (| head): end quietly
        _silence_stdout()
        return EXIT_OK
    except SystemExit as exc:  # Rich ends a broken pipe with exit 1 after muting stdout
        if exc.code == 1 and not piped_to_null and _stdout_is_null():
            return EXIT_OK
        raise
    except RunStoreError as exc:  # a run file no command expected to be damaged
        sys.stderr.write(f"tui-cnn: error: {exc}\n")
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno not in WRITE_ERRNOS:
            raise
        _silence_stdout()
        sys.stderr.write(f"tui-cnn: error: cannot write the output: {exc.strerror}\n")
        return EXIT_FAILED


WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the flush at exit cannot fail again ('Exception
    ignored ... BrokenPipeError')."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or closed
        pass


def _stdout_is_null() -> bool:
    try:
        here, null = os.fstat(sys.stdout.fileno()), os.stat(os.devnull)
    except (OSError, ValueError, AttributeError):
        return False
    return (here.st_rdev, here.st_ino) == (null.st_rdev, null.st_ino)


if __name__ == "__main__":
    raise SystemExit(main())
