"""The Draw view (tab 6): the canvas, classified live by the live run or a saved run.

The live run's weights are its latest epoch checkpoint (model.pt, rewritten after every
epoch and reloaded when it changes: core.draw caches by its mtime). Classifying runs in a
thread worker (draw_worker) that keeps only the newest drawing; answers come back as
messages. Keys (keys.KEYS, view "draw"): o source, j/k test image, a attribution.
"""

from __future__ import annotations

import os
from functools import partial

import numpy as np
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui_cnn.core.events import EpochMetrics, Event, RunEnded, RunStarted
from tui_cnn.render.heatmap import ColorMode, detect_color_mode
from tui_cnn.tui.canvas.canvas_view import CanvasView, DrawingChanged
from tui_cnn.tui.draw import draw_worker as dw
from tui_cnn.tui.draw.draw_state import LIVE, Sources
from tui_cnn.tui.messages import RunListener

DEFAULT_SHAPE = (1, 28, 28)
ATTRIBUTIONS = ("gradcam", "saliency", "off")
METHOD_LABELS = {"gradcam": "Grad-CAM", "saliency": "saliency", "off": "no map"}
GROUP = "draw"


class DrawView(RunListener, Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sources = Sources()
        self.live_shape: tuple[int, int, int] = DEFAULT_SHAPE
        self.saved_shape: tuple[int, int, int] = DEFAULT_SHAPE
        self.method = ATTRIBUTIONS[0]
        self.generation = 0
        self.image_index = -1
        self.mailbox: dw.Mailbox[dw.Job] = dw.Mailbox()
        self.note_text = ""
        self.failed = False

    def compose(self) -> ComposeResult:
        yield Static(self.sources.describe(), id="draw-source")
        yield Static("", id="draw-note")
        yield CanvasView(DEFAULT_SHAPE, self.color_mode(), classes="draw-canvas")

    def color_mode(self) -> ColorMode:
        return "none" if self.app.no_color else detect_color_mode(os.environ)

    @property
    def canvas(self) -> CanvasView:
        return self.query_one(CanvasView)

    # -- sources -----------------------------------------------------------------------------
    def on_run_event(self, event: Event) -> None:
        sources = self.sources
        if isinstance(event, RunStarted) and event.run_dir is not None:
            sources.live, sources.live_training = event.run_dir, True
            sources.live_epochs = event.start_epoch - 1
            self.live_shape = event.input_shape
            self._source_changed(sources.kind == LIVE)
        elif isinstance(event, EpochMetrics) and sources.live is not None:
            sources.live_epochs = event.epoch
            self._source_changed(sources.kind == LIVE)  # the checkpoint is new
        elif isinstance(event, RunEnded):
            sources.live_training = False
            self._show_source()

    def use_saved(self, run_dir: str) -> None:
        """Classify with this saved run from now on (the Runs view's d)."""
        self.sources.use_saved(run_dir)
        self._source_changed(True)

    def note_inspected(self, run_dir: str) -> None:
        """The last inspected run becomes the saved source (o switches to it)."""
        self.sources.saved = run_dir
        if self.sources.kind != LIVE:
            self._source_changed(True)

    def _source_changed(self, reclassify: bool) -> None:
        self._show_source()
        run_dir = self.sources.run_dir
        if run_dir is None or not reclassify:
            return
        if self.sources.kind != LIVE:
            from tui_cnn.core.draw import input_shape
            from tui_cnn.core.runs import RunStoreError

            try:
                self.saved_shape = input_shape(run_dir)
            except RunStoreError as error:
                self.note(str(error))
                return
        shape = self.live_shape if self.sources.kind == LIVE else self.saved_shape
        if shape != self.canvas.state.shape:
            self._reshape(shape)
        else:
            self.classify(self.canvas.prepared())

    def _reshape(self, shape: tuple[int, int, int]) -> None:
        """A canvas of the model's input shape (28x28 grey, 32x32 colour) replaces the old."""
        self.canvas.remove()
        self.image_index = -1
        self.mount(CanvasView(shape, self.color_mode(), classes="draw-canvas"))
        c, h, w = shape
        self.note(f"The canvas is now {h}x{w} {'colour' if c == 3 else 'grey'}, "
                  "as the model's input.")
        self.call_after_refresh(self.canvas.focus)

    def _show_source(self) -> None:
        self.query_one("#draw-source", Static).update(
            f"{self.sources.describe()} · a: {METHOD_LABELS[self.method]}")

    def note(self, text: str) -> None:
        self.note_text = text
        self.query_one("#draw-note", Static).update(text)

    # -- classifying -----------------------------------------------------------------------
    def on_drawing_changed(self, message: DrawingChanged) -> None:
        message.stop()
        self.classify(message.prepared)

    def classify(self, prepared: np.ndarray) -> None:
        """Classify ``prepared`` in the worker (an empty drawing: nothing to classify)."""
        self.generation += 1
        run_dir = self.sources.run_dir
        canvas = self.canvas
        if not np.any(prepared > 0):
            canvas.set_prediction(())
            canvas.set_feature_maps(None)
            return
        if run_dir is None or prepared.shape != canvas.state.shape:
            return
        job = dw.Job(self.generation, run_dir, prepared, self.method)
        if self.mailbox.put(job):
            self.run_worker(partial(dw.classify_newest, self.mailbox, self.post_message),
                            thread=True, group=GROUP, exit_on_error=False)

    def on_classified(self, message: dw.Classified) -> None:
        if message.generation != self.generation:
            return  # a drawing since: its answer comes next
        canvas = self.canvas
        canvas.set_prediction(message.top)
        canvas.set_feature_maps(message.feature_maps)
        canvas.set_attribution(message.attribution,
                               {"gradcam": "grad-cam"}.get(message.method, message.method))
        if self.failed:
            self.failed = False
            self.note("")
        if self.sources.kind != LIVE and message.epochs_done:
            self.query_one("#draw-source", Static).update(
                f"{self.sources.describe()} after epoch {message.epochs_done} · "
                f"a: {METHOD_LABELS[self.method]}")

    def on_draw_failed(self, message: dw.DrawFailed) -> None:
        if message.generation in (-1, self.generation):
            self.failed = True
            self.note(message.reason)

    # -- keys ------------------------------------------------------------------------------
    def command(self, name: str) -> None:
        """One of the view's keys: source, next_image, prev_image, attribution."""
        if name == "source":
            problem = self.sources.toggle()
            if problem:
                self.notify(f"Can't switch: {problem}.", severity="warning")
            self._source_changed(problem is None)
        elif name in ("next_image", "prev_image"):
            self._picture(1 if name == "next_image" else -1)
        elif name == "attribution":
            self.method = ATTRIBUTIONS[(ATTRIBUTIONS.index(self.method) + 1) % 3]
            self._show_source()
            self.classify(self.canvas.prepared())

    def _picture(self, step: int) -> None:
        run_dir = self.sources.run_dir
        if run_dir is None:
            self.notify("No run to take test images from yet: train one, or press d on a "
                        "saved run in the Runs view.", severity="warning")
            return
        start = 0 if step > 0 else -1  # the first, or the last (taken modulo the count)
        index = self.image_index + step if self.image_index >= 0 else start
        self.run_worker(partial(dw.read_picture, run_dir, index, self.post_message),
                        thread=True, group="draw-picture", exit_on_error=False)

    def on_picture_read(self, message: dw.PictureRead) -> None:
        canvas = self.canvas
        if message.pixels.shape[1:] != canvas.state.shape[1:]:
            self.note(f"The test images are {message.pixels.shape[1]}x"
                      f"{message.pixels.shape[2]}, not the canvas's size.")
            return
        self.image_index = message.index
        canvas.load(message.pixels)  # posts DrawingChanged: classified as a drawing
        self.note(f"Test image {message.index + 1} of {message.count}: a {message.label!r} "
                  "(edit it; j/k: another)")
