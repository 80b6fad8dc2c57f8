"""What 80x24 keeps (issue 20, item 9): the Parameters view's multiply-adds and receptive
fields, the device picker's label, the progress line's ETA on one line, and ^p in the
footer. Each test reads the screen as drawn."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tui_cnn.core.events import StepMetrics
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.messages import CoreEvents
from tui_cnn.tui.setup.device_picker import DevicePicker
from tui_cnn.tui.widgets.footer import KeysFooter

from .conftest import AppFactory
from .helpers import screen_lines, wait_for

SIZES = [(80, 24), (120, 40)]


def on_screen(app: TuiCnnApp, *texts: str) -> list[str]:
    """Those of ``texts`` that no line of the screen shows."""
    lines = screen_lines(app)
    return [text for text in texts if not any(text in line for line in lines)]


@pytest.mark.parametrize(("size", "panel"), [((80, 24), False), ((120, 40), True),
                                             ((120, 40), False)])
async def test_parameters_keep_multiply_adds_and_receptive_fields(
        make_app: AppFactory, size: tuple[int, int], panel: bool) -> None:
    """At 80 columns (and at 120 beside the setup panel) the table scrolled sideways: the
    multiply-adds and receptive-field columns were off the screen. Now the type column
    and the share's bar go first; with the room, every column shows."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("3")
        await pilot.pause(0.3)
        if app.panel.display != panel:
            await pilot.press("s")
            await pilot.pause(0.3)
        # headers; conv2's multiply-adds (64x32x3x3 x 14x14) and pool2's field; fc1's
        # formula and share
        missing = on_screen(app, "mult-adds", "3,612,672", "10x10",
                            "128x3,136 + 128 = 401,536", "95.2%")
        assert not missing, missing
        wide = size[0] >= 100 and not panel
        header = next(line for line in screen_lines(app) if " layer " in line)
        assert ("receptive field" in header and "type" in header) == wide, header
        assert wide or " RF " in header + " "
        assert "RF (receptive field)" in "".join(screen_lines(app))


async def test_the_device_picker_shows_its_whole_label(make_app: AppFactory) -> None:
    """`device auto: the ▼`: the choice's label was cut to the narrow panel's width."""
    app = make_app()

    def device_row() -> list[str] | None:
        row = next((line for line in screen_lines(app) if "device " in line and "▼" in line),
                   None)
        return None if row is None else row.split("▼")[0].split()

    async with app.run_test(size=(80, 24)) as pilot:
        select = app.panel.query_one(DevicePicker).query_one("#device-select")

        def scrolled_to_it() -> object:  # again each time: the dataset preview grows late
            app.panel.scroll_to_widget(select, animate=False)
            return device_row()

        await wait_for(pilot, scrolled_to_it, timeout=10, what="the device row on screen")
        assert device_row() == ["device", "auto"]
        note = str(app.panel.query_one("#device-note").render())
        assert "auto: the best one here" in note and "cuda:0 (Test GPU)" in note
        select.value = "cuda:0"
        await wait_for(pilot, lambda: device_row() == ["device", "cuda:0"], timeout=10,
                       what="cuda:0 chosen, whole")


def step(epoch: int, step: int, total: int) -> StepMetrics:
    return StepMetrics(epoch, step, total, step % 4690, 4690, 0.1, 0.97, 1e-3, 2345.0,
                       3723.0, 3723.0)


@pytest.mark.parametrize("panel", [True, False])
async def test_the_progress_line_keeps_the_eta_on_one_line(make_app: AppFactory,
                                                           panel: bool) -> None:
    """The ETA wrapped onto a second line at 80 columns (beside the setup panel)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        if not panel:
            await pilot.press("s")
        app.post_message(CoreEvents((step(10, 42_345, 46_900),)))
        await pilot.pause(0.3)
        text = app.query_one("#progress-text")
        assert text.region.height == 1
        shown = screen_lines(app)[text.region.y][text.region.x:text.region.right]
        assert "10/" in shown and "42,345/46,900" in shown and "ETA 1:02:03" in shown, shown


async def show(pilot: Pilot[Any], view: str) -> str:
    await pilot.press(view)
    await pilot.pause(0.2)
    return pilot.app.query_one(KeysFooter).text


@pytest.mark.parametrize("view", list("1234567"))
async def test_the_footer_keeps_the_palette_at_80_columns(make_app: AppFactory,
                                                          view: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        text = await show(pilot, view)
        assert len(text) <= 80
        assert text.rstrip().endswith("^p palette"), text
        assert "? Help" in text and "q Quit" in text, text
        assert screen_lines(app)[-1].rstrip().endswith("^p palette")


def test_a_full_footer_drops_the_spare_keys_first() -> None:
    from tui_cnn.tui.widgets.footer import FooterEntry, fitting, line_width

    views = FooterEntry(tuple("1234567"), tuple("1234567"), "views")
    entries = (FooterEntry(("t",), ("t",), "Start"), views,
               FooterEntry(("s",), ("s",), "Setup"), FooterEntry(("q",), ("q",), "Quit"))
    assert fitting(entries, 200, ("1", "s"), spaced=True) == (entries, 2)
    assert fitting(entries, line_width(entries, 1), ("1", "s"), spaced=True) == (entries, 1)
    kept, gap = fitting(entries, line_width(entries, 1) - 1, ("1", "s"), spaced=False)
    assert views not in kept and len(kept) == 3 and gap == 1
    kept, _gap = fitting(entries, 7, ("1", "s"), spaced=False)
    assert [entry.label for entry in kept] == ["Start"]
