"""Textual's Footer, without its leak."""

from __future__ import annotations

from textual.widgets import Footer


class KeysFooter(Footer):
    """The key footer. Textual's own keeps every FooterKey it ever composed
    (Textualize/textual#6666): each recompose, on every view switch here, binds the new
    keys to ``Footer.compact`` and the old keys' watchers are dropped only when ``compact``
    changes, which it never does. After 40 view switches that was ~470 dead keys and
    ~120k objects, lengthening every full garbage collection on the UI thread."""

    async def recompose(self) -> None:
        await super().recompose()
        self.drop_dead_watchers()

    def drop_dead_watchers(self) -> None:
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [(node, callback) for node, callback in entries
                          if not (getattr(node, "_closed", False)
                                  or getattr(node, "_closing", False))]
