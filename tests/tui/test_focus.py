"""Where the keys go (issue 20, item 3): each view has one obvious focus on arrival, the keys
act on what the view shows, the focus is marked on screen, and a text field never loses its
value to a key meant for the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.command import CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static, Tabs

from tui_cnn.core.config import TrainConfig
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.canvas.canvas_view import CanvasView
from tui_cnn.tui.dialogs.help import HelpScreen
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.params.params_view import ParamsView
from tui_cnn.tui.runs.runs_view import RunsView
from tui_cnn.tui.setup.value_field import ValueField

from .conftest import AppFactory
from .helpers import footer_text, notifications, screen_lines, screen_text, wait_for
from .runstore import write_run
from .test_filters_view import feed, live_events

SIZES = [(80, 24), (120, 40)]


def focused(app: TuiCnnApp) -> Widget:
    assert app.focused is not None, "nothing has the focus"
    return app.focused


async def arrive(pilot: Pilot[Any], key: str) -> None:
    await pilot.press(key)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES)
async def test_each_view_has_one_focus_on_arrival(make_app: AppFactory,
                                                  size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await arrive(pilot, "2")
        assert isinstance(focused(app), FiltersView)
        await arrive(pilot, "3")
        assert isinstance(focused(app), ParamsView)
        await arrive(pilot, "5")  # nothing inspected yet: only the intro, the tabs have it
        assert isinstance(focused(app), Tabs)
        await arrive(pilot, "4")
        app.query_one("#inside-intro").display = False  # as once a run is inspected
        app.query_one("#inside-body").display = True
        await arrive(pilot, "5")
        assert focused(app).id == "inside-panels"  # Page Down scrolls the panel
        await arrive(pilot, "6")
        assert isinstance(focused(app), CanvasView)
        await arrive(pilot, "7")
        assert focused(app).id == "claims-table"
        await arrive(pilot, "1")
        # Training: the setup panel's presets (choose, then t); with the panel hidden for
        # room (below 100 columns), the tabs
        expected = OptionList if app.panel.display else Tabs
        assert isinstance(focused(app), expected)
        if not app.panel.display:
            await arrive(pilot, "s")  # the panel back: its presets have the keys again
            assert isinstance(focused(app), OptionList)


async def test_filters_scroll_on_arrival(make_app: AppFactory, config: TrainConfig) -> None:
    """PageDown and Down did nothing in Filters until Tab (the setup panel's list, or the
    tabs, had the keys)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await feed(pilot, *live_events(config))
        await arrive(pilot, "2")
        view = app.query_one(FiltersView)
        assert view.max_scroll_y > 0, "the test needs a view taller than the screen"
        await pilot.press("pagedown")
        await pilot.pause(0.1)
        assert view.scroll_y > 0
        top = view.scroll_y
        await pilot.press("down")
        await pilot.pause(0.1)
        assert view.scroll_y == top + 1


