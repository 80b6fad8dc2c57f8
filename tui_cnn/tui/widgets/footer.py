"""Textual's Footer, without its leak."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 100
"""Narrower than this many columns, keys are drawn without padding and the ^p palette
entry is left out (^p still works; ? lists it), so that a view's own keys and s, ?, q
all fit in 80 columns."""


class KeysFooter(Footer):
    """The key footer. Textual's own keeps every FooterKey it ever composed
    (Textualize/textual#6666): each recompose, on every view switch here, binds the new
    keys to ``Footer.compact`` and the old keys' watchers are dropped only when ``compact``
    changes, which it never does. After 40 view switches that was ~470 dead keys and
    ~120k objects, lengthening every full garbage collection on the UI thread."""

    def __init__(self, not_shown: Callable[[], frozenset[str]] = frozenset) -> None:
        """``not_shown()``: the actions whose keys are left out now (they still act)."""
        super().__init__()
        self.not_shown = not_shown

    def compose(self) -> ComposeResult:
        hidden = self.not_shown()
        for widget in super().compose():
            if not (isinstance(widget, FooterKey) and widget.action in hidden):
                yield widget

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < COMPACT_BELOW
        self.compact = narrow
        self.show_command_palette = not narrow

    async def recompose(self) -> None:
        await super().recompose()
        self.drop_dead_watchers()

    def drop_dead_watchers(self) -> None:
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [(node, callback) for node, callback in entries
                          if not (getattr(node, "_closed", False)
                                  or getattr(node, "_closing", False))]
