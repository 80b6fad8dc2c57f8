"""A view's pane in the tabs, with the focus bar at its left while the keys are inside it."""

from __future__ import annotations

from textual import events
from textual.color import Color
from textual.widgets import TabPane


class ViewPane(TabPane):
    """A TabPane whose left edge (a blank column, app.tcss) turns an $accent bar while one of
    its widgets has the focus.

    Set here, not with CSS ``#views TabPane:focus-within``: with that rule Textual restyles
    the pane and everything in it on each focus change into or out of it, twice per view
    switch (the view left loses the focus, the view shown gets it): ~5 ms of each switch.
    Setting the pane's own border restyles nothing else (as SetupPanel._show_focus)."""

    def on_mount(self) -> None:
        self.watch(self.app, "theme", lambda _theme: self._show_focus(), init=False)

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self._show_focus()

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        self._show_focus()

    @property
    def has_the_keys(self) -> bool:
        focused = self.screen.focused if self.is_attached else None
        return focused is not None and self in focused.ancestors

    def _show_focus(self) -> None:
        if self.has_the_keys:
            accent = Color.parse(self.app.get_css_variables()["accent"])
            self.styles.border_left = ("outer", accent)
        else:
            self.styles.border_left = None  # back to app.tcss's blank column