@pytest.mark.parametrize("size", SIZES)
async def test_parameters_scroll_to_the_arithmetic_on_arrival(make_app: AppFactory,
                                                              size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await arrive(pilot, "3")
        view = app.query_one(ParamsView)
        await pilot.press("end")
        await pilot.pause(0.1)
        assert view.scroll_y == view.max_scroll_y > 0
        assert "The convolution itself" in screen_text(app)


def left_edge(app: TuiCnnApp, widget: Widget) -> str:
    """The first character of each of the widget's lines on screen."""
    region = widget.region
    lines = screen_lines(app)[region.y:region.bottom]
    return "".join(line[region.x] for line in lines)


@pytest.mark.parametrize("size", SIZES)
async def test_the_focused_view_is_marked(make_app: AppFactory,
                                          size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await arrive(pilot, "3")
        pane = app.query_one("#params")
        assert set(left_edge(app, pane)) == {"▌"}, "no mark beside the view with the keys"
        app.query_one("#views Tabs", Tabs).focus()
        await pilot.pause(0.1)
        assert set(left_edge(app, pane)) == {" "}, "the mark stays where the keys are not"


async def test_tab_then_t_keeps_the_field_and_escape_restores_it(make_app: AppFactory) -> None:
    """Tab then t replaced 32,64 with t: the field selected its text on focus, so one key
    replaced it unseen. Now the key is added at the cursor, the field says it does not
    parse, and escape leaves the field with its last good value back."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(focused(app), OptionList)
        await pilot.press("tab")
        conv = app.query_one("#conv", ValueField)
        assert focused(app) is conv.input
        await pilot.press("t")
        await pilot.pause(0.1)
        assert conv.input.value == "32,64t"
        assert app.session is None, "t typed into a field started a run"
        assert conv.value == (32, 64) and conv.error
        error = conv.query_one(".field-error", Static)
        assert error.region.height > 0  # on screen, under the field
        assert "t waits for a fix (esc: back to 32,64)" in str(error.content)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not isinstance(app.focused, Input)
        assert conv.input.value == "32,64" and conv.error is None
        assert app.panel.arch.problem is None
        await pilot.press("t")
        await wait_for(pilot, lambda: app.session is not None, what="the run")
        assert app.session is not None and app.session.config.arch.conv_channels == (32, 64)


async def test_escape_keeps_a_good_edit(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        conv = app.query_one("#conv", ValueField)
        conv.input.focus()
        await pilot.press("end", "backspace", "backspace", "1", "6")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert conv.input.value == "32,16" and conv.value == (32, 16)


async def test_escape_brings_back_the_value_from_before_the_edit(make_app: AppFactory) -> None:
    """Typing 99999999999999 into epochs passed 999, which parses, on its way to the
    error: esc brought 999 back (and t would have trained 999 epochs), not the 3 the
    field had. Leaving the field invalid and coming back does not move that point."""
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        epochs = app.query_one("#epochs", ValueField)
        epochs.input.focus()
        await pilot.press("end", "backspace", *"99999999999999")
        await pilot.pause(0.1)
        assert epochs.error and "esc: back to 3)" in epochs.error
        app.query_one("#presets").focus()  # left some way other than esc (a click)
        epochs.input.focus()
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert epochs.input.value == "3" and epochs.value == 3 and epochs.error is None
        epochs.input.focus()  # a good edit then esc: the edit stays, and is the new start
        await pilot.press("end", "backspace", "5", "escape")
        await pilot.pause(0.1)
        assert epochs.value == 5
        epochs.input.focus()
        await pilot.press("end", "x", "escape")
        await pilot.pause(0.1)
        assert epochs.input.value == "5"


async def test_the_footer_says_what_keys_do_in_a_text_field(make_app: AppFactory) -> None:
    """In a field the letter keys type: the footer lists esc to leave it, not t."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert "t Start" in footer_text(app)
        app.query_one("#conv", ValueField).input.focus()
        await pilot.pause(0.1)
        text = footer_text(app)
        assert "esc Leave field" in text
        assert "t Start" not in text and "q Quit" not in text
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert "t Start" in footer_text(app) and "esc" not in footer_text(app)


async def test_marking_runs_is_in_help_and_the_palette(make_app: AppFactory,
                                                       config: TrainConfig) -> None:
    assert config.runs_dir is not None
    run_id = "20251124-160000-cnn-synth-digits-a1b2"
    write_run(Path(config.runs_dir), run_id)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = ""
        for _page in range(4):  # more keys than rows
            text += screen_text(app)
            await pilot.press("pagedown")
            await pilot.pause(0.1)
        assert "mark the run under the cursor" in text
        await pilot.press("escape")
        await arrive(pilot, "4")
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: view.table.row_count, what="the run listed")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await pilot.press(*"Runs: mark")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: run_id in view.selected, what="the run marked")
        assert isinstance(app.focused, DataTable)
        assert not any("error" in said.lower() for said in notifications(app))


async def test_a_view_left_scrolled_does_not_hide_the_next_views_arrival(
        make_app: AppFactory, config: TrainConfig) -> None:
    """Leaving a scrolled view, Textual refreshed the screen as a scroll and sent the next
    view no Show: the Runs list stayed empty, its focus gone, after Down in Parameters."""
    assert config.runs_dir is not None
    write_run(Path(config.runs_dir), "20251124-160000-cnn-synth-digits-a1b2")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await arrive(pilot, "3")
        await pilot.press("down")  # the Parameters view scrolls by a line
        await pilot.pause(0.2)
        assert app.query_one(ParamsView).scroll_y == 1
        await arrive(pilot, "4")
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: view.table.row_count == 1, timeout=5,
                       what="the Runs view's list read on arrival")
        assert app.focused is view.table


