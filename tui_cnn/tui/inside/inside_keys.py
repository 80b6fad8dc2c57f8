"""The Inside view's keys: step the panel, epoch, layer, channel, test image, attribution
method and layer statistic (InsideView.command routes keys.KEYS' "inside" keys here).

A mixin of InsideView; its self-type is inside/host.py's InsideHost.
"""

from __future__ import annotations

from tui_cnn.tui.inside.host import InsideHost
from tui_cnn.tui.inside.patches_panel import TopPatchesPanel
from tui_cnn.tui.inside.view_state import METHODS, MLP, PANELS, STATS


class InsideKeys:
    def _to_panel(self: InsideHost, index: int) -> None:
        self.state.panel = index % len(PANELS)
        self._show_panel()
        self._want()

    def _step_epoch(self: InsideHost, delta: int) -> None:
        if not self.state.epochs:
            self.notify("No epoch has finished yet.", severity="warning")
            return
        if self.state.step_epoch(delta):
            self._want()
        else:
            self.notify(f"Epoch {self.state.epoch} is the {'first' if delta < 0 else 'last'}.")

    def _step_layer(self: InsideHost) -> None:
        if self.state.conv_layers == 0:
            self.notify(MLP, severity="warning")
        self.state.step_layer()
        self._to_panel(PANELS.index("patches"))

    def _step_channel(self: InsideHost, delta: int) -> None:
        panel = self.query_one(TopPatchesPanel)
        if self.state.grid:
            self._toggle_grid()
        panel.step_channel(delta)
        if self.state.panel_name != "patches":
            self._to_panel(PANELS.index("patches"))

    def _toggle_grid(self: InsideHost) -> None:
        self.state.grid = not self.state.grid
        self.query_one(TopPatchesPanel).show_grid(self.state.grid)
        if self.state.panel_name != "patches":
            self._to_panel(PANELS.index("patches"))

    def _step_image(self: InsideHost, delta: int) -> None:
        self.state.step_image(delta)
        self._to_panel(PANELS.index("where"))

    def _next_method(self: InsideHost) -> None:
        self.state.method = (self.state.method + 1) % len(METHODS)
        self._to_panel(PANELS.index("where"))

    def _next_stat(self: InsideHost) -> None:
        self.state.stat = (self.state.stat + 1) % len(STATS)
        self._to_panel(PANELS.index("layers"))
