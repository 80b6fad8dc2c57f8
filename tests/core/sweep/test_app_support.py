"""What the app's sweeps need from the core: worker processes that start under a UI whose
sys.stderr has no file descriptor, and a fingerprint of a sweep's trial files to poll."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.sweep.grid import SweepSpec
from tui_cnn.core.sweep.store import SweepStore, TrialState, trials_fingerprint

NO_FD_STDERR = """
import io, sys, multiprocessing as mp
class NoFd(io.StringIO):
    def fileno(self): return -1  # what Textual's replaced stderr answers
sys.stderr = NoFd()
{start}
q = mp.get_context("spawn").Queue()
print("queue ok", file=sys.stdout)
"""


@pytest.mark.parametrize(("start", "works"), [
    ("", False),
    ("from tui_cnn.core.sweep.local import start_resource_tracker; start_resource_tracker()",
     True),
])
def test_the_resource_tracker_starts_under_a_stderr_without_a_descriptor(
        start: str, works: bool) -> None:
    done = subprocess.run([sys.executable, "-c", NO_FD_STDERR.format(start=start)],
                          capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parents[3])
    assert ("queue ok" in done.stdout) is works, done.stdout + done.stderr


def test_trials_fingerprint_changes_when_a_trial_file_is_rewritten(tmp_path: Path) -> None:
    spec = SweepSpec.build(TrainConfig(runs_dir=str(tmp_path)), [("seed", ["0", "1"])])
    store = SweepStore.create(spec, tmp_path)
    assert trials_fingerprint(store) == frozenset()
    store.write_trial(TrialState(0, {"seed": "0"}, "running"))
    first = trials_fingerprint(store)
    assert {name for name, _ in first} == {"0000.json"}
    time.sleep(0.01)
    store.write_trial(TrialState(0, {"seed": "0"}, "finished"))
    os.utime(store.path / "trials" / "0000.json", ns=(1, 2))  # a certain change of mtime
    assert trials_fingerprint(store) != first
