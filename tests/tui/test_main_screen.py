"""The main screen's two changes to how a key press's frame is drawn (tui/main_screen.py):
one arrangement of the screen per layout, and no cycle collection between a key and its
frame."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from textual._compositor import Compositor
from textual.screen import Screen

from tui_cnn.tui.dialogs.help import HelpScreen
from tui_cnn.tui.main_screen import COLLECTIONS_HELD_AT_MOST, KeyCollections, MainScreen

from .conftest import AppFactory
from .helpers import wait_for


@pytest.fixture(autouse=True)
def collector_enabled() -> Iterator[None]:
    assert gc.isenabled()
    yield
    gc.enable()


def count_arrangements(compositor: Compositor) -> dict[str, int]:
    """Wrap the instance's full layout and its arrangements with counters."""
    counts = {"reflows": 0, "arrangements": 0}
    arrange, reflow = compositor._arrange_root, compositor.reflow

    def counted_arrange(*args: Any, **kwargs: Any) -> Any:
        counts["arrangements"] += 1
        return arrange(*args, **kwargs)

    def counted_reflow(*args: Any, **kwargs: Any) -> Any:
        counts["reflows"] += 1
        return reflow(*args, **kwargs)

    compositor._arrange_root = counted_arrange  # type: ignore[method-assign]
    compositor.reflow = counted_reflow  # type: ignore[method-assign]
    return counts


@pytest.mark.parametrize("keep_map", [True, False])
async def test_a_view_switch_arranges_the_screen_once(make_app: AppFactory,
                                                      keep_map: bool) -> None:
    """Textual 8.2's own compositor arranges the screen twice per switch (its map marked
    stale by the view about to be shown, and kept so by the layout); the main screen's
    once. Both are measured, so the test notices when Textual changes either way."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        if not keep_map:
            screen._compositor.__class__ = Compositor  # Textual's, as before
        await pilot.pause(0.2)
        counts = count_arrangements(screen._compositor)
        for key in "2121":
            await pilot.press(key)
            await pilot.pause(0.1)
        assert counts["reflows"] >= 4  # one full layout per switch at least
        extra = counts["arrangements"] - counts["reflows"]
        if keep_map:
            assert extra == 0, counts
        else:
            assert extra >= 4, counts  # Textual's: one more per switch


class FrameRecorder:
    """Records, for each frame written, whether automatic collection was on."""

    def __init__(self, screen: Screen[Any]) -> None:
        self.collecting: list[bool] = []
        app = screen.app
        display = app._display

        def recording(screen: Screen[Any], renderable: Any) -> None:
            if renderable is not None:
                self.collecting.append(gc.isenabled())
            display(screen, renderable)

        app._display = recording  # type: ignore[method-assign]


async def test_a_key_frame_is_drawn_without_collections_which_resume_after(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        frames = FrameRecorder(app.screen)
        holds = app.key_collections.holds
        await pilot.press("2")
        await wait_for(pilot, lambda: len(frames.collecting) >= 1)
        assert frames.collecting[0] is False  # the switch's frame: no collection in it
        await wait_for(pilot, gc.isenabled, timeout=2)
        assert app.key_collections.holds == holds + 1
        assert not app.key_collections.held


async def test_collections_resume_while_a_dialog_the_key_opened_is_up(
        make_app: AppFactory) -> None:
    """? opens the help screen: the main screen's idle callbacks wait for it to close, so
    the hold ends by time instead."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(COLLECTIONS_HELD_AT_MOST + 0.2)
        assert gc.isenabled()
        assert isinstance(app.screen, HelpScreen)


async def test_an_app_closed_before_a_keys_frame_turns_collection_back_on(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)):
        assert app.key_collections.hold()  # as a key pressed just before the app closes
    assert gc.isenabled()


def test_holding_leaves_a_collector_someone_else_turned_off_alone() -> None:
    held = KeyCollections()
    assert held.hold()
    assert not gc.isenabled()
    assert not held.hold()  # already held: one release ends it
    held.release()
    assert gc.isenabled()
    gc.disable()  # turned off elsewhere
    try:
        assert not held.hold()
        held.release()
        assert not gc.isenabled()  # still off: not ours to turn on
    finally:
        gc.enable()
    assert held.holds == 1


def test_a_late_release_leaves_a_later_hold_alone() -> None:
    """The time limit of one key's hold must not end the hold of a key pressed later."""
    held = KeyCollections()
    assert held.hold()
    first = held.holds
    held.release()  # its frame came
    assert held.hold()  # the next key
    held.release_hold(first)  # the first key's time limit, late
    assert not gc.isenabled()
    held.release_hold(held.holds)
    assert gc.isenabled()
