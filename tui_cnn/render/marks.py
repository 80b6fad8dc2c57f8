"""The colours of marked (overlaid) runs: one per run, the same in Rich text and in plotext.

Each is an exact xterm-256 cube entry given as RGB: Rich gets ``#rrggbb`` and plotext the
RGB triple, so a 256-colour terminal shows that very entry for both and a truecolor one the
same RGB. (plotext's colour names come out as the terminal's 16 ANSI colours, which Textual
maps through its theme: a run's line was purple in the chart and orange in the list.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui_cnn.render.palette import xterm_palette


@dataclass(frozen=True)
class MarkColour:
    name: str  # what a person calls it
    xterm: int  # its xterm-256 index (16-231: the colour cube)
    rgb: tuple[int, int, int]  # that entry's RGB

    @property
    def rich(self) -> str:
        """Rich's name for it (list marks, table headings, legends)."""
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)

    @property
    def plot(self) -> tuple[int, int, int]:
        """plotext's: the same colour, as RGB."""
        return self.rgb


def _entry(name: str, xterm: int) -> MarkColour:
    r, g, b = (int(v) for v in xterm_palette()[xterm - 16])
    return MarkColour(name, xterm, (r, g, b))


MARK_COLOURS = tuple(_entry(name, xterm) for name, xterm in (
    ("blue", 33), ("orange", 208), ("green", 76), ("magenta", 170), ("yellow", 226),
    ("red", 196), ("cyan", 51)))
"""In the order runs take them: the first marked run blue, the second orange, ..."""


def free_colour(taken: Iterable[MarkColour]) -> MarkColour | None:
    """The first colour no marked run has (a run keeps its colour while others come and
    go), or None when every colour is taken."""
    used = set(taken)
    return next((colour for colour in MARK_COLOURS if colour not in used), None)
