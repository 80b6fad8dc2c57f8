"""How a run is named on a command line and on screen: the full id, or a unique prefix or
suffix of it (``tui-cnn filters a1b2``), and each run's shortest such suffix. Pure Python."""

from __future__ import annotations

import bisect
from collections.abc import Iterable

TAG_LENGTH = 4
"""A run id ends in four random hex digits (runwriter.new_run_id): the shortest suffix shown, so
that a run keeps its short id as others are saved beside it."""


def refers_to(ref: str, name: str) -> bool:
    """``ref`` names the run ``name`` when it is a prefix or a suffix of it (find_run's rule;
    a ref that does so for exactly one run picks it)."""
    return name.startswith(ref) or name.endswith(ref)


def _common_tail(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their ends."""
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _is_prefix_of_another(ref: str, name: str, ordered: list[str]) -> bool:
    """Some name in ``ordered`` (sorted) other than ``name`` starts with ``ref``."""
    at = bisect.bisect_left(ordered, ref)
    while at < len(ordered) and ordered[at].startswith(ref):
        if ordered[at] != name:
            return True
        at += 1
    return False


def short_ids(names: Iterable[str]) -> dict[str, str]:
    """Each name's shortest suffix (at least TAG_LENGTH characters) that refers to it alone
    among ``names``; the whole name where none does (a name that ends another one)."""
    unique = sorted(set(names))
    by_tail = sorted(unique, key=lambda n: n[::-1])
    shared = dict.fromkeys(unique, 0)  # the longest ending a name shares with another
    for a, b in zip(by_tail, by_tail[1:], strict=False):  # neighbours share the most
        common = _common_tail(a, b)
        shared[a], shared[b] = max(shared[a], common), max(shared[b], common)
    out: dict[str, str] = {}
    for name in unique:
        length = max(TAG_LENGTH, shared[name] + 1)
        while length < len(name) and _is_prefix_of_another(name[-length:], name, unique):
            length += 1
        out[name] = name[-length:] if length < len(name) else name
    return out
