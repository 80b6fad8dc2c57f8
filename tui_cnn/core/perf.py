"""Process-level speed settings that change no numerics."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_tuned = False


def tune_allocator() -> bool:
    """Raise glibc malloc's trim and mmap thresholds once per process.

    With the defaults, every large activation buffer is mmapped and unmapped per step, which
    made CPU training times bimodal (up to 2x apart) on the machine we measured. Linux/glibc
    only; returns whether the settings were applied.
    """
    global _tuned
    if _tuned or not sys.platform.startswith("linux"):
        return _tuned
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, 1 << 30)) and bool(
            libc.mallopt(_M_TRIM_THRESHOLD, (1 << 31) - 1))
    except (OSError, AttributeError):
        return False
    _tuned = ok
    return ok
