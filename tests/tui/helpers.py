"""Waiting on app state without fixed sleeps."""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot


async def wait_for(pilot: Pilot[Any], condition: Callable[[], object],
                   timeout: float = 30.0, what: str = "condition") -> None:
    """Let the app run in 0.1 s slices until ``condition()`` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await pilot.pause(0.1)


async def wait_until(condition: Callable[[], object], timeout: float = 30.0,
                     what: str = "condition") -> None:
    """Like wait_for, for after the app has exited (no pilot)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


def notifications(app: App[Any]) -> list[str]:
    """The messages of the notifications shown so far."""
    return [n.message for n in app._notifications]


def screen_text(app: App[Any]) -> str:
    """The screen's text, from the SVG screenshot with its tags taken out."""
    text = re.sub(r"<[^>]+>", "", app.export_screenshot())
    return html.unescape(text).replace("\xa0", " ")


def footer_keys(app: App[Any]) -> set[str]:
    """The keys the footer lists now (Textual key names)."""
    from tui_cnn.tui.widgets.footer import KeysFooter

    return {key for entry in app.query_one(KeysFooter).entries for key in entry.keys}


def footer_text(app: App[Any]) -> str:
    """The footer's line as it reads now."""
    from tui_cnn.tui.widgets.footer import KeysFooter

    return app.query_one(KeysFooter).text


def screen_lines(app: App[Any]) -> list[str]:
    """The screen's lines as drawn, one string per row, every column in place (the screen's
    compositor: screen_text's SVG loses the columns)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
