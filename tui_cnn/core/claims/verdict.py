"""Verdicts and the rules that reach them. Pure Python: no torch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tui_cnn.core.sweep.stats import Difference
from tui_cnn.core.sweep.stats import verdict as difference_sentence

HOLDS = "holds"
CORRECTED = "holds with a correction"
FAILS = "does not hold"
NOT_MEASURED = "not measured here"
STATES = (HOLDS, CORRECTED, FAILS, NOT_MEASURED)


@dataclass(frozen=True)
class Verdict:
    """What an experiment found: the state, one sentence, the key number, a table."""

    state: str
    sentence: str
    key_number: str
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    data: str = ""  # what it was measured on, e.g. "synth-digits (built-in), 3 seeds"
    details: tuple[str, ...] = field(default=())  # more lines: method, limits

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown verdict state {self.state!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(str(data["state"]), str(data["sentence"]), str(data["key_number"]),
                   tuple(map(str, data.get("headers", ()))),
                   tuple(tuple(map(str, row)) for row in data.get("rows", ())),
                   str(data.get("data", "")), tuple(map(str, data.get("details", ()))))


def count_rule(claimed: float, actual: float, tolerance: float = 0.1) -> str:
    """A number the chapter states: holds within ``tolerance`` (relative), else corrected."""
    if claimed == 0:
        return HOLDS if actual == 0 else CORRECTED
    return HOLDS if abs(actual - claimed) <= tolerance * abs(claimed) else CORRECTED


def at_least_rule(value: float | None, threshold: float) -> str:
    """A claimed level ("99%+"): holds when reached; not measured without a value."""
    if value is None:
        return NOT_MEASURED
    return HOLDS if value >= threshold else FAILS


def better_rule(difference: Difference | None, claimed_higher: bool = True) -> str:
    """"b beats a" (``claimed_higher``) or "b is below a": holds when the 95% interval of
    b - a lies on the claimed side, does not hold when it lies on the other side or no
    difference is detectable, and is not measured with fewer than 2 seeds a side."""
    if difference is None or difference.half_width is None:
        return NOT_MEASURED
    if not difference.significant:
        return FAILS
    return HOLDS if (difference.diff > 0) == claimed_higher else FAILS


def no_loss_rule(difference: Difference | None, margin: float) -> str:
    """"b is as good as a": holds when no drop larger than ``margin`` is detected (the
    interval's low end above -margin), corrected when b is detectably worse."""
    if difference is None or difference.half_width is None:
        return NOT_MEASURED
    if difference.diff - difference.half_width >= -margin:
        return HOLDS
    return CORRECTED


def compare_sentence(label_a: str, label_b: str, difference: Difference | None,
                     unit: float = 100.0, what: str = "points") -> str:
    return difference_sentence(label_a, label_b, difference, unit, what)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def mean_text(values: Sequence[float], unit: float = 100.0, digits: int = 2) -> str:
    from tui_cnn.core.sweep.stats import summarize

    s = summarize(values)
    if s.mean is None:
        return "-"
    half = "" if s.half_width is None else f" ± {s.half_width * unit:.{digits}f}"
    return f"{s.mean * unit:.{digits}f}{half}"
