"""How a caller steers a running ``train.run``: stop (with the status to end on) and pause."""

from __future__ import annotations

import threading


class StopFlag(threading.Event):
    """A stop event that carries the status the run should end with.

    ``run()`` ends a stopped run with ``reason`` as its status: "stopped" when a person asked,
    "interrupted" when a signal (SIGINT, SIGTERM, SIGHUP) did.
    """

    def __init__(self) -> None:
        super().__init__()
        self.reason = "stopped"

    def interrupt(self) -> None:
        self.reason = "interrupted"
        self.set()


class Cancelled(Exception):
    """Raised by long core work (evaluation, inspection) when its caller cancelled it."""
