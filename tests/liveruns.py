"""Test support for runs trained (and sweeps run) in processes of their own: those
processes outlive a test, so whatever it left going is killed after it (a sweep's workers
exit with it)."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from tui_cnn.core.live.registry import live_runs


def kill_live_runs(runs_dir: Path) -> None:
    for run in [*live_runs(runs_dir), *live_runs(runs_dir, kind="sweep")]:
        with contextlib.suppress(OSError):
            os.kill(run.state.pid, signal.SIGKILL)
