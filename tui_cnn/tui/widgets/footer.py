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
"""From this many columns (and when all fits), keys are spaced wider and ^p is listed."""


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


class KeysFooter(Widget, can_focus=False):
    """The keys that act now, as one line; a click on a key presses it. From 100 columns
    the entries are spaced by two columns and ``^p palette`` sits at the right; narrower,
    one column and no palette entry (^p still works; ? lists every key)."""

    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--label"}
    ALLOW_SELECT = False

    def __init__(self, not_shown: Callable[[], frozenset[str]] = frozenset,
                 labels: Callable[[], Mapping[str, str]] = dict) -> None:
        """``not_shown()``: the actions whose keys are left out now (they still act);
        ``labels()``: actions whose label reads otherwise now."""
        super().__init__()
        self.not_shown = not_shown
        self.labels = labels
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
        spaced = 1 + sum(len("".join(e.parts)) + 1 + len(e.label) + 2 for e in self.entries)
        palette = 0 if self.palette is None else len(self.palette.parts[0]) + len(PALETTE) + 3
        gap = 2 if width >= SPACED_FROM and spaced + palette <= width else 1
        out = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        out.append(" " if gap == 2 else "")
        for entry in self.entries:
            self._append(out, entry, key_style, label_style)
            out.append(" " * gap)
        if self.palette is not None and gap == 2:
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
