"""Process-level speed settings that change no numerics."""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
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


FULL_COLLECTION_EVERY = 100
"""Young (generation-1) collections between full ones in a UI process (Python's default: 10)."""


def space_full_collections(every: int = FULL_COLLECTION_EVERY) -> None:
    """Let the cycle collector's full pass run at most every ``every`` generation-1 passes.

    The app's screen updates allocate fast (~70k objects per half second while training), so
    with the default a full collection ran about twice a second and took 25-40 ms of the UI
    thread even with the imports frozen: the slow tail of key presses (benchmarks.detach).
    Young garbage is still collected as often as before; only the full walk is rarer.
    """
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, every)


_modules_at_freeze = 0


def freeze_imported_objects() -> bool:
    """Move every object alive now into the GC's permanent generation, if modules were
    imported since the last call.

    Call it after heavy imports (torch brings ~300k long-lived objects, and a run's first
    steps import more of it). Without it, each full collection walks all of them: 100-300 ms
    pauses every second or two while training, which the app's UI thread felt as key
    presses answered 300 ms late. Frozen objects are still freed by reference counting;
    only the cycle collector skips them. Calls with no new imports do nothing, so garbage
    made between runs is never frozen. Returns whether this call froze.
    """
    global _modules_at_freeze
    if len(sys.modules) <= _modules_at_freeze:
        return False
    gc.collect(1)  # young garbage is cheap to clear first; old objects are mostly imports
    if not _modules_at_freeze:
        # At exit the frozen objects must be collectable again, or extension modules
        # (triton's nanobind bindings) report them as leaked on stderr.
        atexit.register(gc.unfreeze)
    gc.freeze()
    _modules_at_freeze = len(sys.modules)
    return True


_app_threads: int | None = None


def share_cores_with_ui() -> int:
    """Set, once, how many threads torch uses in the app's own process (the Filters view's
    inspections after each epoch, the Inside view's passes): the cores no other process is
    busy with, less one for the UI thread. Returns that number.

    Torch's default is a thread per core: on two cores, with a run training in its own
    process, each inspection ran an OpenMP thread on the core the UI thread had, and keys
    pressed then waited for it (benchmarks.detach: view switch p95 ~38 -> ~32 ms)."""
    global _app_threads
    if _app_threads is None:
        import torch

        from tui_cnn.core.devices import default_threads

        _app_threads = default_threads(reserve_for_ui=True)
        torch.set_num_threads(_app_threads)
    return _app_threads


def warm_up_imports() -> None:
    """Import now what a run's first steps would: building torch's first optimizer
    imports torch._dynamo (about 0.9 s here). The app calls this from its device-search
    thread so that pressing t starts training that much sooner."""
    import torch

    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
