"""Writing one run's folder as it trains: :class:`RunWriter` and the ids of new runs.

The writer holds the run's lock (core.runlock) from when it makes or reopens the folder
until :meth:`RunWriter.close`, so one process trains a run at a time; whole files go
through core.atomic, metrics are appended one JSON line per write. The layout is in
core/runs.py, which reads it back. No torch at import.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from tui_cnn.core import runfiles
from tui_cnn.core.atomic import atomic_write_json
from tui_cnn.core.runfiles import RunStoreError
from tui_cnn.core.runlock import RunLock, claim
from tui_cnn.core.runs import ENV_RUNS_DIR


def new_run_id(arch: str, dataset: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{arch}-{dataset}-{secrets.token_hex(2)}"


class RunWriter:
    """Writes one run's folder as the run goes, holding its lock (core.runlock) until
    :meth:`close`: one process trains a run at a time."""

    lock: RunLock | None = None

    def __init__(self, runs_dir: Path, run_id: str) -> None:
        self.path = runs_dir / run_id
        self.run_id = run_id
        try:
            runs_dir.mkdir(parents=True, exist_ok=True)
            self.path.mkdir()
            probe = self.path / ".write-test"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise RunStoreError(f"cannot write runs to {runs_dir}: {exc.strerror or exc}; "
                                f"choose another with --runs-dir or {ENV_RUNS_DIR}") from exc
        self.lock = RunLock.acquire(self.path)

    @classmethod
    def reopen(cls, run_dir: Path) -> RunWriter:
        """The folder of a saved run, locked to carry it on; RunBusyError naming the
        process that trains it now."""
        writer = cls.__new__(cls)
        writer.path, writer.run_id = run_dir, run_dir.name
        writer.lock = claim(run_dir)
        try:
            runfiles.check_writable(run_dir)
        except BaseException:
            writer.close()
            raise
        return writer

    def close(self) -> None:
        """Let the run go (another process may carry it on)."""
        if self.lock is not None:
            self.lock.release()

    def write_json(self, name: str, data: Any) -> None:
        atomic_write_json(self.path / name, data)

    def append(self, name: str, record: dict[str, Any]) -> None:
        """Append one JSON line in a single write; a torn last line is skipped by readers."""
        line = (json.dumps(record, sort_keys=True) + "\n").encode()
        with os.fdopen(runfiles.open_append(self.path / name), "ab") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
