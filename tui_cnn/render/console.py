"""A Rich console for the command line and the colour mode to draw in (no torch)."""

from __future__ import annotations

from rich.console import Console

from tui_cnn.render.heatmap import detect_color_mode
from tui_cnn.render.palette import ColorMode


def console_and_mode() -> tuple[Console, ColorMode]:
    """Shades when stdout is not a terminal (FORCE_COLOR overrides) or NO_COLOR is set."""
    probe = Console()
    mode: ColorMode = detect_color_mode() if probe.is_terminal else "none"
    if mode == "none":
        return Console(color_system=None, highlight=False, width=probe.width), mode
    return Console(color_system=mode, highlight=False, force_terminal=True,
                   width=probe.width), mode
