"""The convolution itself: the chapter's naive conv2d next to torch's, on demand.

Input image, filter, naive output and torch output as heatmaps (as many side by side as
the width allows), the largest difference, both timings and the measured speed ratio.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from tui_cnn.core.arithmetic import speed_sentence
from tui_cnn.render.heatmap import ColorMode, detect_color_mode, heatmap, legend
from tui_cnn.tui.params.conv_source import ConvRequest, ConvResult, measure

GAP = 2
KERNEL_SCALE = 3  # a 3x3 filter drawn 9x9 so that it can be seen

INTRO = ("The chapter's conv2d is a numpy double loop over every output pixel; it is 'valid' "
         "(no padding: a 28x28 image gives 26x26 with a 3x3 kernel), a cross-correlation like "
         "torch.nn.functional.conv2d. Press c to run both on a test image with a learned "
         "filter, compare the outputs and time them (about a second; torch loads the first "
         "time).")


Tile = tuple[Text, str]  # a picture and its label


def _width(tile: Tile) -> int:
    picture, label = tile
    return max(len(label), *(len(line) for line in picture.plain.split("\n")))


def pack(groups: Sequence[Sequence[Tile]], width: int) -> list[list[Tile]]:
    """Rows of tiles that fit ``width``. A group (say the two outputs) starts a new row
    unless it fits whole on the current one; a group wider than a row is split."""
    rows: list[list[Tile]] = []
    used = width + 1  # no row open yet
    for group in groups:
        whole = sum(_width(tile) for tile in group) + GAP * (len(group) - 1)
        if rows and used + GAP + whole <= width:
            rows[-1].extend(group)
            used += GAP + whole
            continue
        for i, tile in enumerate(group):
            if i and used + GAP + _width(tile) <= width:
                rows[-1].append(tile)
                used += GAP + _width(tile)
            else:
                rows.append([tile])
                used = _width(tile)
    return rows


def tile_rows(groups: Sequence[Sequence[Tile]], width: int) -> Text:
    """The tiles packed into rows (see ``pack``), labels under the pictures."""
    out = Text(no_wrap=True, overflow="crop")
    for i, row in enumerate(pack(groups, width)):
        if i:
            out.append("\n\n")
        out.append_text(_one_row([t[0] for t in row], [t[1] for t in row],
                                 [_width(t) for t in row]))
    return out


def _one_row(tiles: Sequence[Text], labels: Sequence[str], sizes: Sequence[int]) -> Text:
    lines = [tile.split("\n", allow_blank=True) for tile in tiles]
    height = max(len(tile_lines) for tile_lines in lines)
    out = Text(no_wrap=True, overflow="crop")
    for row in range(height):
        for i, tile_lines in enumerate(lines):
            out.append(" " * GAP if i else "")
            cell = tile_lines[row] if row < len(tile_lines) else Text("")
            out.append_text(cell)
            out.append(" " * (sizes[i] - cell.cell_len))
        out.append("\n")
    out.append((" " * GAP).join(label[:size].ljust(size)
                                for label, size in zip(labels, sizes, strict=True)).rstrip())
    return out


def output_limit(result: ConvResult) -> float:
    """One symmetric colour range for both outputs, so that they compare cell by cell."""
    cmp = result.comparison
    return float(max(np.abs(cmp.naive_out).max(), np.abs(cmp.torch_out).max()))


def result_tiles(result: ConvResult, mode: ColorMode) -> list[list[Tile]]:
    """Two groups of pictures: the input and the filter; the naive and torch outputs."""
    cmp, image, kernel = result.comparison, result.image, result.kernel
    lim = output_limit(result)
    out_shape = "x".join(map(str, cmp.naive_out.shape))
    inputs = [(heatmap(image, cmap="grey", vmin=0.0, vmax=1.0, mode=mode),
               f"input {'x'.join(map(str, image.shape))}"),
              (heatmap(kernel, cmap="diverging", mode=mode, scale=KERNEL_SCALE),
               f"filter {'x'.join(map(str, kernel.shape))}")]
    outputs = [(heatmap(out, cmap="diverging", vmin=-lim, vmax=lim, mode=mode),
                f"{name} {out_shape}")
               for out, name in ((cmp.naive_out, "naive loop"), (cmp.torch_out, "F.conv2d"))]
    return [inputs, outputs]


def numbers_text(result: ConvResult) -> Text:
    cmp = result.comparison
    text = Text()
    text.append("largest |naive - torch|: ", style="bold")
    text.append(f"{cmp.max_abs_diff:.2g}")
    text.append("  (the loop adds in float64, torch in float32: rounding, not a bug)\n")
    text.append("naive loop: ", style="bold")
    text.append(f"{1e3 * cmp.naive_seconds:,.2f} ms per call   ")
    text.append("F.conv2d: ", style="bold")
    text.append(f"{1e6 * cmp.torch_seconds:,.1f} µs per call ({cmp.device}, "
                f"{result.threads} thread{'s' if result.threads != 1 else ''})\n")
    text.append("measured speed ratio: ", style="bold")
    text.append(f"{cmp.speed_ratio:,.0f}x\n", style="bold")
    text.append(speed_sentence(cmp.speed_ratio, cmp.device, result.threads,
                               cmp.torch_seconds, result.macs))
    if result.training:
        text.append(" A run was training meanwhile, so both timings shared the CPU with it.")
    return text


class ConvPanel(Static):
    """Shows the intro until asked; then measures in a thread worker and shows the result."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(INTRO, id=id)
        self.result: ConvResult | None = None
        self.error: str | None = None

    @property
    def color_mode(self) -> ColorMode:
        return "none" if self.app.no_color else detect_color_mode(os.environ)

    @property
    def running(self) -> bool:
        return any(w.group == "conv" and w.is_running for w in self.workers)

    def start(self, request: ConvRequest) -> None:
        """Measure (ignored while a measurement is going)."""
        if self.running:
            return
        self.update(Text(INTRO + "\n\nMeasuring: the naive loop, then F.conv2d…", style="bold"))
        self._measure(request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="conv")
    def _measure(self, request: ConvRequest) -> ConvResult:
        return measure(request)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "conv":
            return
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, ConvResult):
            self.result, self.error = event.worker.result, None
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            self.error = f"Could not measure: {type(error).__name__}: {error}"
        else:
            return
        self._draw()
        self.call_after_refresh(self._reveal)

    def _reveal(self) -> None:
        """Scroll so that the section (this panel and its title) starts at the top."""
        section = self.parent if isinstance(self.parent, Widget) else self
        section.scroll_visible(top=True, animate=False)

    def on_resize(self) -> None:
        if self.result is not None:
            self._draw()

    def _draw(self) -> None:
        self.update(self.renderable_now())

    def renderable_now(self) -> RenderableType:
        if self.error is not None:
            return Text(f"{INTRO}\n\n{self.error}", style="bold red")
        result = self.result
        if result is None:
            return Text(INTRO)
        mode = self.color_mode
        lim = output_limit(result)
        notes = Text(f"test image: {result.image_note}\nfilter: {result.kernel_note}")
        pictures = tile_rows(result_tiles(result, mode), max(1, self.size.width))
        scale = legend(-lim, lim, cmap="diverging", mode=mode, width=26)
        return Group(numbers_text(result), Text(""), notes, Text(""), pictures, Text(""),
                     scale, Text("(both outputs on this one scale)", style="dim"))
