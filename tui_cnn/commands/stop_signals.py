"""SIGINT, SIGTERM and SIGHUP during a headless command: ask the work to stop (a run or
every trial is saved as interrupted); a second signal gives up waiting. Shared by
``train`` and ``sweep`` (a helper module, not a subcommand)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, n))


class StopOnSignals:
    """A context manager: while it is open (on the main thread), the stop signals set
    ``stop`` (through ``stop.interrupt()`` where it has one: the run ends 'interrupted')."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.stop.is_set():  # a second signal: give up waiting
            raise KeyboardInterrupt
        getattr(self.stop, "interrupt", self.stop.set)()

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in STOP_SIGNALS:
            self.previous[sig] = signal.signal(sig, self._handle)

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