def edge_colours(app: TuiCnnApp) -> set[tuple[int, int, int]]:
    """The foreground colours of the setup panel's right edge as drawn now."""
    panel = app.query_one("#setup")
    lines = panel.render_lines(Region(0, 0, *panel.outer_size))
    found = set()
    for strip in lines:
        seg = list(strip)[-1]
        if seg.style is not None and seg.style.color is not None:
            found.add(seg.style.color.get_truecolor())
    return found


def bar_colours(app: TuiCnnApp, pane_id: str) -> set[tuple[int, int, int]]:
    """The foreground colours of a view pane's left column (the focus bar) as drawn now."""
    pane = app.query_one(f"#{pane_id}")
    found = set()
    for strip in pane.render_lines(Region(0, 0, *pane.outer_size)):
        seg = list(strip)[0]
        if seg.text.strip() and seg.style is not None and seg.style.color is not None:
            found.add(seg.style.color.get_truecolor())
    return found


async def test_the_view_with_the_keys_has_the_accent_bar(make_app: AppFactory) -> None:
    """The view pane whose widget has the focus draws an $accent bar at its left; the
    others a blank column (ViewPane, not a :focus-within rule), following the theme."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        accent = Color.parse(app.get_css_variables()["accent"]).rgb
        assert bar_colours(app, "training") == set()  # the keys are in the setup panel
        await arrive(pilot, "3")
        assert isinstance(focused(app), ParamsView)
        assert bar_colours(app, "params") == {accent}
        await pilot.press("tab")  # within the view, or out to the tabs
        await pilot.pause(0.1)
        inside = app.query_one("#params") in focused(app).ancestors
        assert bar_colours(app, "params") == ({accent} if inside else set())
        await arrive(pilot, "2")
        assert bar_colours(app, "filters") == {accent}
        assert not app.query_one("#params").styles.inline.has_rule("border_left")  # blank
        app.theme = "nord"
        await pilot.pause(0.1)
        light = Color.parse(app.get_css_variables()["accent"]).rgb
        assert light != accent and bar_colours(app, "filters") == {light}


def label_of(app: TuiCnnApp, field_id: str) -> Widget:
    return app.query_one(f"#{field_id}").query_one(".field-label")


async def test_the_setup_panel_marks_its_focus_without_restyling_itself(
        make_app: AppFactory) -> None:
    """The panel's edge turns the accent colour while it has the keys and the focused
    field's label is bold in it; both are set by the panel, so a focus change restyles two
    labels, not the panel's ~110 widgets (that made each view switch 30 ms slower)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        accent = Color.parse(app.get_css_variables()["accent"]).rgb
        assert isinstance(focused(app), OptionList)  # the presets: the panel has the keys
        assert edge_colours(app) == {accent}
        await pilot.press("tab")  # to the conv field
        await pilot.pause(0.1)
        conv = label_of(app, "conv")
        assert conv.has_class("-focus") and conv.styles.text_style.bold
        assert conv.styles.color.rgb == accent
        await pilot.press("tab")
        await pilot.pause(0.1)
        assert not conv.has_class("-focus")
        assert len(app.query(".field-label.-focus")) == 1
        await arrive(pilot, "3")  # the keys go to the Parameters view
        assert accent not in edge_colours(app)
        assert not app.query(".field-label.-focus")
        # no :focus-within rule above the focus: a focus change restyles no subtree
        assert not any(w._has_focus_within for w in focused(app).ancestors_with_self)
        await arrive(pilot, "1")
        assert edge_colours(app) == {accent}
        assert not any(w._has_focus_within for w in app.query("#setup *"))


async def test_a_terminal_below_80x24_is_said_once(make_app: AppFactory) -> None:
    """At 60x18 the charts collapsed to their axes (upside down) with nothing said."""
    app = make_app()
    async with app.run_test(size=(60, 18)) as pilot:
        await pilot.pause(0.2)
        said = [n for n in notifications(app) if "laid out for 80x24" in n]
        assert said == ["The terminal is 60x18: the app is laid out for 80x24 or more, so "
                        "charts and lines are cut short."]
        await pilot.resize_terminal(58, 18)
        await pilot.pause(0.2)
        assert len([n for n in notifications(app) if "laid out for" in n]) == 1  # still small
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert not [n for n in notifications(app) if "laid out for" in n]
