"""The key footer: one line of text, redrawn only when the keys it lists change.

Textual's Footer composes a widget per key and composes them all anew whenever the bindings
change, which here is every view switch: measured while training, that recompose (new keys
mounted, styled and laid out, several times per switch) was the largest part of the time
from a view key to its frame. This footer keeps one widget and draws the keys as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.binding import Binding
from textual.screen import ActiveBinding, Screen
from textual.widget import Widget

PALETTE = "palette"
DIM = Style(dim=True)
SPACED_FROM = 100
"""From this many columns (and when all fits), keys are spaced by two columns, not one."""


@dataclass(frozen=True)
class FooterEntry:
    """One item of the footer: a key (or a group of keys) and what it does."""

    keys: tuple[str, ...]  # Textual key names, one per display part
    parts: tuple[str, ...]  # how each key is written
    label: str
    enabled: bool = True


def footer_entries(bindings: Iterable[ActiveBinding], hidden: frozenset[str],
                   key_display: Callable[[Binding], str],
                   labels: Mapping[str, str] | None = None) -> tuple[FooterEntry, ...]:
    """What the footer lists, in binding order: shown bindings whose action is not in
    ``hidden``, one entry per action, the bindings of a group joined into one entry;
    ``labels`` gives an action another label now (space: Resume while paused)."""
    labels = labels or {}
    entries: list[FooterEntry] = []
    seen: set[str] = set()
    group: Binding.Group | None = None
    for _node, binding, enabled, _tooltip in bindings:
        if not binding.show or binding.action in hidden or binding.action in seen:
            continue
        seen.add(binding.action)
        display = key_display(binding)
        if binding.group is not None and binding.group is group and entries:
            last = entries[-1]
            entries[-1] = FooterEntry(last.keys + (binding.key,), last.parts + (display,),
                                      last.label, last.enabled and enabled)
        else:
            label = binding.group.description if binding.group else labels.get(
                binding.action, binding.description)
            entries.append(FooterEntry((binding.key,), (display,), label, enabled))
        group = binding.group
    return tuple(entries)


def entry_width(entry: FooterEntry) -> int:
    return len("".join(entry.parts)) + 1 + len(entry.label)


def line_width(entries: Iterable[FooterEntry], gap: int) -> int:
    """Columns the entries take, ``gap`` apart (two: one more in front)."""
    widths = [entry_width(entry) for entry in entries]
    return (gap == 2) + sum(widths) + gap * max(0, len(widths) - 1)


def fitting(entries: tuple[FooterEntry, ...], room: int, spare: Iterable[str],
            spaced: bool) -> tuple[tuple[FooterEntry, ...], int]:
    """The entries that fit in ``room`` columns and their gap: all of them spaced by two
    (if ``spaced``) or one; else without the entries of the ``spare`` keys (in that
    order: shown elsewhere), then without the last ones."""
    for gap in (2, 1) if spaced else (1,):
        if line_width(entries, gap) <= room:
            return entries, gap
    kept = list(entries)
    for key in spare:
        if line_width(kept, 1) <= room:
            break
        kept = [entry for entry in kept if key not in entry.keys]
    while kept and line_width(kept, 1) > room:
        kept.pop()
    return tuple(kept), 1


class KeysFooter(Widget, can_focus=False):
    """The keys that act now, as one line, and ``^p palette`` at the right; a click on a
    key presses it. From 100 columns the entries are spaced by two columns when they fit;
    narrower, by one, and where even that is too long the ``spare`` keys' entries go first
    (the view keys: the tabs show their numbers), then the last ones (? lists every key)."""

    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--label"}
    ALLOW_SELECT = False

    def __init__(self, not_shown: Callable[[], frozenset[str]] = frozenset,
                 labels: Callable[[], Mapping[str, str]] = dict,
                 spare: tuple[str, ...] = ()) -> None:
        """``not_shown()``: the actions whose keys are left out now (they still act);
        ``labels()``: actions whose label reads otherwise now; ``spare``: the keys whose
        entries go first when the line is full."""
        super().__init__()
        self.not_shown = not_shown
        self.labels = labels
        self.spare = spare
        self.entries: tuple[FooterEntry, ...] = ()
        self.palette: FooterEntry | None = None
        self._spans: list[tuple[int, int, str]] = []  # (first column, end, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.update_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.update_keys()

    def update_keys(self) -> None:
        """Read the screen's active bindings; redraw if the keys listed changed."""
        active = self.screen.active_bindings
        entries = footer_entries(active.values(), self.not_shown(), self.app.get_key_display,
                                 self.labels())
        palette_binding = active.get(self.app.COMMAND_PALETTE_BINDING)
        palette = None
        if palette_binding is not None and self.app.ENABLE_COMMAND_PALETTE:
            palette = FooterEntry((palette_binding.binding.key,),
                                  (self.app.get_key_display(palette_binding.binding),), PALETTE)
        if (entries, palette) != (self.entries, self.palette):
            self.entries, self.palette = entries, palette
            self.refresh()

    @property
    def text(self) -> str:
        """The footer as it reads now (tests)."""
        return str(self.render())

    def render(self) -> RenderResult:
        key_style = self.get_component_rich_style("keys-footer--key")
        label_style = self.get_component_rich_style("keys-footer--label")
        width = self.size.width or 80
        palette = 0 if self.palette is None else entry_width(self.palette) + 1  # and ▏
        room = width - palette - (palette > 0)  # a space before the ▏
        entries, gap = fitting(self.entries, room, self.spare, spaced=width >= SPACED_FROM)
        out = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        out.append(" " if gap == 2 else "")
        for index, entry in enumerate(entries):
            out.append(" " * gap if index else "")
            self._append(out, entry, key_style, label_style)
        if self.palette is not None:
            out.append(" " * (width - out.cell_len - palette) + "▏")
            self._append(out, self.palette, key_style, label_style)
        return out

    def _append(self, out: Text, entry: FooterEntry, key_style: Style,
                label_style: Style) -> None:
        if not entry.enabled:
            key_style, label_style = key_style + DIM, label_style + DIM
        for key, part in zip(entry.keys, entry.parts, strict=True):
            self._spans.append((out.cell_len, out.cell_len + len(part), key))
            out.append(part, key_style)
        out.append(" " + entry.label, label_style)

    def on_click(self, event: events.Click) -> None:
        key = next((key for start, end, key in self._spans if start <= event.x < end), None)
        if key is not None:
            self.app.simulate_key(key)
