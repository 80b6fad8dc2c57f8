"""Opening the app from the command line: its flags checked, a terminal required, and
what it leaves behind (a run left training) said once the screen is the shell's again."""

from __future__ import annotations

import contextlib
import sys

from tui_cnn.core.config import ConfigError
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.startup import initial_config


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_app(*, arch: str | None, dataset: str | None, epochs: int | None, device: str | None,
            data_dir: str | None, runs_dir: str | None, attach: str | bool = False) -> int:
    """Open the app with these choices selected; the exit status (2: a choice is wrong)."""
    try:
        config, notices = initial_config(arch=arch, dataset=dataset, epochs=epochs,
                                         device=device, data_dir=data_dir, runs_dir=runs_dir)
    except ConfigError as error:
        print(f"tui-cnn: {error}", file=sys.stderr)
        return 2
    if not has_terminal():  # a script, a pipe, a cron job
        print("tui-cnn: error: the app needs a terminal (its input and output are not one); "
              "headless: `tui-cnn train`, `tui-cnn runs`, `tui-cnn ctl RUN ...`",
              file=sys.stderr)
        return 2
    app = TuiCnnApp(config, notices=notices, attach=attach)
    app.run()
    if app.farewell:  # a run left training: where it is, once the screen is the shell's
        with contextlib.suppress(OSError):  # the terminal went away (an SSH drop)
            print(app.farewell)
    return app.return_code or 0

