"""The Inside view: what the network learned, one panel at a time (v steps the panel):
the top patches of a conv layer's channels, where the model looks in a test image, the
test set's embedding with per-class accuracy, and how training moves each layer.

It follows the run being trained (a new epoch's checkpoint after each epoch, the layer
statistics as they come) or a saved run (:meth:`InsideView.show_run`). All torch work is
done by core functions in thread workers (inside_worker.py), only for the panel shown and
only while the view is on screen: stepping away cancels it, coming back asks again.
Answers are kept by request, so stepping back to an epoch or an image is instant
(inside_answers.py); the keys are in inside_keys.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from tui_cnn.core.events import EpochMetrics, Event, LayerStatsReport, RunEnded, RunStarted
from tui_cnn.render.heatmap import detect_color_mode
from tui_cnn.render.palette import ColorMode
from tui_cnn.tui.inside import inside_worker as iw
from tui_cnn.tui.inside.attribution_panel import AttributionPanel
from tui_cnn.tui.inside.embedding_panel import EmbeddingPanel
from tui_cnn.tui.inside.inside_answers import InsideAnswers
from tui_cnn.tui.inside.inside_keys import InsideKeys
from tui_cnn.tui.inside.layers_panel import LayerStatsPanel
from tui_cnn.tui.inside.patches_panel import TopPatchesPanel
from tui_cnn.tui.inside.view_state import MLP, PANEL_TITLES, InsideState, LayerSeries
from tui_cnn.tui.messages import RunListener
from tui_cnn.tui.redraw import Redraw

REDRAW_S = 0.5
INTRO = ("Inside: what the network learned. Train a run (t), or open a saved one in the "
         "Runs view (4, then i). Keys here: v panel, [ ] epoch, l layer, , . channel, "
         "a all channels, j k test image, m method, g statistic.")
WIDGETS: dict[str, type[Widget]] = {"patches": TopPatchesPanel, "where": AttributionPanel,
           "embedding": EmbeddingPanel, "layers": LayerStatsPanel}


class InsideView(RunListener, InsideKeys, InsideAnswers, Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = InsideState()
        self.series = LayerSeries()
        self.runview = iw.LazyRunview()
        self.generation = 0
        self.answers: dict[Hashable, Message] = {}
        self.status = ""
        self.overview_read = False

    def compose(self) -> ComposeResult:
        yield Static(INTRO, id="inside-intro", classes="placeholder", markup=False)
        with Vertical(id="inside-body"):
            yield Static(id="inside-head", markup=False)
            yield Static(id="inside-status", markup=False)
            with VerticalScroll(id="inside-panels"):
                yield TopPatchesPanel(id="inside-patches")
                yield AttributionPanel(id="inside-where")
                yield EmbeddingPanel(id="inside-embedding")
                yield LayerStatsPanel(id="inside-layers")

    def on_mount(self) -> None:
        self.query_one("#inside-body").display = False
        mode: ColorMode = "none" if self.app.no_color else detect_color_mode(os.environ)
        self.query_one(TopPatchesPanel).mode = mode
        self.query_one(AttributionPanel).mode = mode
        self.redraw = Redraw(self, REDRAW_S, self._draw_layers)
        self._show_panel()

    # Public hooks -------------------------------------------------------------------------

    def show_run(self, run_dir: str) -> None:
        """Follow the saved run in ``run_dir`` (its epochs, checkpoints and layers.jsonl are
        read when the view is next shown). Live events are ignored until a run starts."""
        self._begin(run_dir, f"saved run {os.path.basename(run_dir.rstrip('/'))}", live=False)
        if self.is_on_screen:
            self._read_overview()

    def command(self, name: str) -> None:
        """One of the view's keys (keys.KEYS, view "inside")."""
        actions: dict[str, Callable[[], object]] = {
            "prev_epoch": lambda: self._step_epoch(-1), "next_epoch": lambda: self._step_epoch(1),
            "layer": self._step_layer, "prev_channel": lambda: self._step_channel(-1),
            "next_channel": lambda: self._step_channel(1), "grid": self._toggle_grid,
            "prev_image": lambda: self._step_image(-1), "next_image": lambda: self._step_image(1),
            "method": self._next_method, "panel": lambda: self._to_panel(self.state.panel + 1),
            "stat": self._next_stat,
        }
        actions[name]()

    # Training events (main thread: store, then ask for what is shown) ---------------------

    def on_run_event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._begin(event.run_dir, f"run {event.run_id}", live=True)
            self.state.keep = event.config.keep_checkpoints
            self.state.conv_layers = len(event.config.arch.conv_channels)
            self.state.test_size = event.test_size
            # A run carried on (R) has epochs and layer statistics before this start: read
            # them from its files, as for a saved run (the view had shown this session's
            # half only). A new run's events say it all.
            self.overview_read = event.start_epoch <= 1
            if not self.overview_read and self.is_on_screen:
                self._read_overview()
            else:
                self._want()
        elif not self.state.live:
            return
        elif isinstance(event, LayerStatsReport):
            self.series.add(event.step, event.layers, event.weight_norm, event.grad_norm,
                            event.update_ratio)
            if self.state.panel_name == "layers" and self.is_on_screen:
                self.redraw.wake()
        elif isinstance(event, EpochMetrics) and self.state.run_dir:
            if self.state.add_epoch(event.epoch):
                self._want()
            else:
                self._draw_head()
        elif isinstance(event, RunEnded):
            self.state.running = False
            self._draw_head()

    def _begin(self, run_dir: str | None, source: str, *, live: bool) -> None:
        """Forget the previous run; its workers are cancelled and late answers dropped."""
        self._cancel()
        self.generation += 1
        old = self.state
        self.state = InsideState(run_dir=run_dir, source=source, live=live, running=live,
                                 method=old.method, panel=old.panel, stat=old.stat,
                                 grid=old.grid)
        self.series = LayerSeries()
        self.answers.clear()
        self.overview_read = False
        self.status = ""
        self.query_one("#inside-intro").display = False
        self.query_one("#inside-body").display = True
        self.query_one(TopPatchesPanel).data = None
        self.query_one(AttributionPanel).data = None
        self._draw_head()

    # Showing and hiding -----------------------------------------------------------------------

    def on_show(self) -> None:
        if self.state.run_dir is None:
            return
        if not self.overview_read:
            self._read_overview()
        else:
            self._want()

    def on_hide(self) -> None:
        self._cancel()  # nothing computes for a view nobody looks at

    def _cancel(self, keep: str | None = None) -> None:
        for worker in self.app.workers:
            if worker.node is self and worker.group != f"inside-{keep}":
                worker.cancel()

    def _work(self, panel: str, job: Callable[[], None]) -> None:
        self.run_worker(job, thread=True, exclusive=True, group=f"inside-{panel}",
                        exit_on_error=False)

    def _read_overview(self) -> None:
        run_dir, rv, post = self.state.run_dir, self.runview, self.post_message
        assert run_dir is not None
        key = ("overview", self.generation)
        self.status = "Reading the run…"
        self._draw_head()

        def job() -> None:
            iw.guarded(key, post, lambda: iw.overview(rv, run_dir, key))
            iw.guarded(("history", key[1]), post,
                       lambda: iw.history(rv, run_dir, ("history", key[1])))

        self._work("overview", job)

    # What the shown panel needs ----------------------------------------------------------

    def _key(self, panel: str) -> Hashable:
        s = self.state
        params: dict[str, tuple[object, ...]] = {
            "patches": (s.layer,), "where": (s.image, s.method_name), "embedding": (),
            "layers": ()}
        return (panel, self.generation, s.epoch, *params[panel])

    def _want(self) -> None:
        """Show the chosen panel's answer, or ask a worker for it (cancelling the other
        panels' work)."""
        self._draw_head()
        if not self.is_on_screen or self.state.run_dir is None:
            return
        panel = self.state.panel_name
        self._cancel(keep=panel if panel != "layers" else "hist")
        if panel == "layers":
            self._draw_layers()
        problem = self._problem(panel)
        if problem:  # what the panel showed belongs to another epoch: out of sight
            self._set_status(problem)
            if panel == "layers":
                self.query_one(LayerStatsPanel).show_histograms({}, problem)
            else:
                self.query_one(WIDGETS[panel]).display = False
            return
        key = self._key(panel)
        if key in self.answers:
            self._show(self.answers[key])
            return
        self._set_status(f"Computing {PANEL_TITLES[panel]} after epoch {self.state.epoch}…")
        self._work(panel if panel != "layers" else "hist", self._job(panel, key))

    def _problem(self, panel: str) -> str:
        if panel == "patches" and self.state.conv_layers == 0:
            return MLP
        if panel == "where" and self.state.test_size == 0:
            return "This run's test images are not known yet."
        return self.state.epoch_problem()

    def _job(self, panel: str, key: Hashable) -> Callable[[], None]:
        s, rv, post = self.state, self.runview, self.post_message
        run_dir, epoch = s.run_dir, s.epoch
        assert run_dir is not None and epoch is not None
        layer, image, method = s.layer, s.image, s.method_name

        def job() -> None:
            worker = get_current_worker()

            def cancelled() -> bool:
                return worker.is_cancelled

            answers: dict[str, Callable[[], Message]] = {
                "patches": lambda: iw.patches(rv, run_dir, layer, epoch, key, post, cancelled),
                "where": lambda: iw.maps(rv, run_dir, image, method, epoch, key),
                "embedding": lambda: iw.embedding(rv, run_dir, epoch, key, post, cancelled),
                "layers": lambda: iw.histograms(rv, run_dir, epoch, key),
            }
            iw.guarded(key, post, answers[panel])

        return job

    # Drawing ------------------------------------------------------------------------------

    def _show_panel(self) -> None:
        for name, widget in WIDGETS.items():
            self.query_one(widget).display = name == self.state.panel_name

    def _set_status(self, text: str) -> None:
        self.status = text
        self.query_one("#inside-status", Static).update(text)

    def _draw_head(self) -> None:
        self.query_one("#inside-head", Static).update(self.state.head())
        self.query_one("#inside-status", Static).update(self.status)

    def _draw_layers(self) -> None:
        if self.state.panel_name == "layers" and self.is_on_screen:
            self.query_one(LayerStatsPanel).show_series(self.series, self.state.stat_name)
