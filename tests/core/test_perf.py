"""Process-level speed settings: the GC freeze after imports, spaced full collections,
the app process's torch threads."""

from __future__ import annotations

import gc
import subprocess
import sys
import types
from collections.abc import Iterator

import pytest

from tui_cnn.core import perf


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freeze_moves_objects_out_of_the_collectors_way_once_per_import(
        unfrozen: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(perf, "_modules_at_freeze", 0)
    assert gc.get_freeze_count() == 0
    assert perf.freeze_imported_objects()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the test process's imports
    assert not perf.freeze_imported_objects()  # nothing imported since: no freeze
    assert gc.get_freeze_count() == frozen
    monkeypatch.setitem(sys.modules, "tui_cnn_test_new_module", types.ModuleType("m"))
    assert perf.freeze_imported_objects()


def test_frozen_objects_are_still_freed_by_reference_counting(
        unfrozen: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(perf, "_modules_at_freeze", 0)

    class Big:
        pass

    alive = Big()
    gone = __import__("weakref").ref(alive)
    perf.freeze_imported_objects()
    del alive
    assert gone() is None


def test_spaced_full_collections_keep_young_ones_and_still_free_cycles() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        perf.space_full_collections(every=100)
        assert gc.get_threshold() == (700, 10, 100)

        class Node:
            other: object = None

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector frees it
        gone = __import__("weakref").ref(a)
        del a, b
        gc.collect()
        assert gone() is None
    finally:
        gc.set_threshold(*before)


def test_the_apps_own_torch_work_leaves_the_ui_thread_a_core() -> None:
    """In a fresh process (torch's thread count is per process): the Filters view's
    inspector sets torch to the cores free less one, once; a later change is left alone."""
    script = """
import os, torch
from tui_cnn.core import perf
from tui_cnn.tui.filters.inspect_worker import LazyInspector
default = torch.get_num_threads()
LazyInspector().get()
chosen = torch.get_num_threads()
torch.set_num_threads(3)
again = perf.share_cores_with_ui()
print(default, chosen, again, torch.get_num_threads(), os.cpu_count())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    _default, chosen, again, after, cores = map(int, out)
    assert 1 <= chosen <= max(1, cores - 1)
    assert (again, after) == (chosen, 3)  # set once: the later call changes nothing
