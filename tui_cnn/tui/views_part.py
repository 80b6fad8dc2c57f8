"""The App's part for the views: which view is shown, where the keys go when one is shown
(ARRIVAL_FOCUS), the setup panel stepping aside below 100 columns, and the keys that act
on one view (Filters, Inside, Parameters, Runs). A mixin of TuiCnnApp (see tui/host.py)."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import TabbedContent, Tabs

from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.host import ViewsHost
from tui_cnn.tui.inside.inside_view import InsideView
from tui_cnn.tui.params.params_view import ParamsView
from tui_cnn.tui.runs.runs_view import RunsView

NARROW_WIDTH = 100
"""Below this many columns the setup panel steps aside for the views (see make_room)."""

ARRIVAL_FOCUS = {
    "training": "#presets",  # choose a setup, then t
    "filters": "#filters-view",  # Page Down / Down scroll it
    "params": "#params-view",
    "runs": "#runs-table",  # its list: enter marks, / reaches the filter box
    "inside": "#inside-panels",
    "draw": "#draw-view CanvasView",
    "claims": "#claims-table",
}
"""The widget that has the keys when a view is shown (issue 20, item 3); the tabs, where
it is not shown (the setup panel hidden, nothing inspected yet)."""


def settle_layout(screen: Screen[Any]) -> None:
    """Bring the screen's map of where every widget is up to date before a view switch.

    Textual 8.2: after a scroll (PageDown in a view) the screen keeps the map for later,
    and the first refresh after the switch builds it with the new view already shown; the
    layout that follows then finds nothing newly shown and sends no Show. The view switched
    to never heard of its arrival: the Runs view did not read its list nor focus it,
    Filters and Training did not wake their redraws (tests/tui/test_focus.py)."""
    screen._compositor.full_map  # noqa: B018 (builds the map now, with the old view)


SMALLEST = (80, 24)
"""The terminal size the app is laid out for (README); below it charts lose their plot."""


class ViewsPart:
    def on_resize(self: ViewsHost, event: events.Resize) -> None:
        """Below 80x24, say so once per shrink (charts collapsed to their axes, unsaid)."""
        small = event.size.width < SMALLEST[0] or event.size.height < SMALLEST[1]
        if small and not self._said_small:
            self.notify(f"The terminal is {event.size.width}x{event.size.height}: the app is "
                        f"laid out for {SMALLEST[0]}x{SMALLEST[1]} or more, so charts and "
                        "lines are cut short.", severity="warning", timeout=6)
        self._said_small = small

    def action_show_view(self: ViewsHost, view: str) -> None:
        settle_layout(self.screen_stack[0])
        self.query_one(TabbedContent).active = view

    def active_view(self: ViewsHost) -> str | None:
        try:
            return self.screen_stack[0].query_one(TabbedContent).active
        except NoMatches:  # still composing
            return None

    def on_tabbed_content_tab_activated(self: ViewsHost) -> None:
        if self.screen_stack:  # a switch just before quitting arrives with no screen left
            self.refresh_bindings()  # the footer shows the keys of the view now shown
            view = self.active_view()
            if view != "training":
                self.make_room()
            if view != self._shown_view and view in ARRIVAL_FOCUS:  # not the start's own
                self.call_after_refresh(self.focus_view)  # once the view is laid out
            self._shown_view = view

    def focus_view(self: ViewsHost) -> None:
        """Give the keys to the shown view's widget (ARRIVAL_FOCUS), or to the tabs."""
        main = self.screen_stack[0]
        selector = ARRIVAL_FOCUS.get(self.active_view() or "")
        target = main.query_one(selector) if selector else None
        if target is None or target not in main.focus_chain:  # hidden: it would take keys
            target = main.query_one("#views Tabs", Tabs)
        target.focus()

    def make_room(self: ViewsHost) -> None:
        """Below 100 columns the views need the setup panel's width: hide it, once, saying
        how to get it back (s). Leaves it alone if the user has shown it again since."""
        if self.size.width >= NARROW_WIDTH or self._made_room or not self.panel.display:
            return
        self._made_room = True
        self.hide_panel()
        self.notify("Setup panel hidden to make room: s shows it again.", timeout=4)

    def action_compare_conv(self: ViewsHost) -> None:
        self.query_one(ParamsView).compare_conv()

    def action_filters(self: ViewsHost, command: str) -> None:
        """The Filters view's keys (keys.KEYS, view "filters")."""
        self.query_one(FiltersView).command(command)

    def action_inside(self: ViewsHost, command: str) -> None:
        """The Inside view's keys (keys.KEYS, view "inside")."""
        self.query_one(InsideView).command(command)

    def action_toggle_setup(self: ViewsHost) -> None:
        if self.panel.display:
            self.hide_panel()
        else:
            self.panel.display = True
            if self.active_view() == "training":
                self.focus_view()  # back to the presets

    def hide_panel(self: ViewsHost) -> None:
        """Hide the setup panel and move the focus out of it: a field left focused while
        hidden would still take keys (space would tick a hidden checkbox, not pause).
        Checked once the focus calls made meanwhile have run (focus() is deferred): a focus
        the view took on arrival (the Runs list) stays."""
        self.panel.display = False
        self.call_after_refresh(self._focus_out_of_panel)

    def _focus_out_of_panel(self: ViewsHost) -> None:
        focused = self.screen_stack[0].focused
        if focused is None or self.panel in focused.ancestors_with_self:
            self.focus_view()

    def action_leave_field(self: ViewsHost) -> None:
        """esc: the keys go back to the view (a field's text that does not parse has gone
        back to its value from before the edit: ValueField.on_key)."""
        self.focus_view()

    def action_mark_run(self: ViewsHost) -> None:
        """enter in the Runs view (and the palette): mark the run under the cursor, as
        enter on the list does."""
        self.screen_stack[0].query_one(RunsView).table.action_select_cursor()

    def action_runs(self: ViewsHost, command: str) -> None:
        """The Runs view's keys (keys.KEYS, view "runs")."""
        self.screen_stack[0].query_one(RunsView).command(command)
