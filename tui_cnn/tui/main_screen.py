"""The app's main screen, and the cycle collector held off while a key is answered: two
changes to how Textual 8.2 draws a key press's frame, measured in benchmarks/detach.py
(key press to frame while a run trains)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial

from textual import events
from textual._compositor import Compositor, ReflowResult
from textual.app import App
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

COLLECTIONS_HELD_AT_MOST = 0.5
"""Seconds a key press may hold automatic collection off, should its frame never come
(a dialog opened by the key: the main screen's idle callbacks wait for it to close)."""


class LayoutMapCompositor(Compositor):
    """Textual's compositor, trusting the map of every widget that a full layout has just
    built.

    Textual marks that map stale when a widget refreshed just before a layout is not on
    screen yet (the view a key is about to show), and its full layout leaves the mark on: so
    the first widget drawn after each view switch arranged the whole screen again, a
    second arrangement per switch (its ``_arrange_root``: 8% of a switch's time, profiled).
    """

    def reflow(self, parent: Widget, size: Size) -> ReflowResult:
        result = super().reflow(parent, size)
        self._full_map_invalidated = False  # the map was just built, of every widget
        return result


class MainScreen(Screen[None]):
    """The screen the app composes its views on (App.get_default_screen): its compositor
    keeps a full layout's map, and ``after_frame`` callbacks run once each, right after
    the next frame is handed to the terminal."""

    def __init__(self) -> None:
        super().__init__(id="_default")
        self._compositor = LayoutMapCompositor()
        self.after_frame: list[Callable[[], object]] = []

    def _compositor_refresh(self) -> None:
        super()._compositor_refresh()
        callbacks, self.after_frame = self.after_frame, []
        for callback in callbacks:
            callback()


class KeyCollections:
    """Automatic cycle collection held off from a key press until the screen has answered it.

    A view switch allocates tens of thousands of objects (the new view's lines, strips and
    styles), so Python's collector ran several young passes, and now and then a full one
    (20-150 ms), between the key and its frame. Held, the collections run right after the
    frame instead; reference counting frees most garbage meanwhile, as always.
    """

    def __init__(self) -> None:
        self.held = False
        self.holds = 0  # holds taken so far: the number of the latest

    def hold(self) -> bool:
        """Hold collections off, unless they already are (here, or by someone else);
        returns whether this call held them (the caller then arranges a release)."""
        if self.held or not gc.isenabled():
            return False
        gc.disable()
        self.held = True
        self.holds += 1
        return True

    def release(self) -> None:
        if self.held:
            self.held = False
            gc.enable()

    def release_hold(self, number: int) -> None:
        """Release the ``number``-th hold (``holds`` once it was taken) if it still holds:
        a late timer must not end a later key's hold."""
        if number == self.holds:
            self.release()


class QuickKeysApp(App[int]):
    """An App on a MainScreen that holds automatic collection off from each key press to
    the frame that answers it (KeyCollections). TuiCnnApp's base."""

    def __init__(self) -> None:
        super().__init__()
        self.key_collections = KeyCollections()

    def on_unmount(self) -> None:
        self.key_collections.release()  # a key pressed as the app closed: its frame never came

    def get_default_screen(self) -> Screen[None]:
        return MainScreen()

    async def on_event(self, event: events.Event) -> None:
        if (isinstance(event, events.Key) and not event.is_forwarded  # not on its way back
                and self.key_collections.hold()):
            main = self.screen_stack[0]
            if isinstance(main, MainScreen):
                main.after_frame.append(self.key_collections.release)
            self.set_timer(COLLECTIONS_HELD_AT_MOST,
                           partial(self.key_collections.release_hold,
                                   self.key_collections.holds))
        await super().on_event(event)
