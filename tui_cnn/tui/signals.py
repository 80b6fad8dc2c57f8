"""SIGINT, SIGTERM and SIGHUP (an SSH connection dropping) end the app cleanly.

SIGINT and SIGTERM: a run going is stopped at the next batch and saved as ``interrupted``
with its metrics and the last epoch's checkpoint; then the app exits with status 130 and
restores the terminal. SIGHUP: a run training in its own process (the default) goes on
training, and the app leaves at once (130); an in-process run is stopped and saved.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable

QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


def install(on_signal: Callable[[int], None]) -> bool:
    """Route the quit signals to ``on_signal`` on the app's event loop; False if impossible."""
    try:
        loop = asyncio.get_running_loop()
        for sig in QUIT_SIGNALS:
            loop.add_signal_handler(sig, on_signal, sig)
    except (RuntimeError, NotImplementedError, ValueError):
        return False  # not the main thread (tests) or no loop signal support (Windows)
    return True


def is_hangup(signum: int) -> bool:
    return signum == getattr(signal, "SIGHUP", None)


def exit_now(code: int) -> None:
    """Leave at once without touching the terminal: after a hang-up it is gone, and
    restoring it blocks forever on the dead tty. Run folders are already saved (fsynced)."""
    os._exit(code)


def exit_within(seconds: float, code: int) -> None:
    """A watchdog: if the normal exit has not finished in ``seconds``, leave anyway."""
    timer = threading.Timer(seconds, exit_now, args=(code,))
    timer.daemon = True
    timer.start()
