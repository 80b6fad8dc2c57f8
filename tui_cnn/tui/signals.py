"""SIGINT, SIGTERM and SIGHUP (an SSH connection dropping) end the app cleanly.

A run going is stopped at the next batch and saved as ``interrupted`` with its metrics and
the last epoch's checkpoint; then the app exits with status 130 and restores the terminal.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))
EXIT_INTERRUPTED = 130


def install(on_signal: Callable[[int], None]) -> bool:
    """Route the quit signals to ``on_signal`` on the app's event loop; False if impossible."""
    try:
        loop = asyncio.get_running_loop()
        for sig in QUIT_SIGNALS:
            loop.add_signal_handler(sig, on_signal, sig)
    except (RuntimeError, NotImplementedError, ValueError):
        return False  # not the main thread (tests) or no loop signal support (Windows)
    return True
