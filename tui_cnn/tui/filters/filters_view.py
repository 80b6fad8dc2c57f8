"""The Filters view: the first layer's filters as they form, how edge-like they are, deeper
layers per output channel, one test image's feature maps and top classes, and the test
set's confusion matrix with the images of a selected cell.

Live: training events arrive through ``on_run_event`` (main thread) and are only stored;
a timer redraws what changed, at most every REDRAW_S, only while the view is on screen and
only after something changed (the trainer shares the GIL). After each epoch a thread
worker reads the run's checkpoint (deeper layers, feature maps); torch is imported in that
worker only.

Saved runs: :meth:`FiltersView.show_run` opens one without training. The workers' results
are taken in by filters_answers.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from tui_cnn.core.events import Event, FilterSnapshot, RunEnded, RunStarted, TestPredictions
from tui_cnn.render.heatmap import ColorMode, detect_color_mode
from tui_cnn.tui.filters import filters_render as fr
from tui_cnn.tui.filters import inspect_worker as iw
from tui_cnn.tui.filters.activations_render import activations_text
from tui_cnn.tui.filters.confusion_view import ConfusionMatrix, pair_text
from tui_cnn.tui.filters.filters_answers import FiltersAnswers
from tui_cnn.tui.filters.filters_state import SECTIONS, FilterState
from tui_cnn.tui.messages import RunListener
from tui_cnn.tui.redraw import Redraw

REDRAW_S = 0.3
"""Redraw at most this often, and only what changed (each redraw holds the GIL)."""


class FiltersView(RunListener, FiltersAnswers, VerticalScroll):
    """Shows one run at a time: the live one (events) or a saved one (:meth:`show_run`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = FilterState()
        self.inspector = iw.LazyInspector()
        self.generation = 0
        self.run_dir: str | None = None
        self.source = ""
        self.class_names: tuple[str, ...] = ()
        self.images: np.ndarray | None = None
        self.image_index = 0
        self.activations: iw.ActivationsRead | None = None
        self.problem = ""
        self.live = True  # False while a saved run is shown: live events are ignored
        self.running = False  # the live run is still training (its newest epoch is followed)
        self.dirty: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static(fr.INTRO, id="filters-intro", classes="placeholder", markup=False)
        with Vertical(id="filters-body"):
            yield Static(id="filters-head")
            yield Static(id="filters-slider")
            yield Static(id="filters-grid")
            yield Static(id="filters-legend")
            yield Static(id="filters-edges")
            yield Static("Activations", classes="section-title")
            yield Static(fr.WAITING_ACTS, id="activations")
            yield Static("Confusion matrix", classes="section-title")
            yield ConfusionMatrix(id="confusion")
            yield Static(fr.WAITING_CONFUSION, id="confusion-cell")

    def on_mount(self) -> None:
        self.query_one("#filters-body").display = False
        self.redraw = Redraw(self, REDRAW_S, self.flush)

    def on_show(self) -> None:
        self.redraw.wake()

    @property
    def color_mode(self) -> ColorMode:
        return "none" if self.app.no_color else detect_color_mode(os.environ)

    @property
    def busy(self) -> bool:
        """A worker of this view is still reading or computing."""
        return any(w.node is self and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                   for w in self.app.workers)

    # Public hooks -------------------------------------------------------------------------

    def show_run(self, run_dir: str) -> None:
        """Open the saved run in ``run_dir`` here, without training: its layer-1 filters
        after every epoch (``filters/epoch-E.npy``) and from its checkpoint ``model.pt``
        (deeper layers too), the feature maps and top classes of test image 0, and the
        confusion matrix of the checkpoint on the run's test set (computed here, in a
        thread). Problems (no checkpoint, data not on disk) are said in the view.

        Live training events are ignored until the next run starts. Call it on the main
        thread; it switches nothing else (show the Filters tab yourself)."""
        self._begin(run_dir, f"saved run {os.path.basename(run_dir.rstrip('/'))}", live=False)
        self.scroll_home(animate=False, immediate=True)  # its heading names the run
        index, generation, inspector, post = (self.image_index, self.generation,
                                              self.inspector, self.post_message)

        def job() -> None:
            worker = get_current_worker()
            iw.whole_run(inspector, run_dir, index, generation, post,
                         lambda: worker.is_cancelled)

        self._work(job)

    def command(self, name: str) -> None:
        """One of the view's keys (see keys.KEYS): prev_epoch, next_epoch, normalise,
        layer, prev_channel, next_channel, prev_image, next_image. Only what the key
        changes is redrawn (the feature maps take the longest)."""
        actions: dict[str, tuple[Callable[[], object], tuple[str, ...]]] = {
            "prev_epoch": (lambda: self.state.step_epoch(-1), ("filters", "confusion")),
            "next_epoch": (lambda: self.state.step_epoch(1), ("filters", "confusion")),
            "normalise": (self.state.toggle_normalise, ("filters",)),
            "layer": (self._next_layer, ("filters",)),
            "prev_channel": (lambda: self._step_channel(-1), ("filters",)),
            "next_channel": (lambda: self._step_channel(1), ("filters",)),
            "prev_image": (lambda: self._step_image(-1), ("activations",)),
            "next_image": (lambda: self._step_image(1), ("activations",)),
        }
        act, sections = actions[name]
        act()
        self.dirty.update(sections)
        self.flush()  # a key: at once

    # Events from the training worker (main thread: store and mark) ------------------------

    def on_run_event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._begin(event.run_dir, f"run {event.run_id}", live=True)
            self.class_names = event.classes
            self.state.set_conv_layers(len(event.config.arch.conv_channels))
        elif not self.live:
            return
        elif isinstance(event, RunEnded):
            self.running = False
            self._mark("filters")  # the slider no longer says it follows the run
        elif isinstance(event, FilterSnapshot):
            self.state.add_snapshot(event)
            self._mark("filters")
            # epoch 0 is the initial weights: there is no checkpoint to read yet (issue
            # 20, item 4: reading it said "model.pt is missing" under working maps)
            if event.epoch_end and event.epoch >= 1 and self.run_dir:
                self._after_epoch()
        elif isinstance(event, TestPredictions):
            self.state.add_predictions(event)
            self._mark("confusion")

    def _begin(self, run_dir: str | None, source: str, *, live: bool) -> None:
        """Forget the previous run; its workers' late results are dropped."""
        self.generation += 1
        self.state = FilterState(normalise=self.state.normalise, layer=self.state.layer)
        self.run_dir, self.source, self.live = run_dir, source, live
        self.running = live
        self.images, self.activations, self.problem, self.image_index = None, None, "", 0
        self.query_one(ConfusionMatrix).chosen = None
        self.query_one("#filters-intro").display = False
        self.query_one("#filters-body").display = True
        self._mark(*SECTIONS)

    def _after_epoch(self) -> None:
        assert self.run_dir is not None
        run_dir, index, generation = self.run_dir, self.image_index, self.generation
        inspector, post = self.inspector, self.post_message
        self._work(lambda: iw.after_epoch(inspector, run_dir, index, generation, post))

    def _work(self, job: Callable[[], None]) -> Worker[None]:
        return self.run_worker(job, thread=True, group="inspect", exit_on_error=False)

    # Keys -----------------------------------------------------------------------------------

    def _next_layer(self) -> None:
        if self.state.conv_layers <= 1:
            what = "an MLP has" if self.state.conv_layers == 0 else "this network has"
            self.notify(f"Only layer 1: {what} no second conv layer.", severity="warning")
        self.state.next_layer()

    def _step_channel(self, delta: int) -> None:
        if self.state.layer == 1:
            self.notify("Output channels are for layer 2 and deeper: press l first.",
                        severity="warning")
        self.state.step_channel(delta)

    def _step_image(self, delta: int) -> None:
        test_size = len(self.images) if self.images is not None else 0
        if not self.run_dir or not test_size:
            self.notify("Test images come after the first epoch of a saved run.",
                        severity="warning")
            return
        self.image_index = (self.image_index + delta) % test_size
        run_dir, index, generation = self.run_dir, self.image_index, self.generation
        inspector, post = self.inspector, self.post_message
        self._work(lambda: iw.one_image(inspector, run_dir, index, generation, post))

    # Drawing ---------------------------------------------------------------------------------

    def on_resize(self) -> None:
        self._mark(*SECTIONS)

    def _mark(self, *sections: str) -> None:
        """These sections changed: redraw them at the next tick (hidden: once shown)."""
        self.dirty.update(sections)
        if self.is_on_screen:
            self.redraw.wake()

    def flush(self) -> None:
        """Redraw the sections that changed, if the view is on screen."""
        if not self.dirty or not self.is_on_screen:
            return
        width = max(20, self.scrollable_content_region.width)
        dirty, self.dirty = self.dirty, set()
        if "filters" in dirty:
            self._draw_filters(width)
        if "activations" in dirty:
            self._draw_activations(width)
        if "confusion" in dirty:
            self._draw_confusion(width)

    def _set(self, widget_id: str, content: Text | str) -> None:
        """Show ``content`` in one of the view's Statics (a str is shown as is, no markup)."""
        self.query_one(f"#{widget_id}", Static).update(
            Text(content) if isinstance(content, str) else content)

    def _draw_filters(self, width: int) -> None:
        state = self.state
        self._set("filters-slider", fr.slider(state.frames(), state.current_frame(),
                                              self.running))
        parts = fr.section(state.shown(), state.normalise, self.color_mode, width,
                           self.source)
        for part, text in parts.items():
            self._set(f"filters-{part}", text)

    def _draw_activations(self, width: int) -> None:
        if self.activations is None:
            self._set("activations", self.problem or fr.WAITING_ACTS)
            return
        test_size = len(self.images) if self.images is not None else 0
        text = activations_text(self.activations, self.class_names, test_size,
                                self.color_mode, width)
        if self.activations.index != self.image_index:
            text = Text(f"Reading test image {self.image_index}…\n", style="italic") + text
        if self.problem:
            text.append(f"\n{self.problem}", style="bold")
        self._set("activations", text)

    def _draw_confusion(self, width: int) -> None:
        matrix = self.query_one(ConfusionMatrix)
        epoch = self.state.prediction_epoch()
        if epoch is None:
            matrix.display = False
            self._set("confusion-cell", fr.WAITING_CONFUSION)
            return
        labels, predicted = self.state.predictions[epoch]
        matrix.display = True
        matrix.show(labels, predicted, self.class_names, self.color_mode, width)
        assert matrix.cursor is not None
        text = pair_text(labels, predicted, matrix.cursor, self.class_names, self.images,
                         self.color_mode, width)
        text.append(f"\nAfter epoch {epoch}: rows are true classes, columns predicted; "
                    "focus the matrix (click or tab) and move with the arrows.", style="dim")
        self._set("confusion-cell", text)
