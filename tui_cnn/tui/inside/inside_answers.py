"""The Inside view's answers from its thread workers (inside_worker.py): the run's
overview and layer history, progress, and each panel's result, kept by request and shown
if it is still the one wanted.

A mixin of InsideView; its self-type is inside/host.py's InsideHost.
"""

from __future__ import annotations

from textual.message import Message

from tui_cnn.tui.inside import inside_worker as iw
from tui_cnn.tui.inside.attribution_panel import AttributionPanel
from tui_cnn.tui.inside.embedding_panel import EmbeddingPanel
from tui_cnn.tui.inside.host import InsideHost
from tui_cnn.tui.inside.layers_panel import LayerStatsPanel
from tui_cnn.tui.inside.patches_panel import ChannelShown, TopPatchesPanel


class InsideAnswers:
    def on_overview_read(self: InsideHost, message: iw.OverviewRead) -> None:
        if message.key != ("overview", self.generation):
            return
        s = self.state
        s.epochs, s.kept = list(message.epochs), set(message.kept)
        s.epoch = s.epochs[-1] if s.epochs else None
        s.conv_layers, s.test_size = message.conv_layers, message.test_size
        self.overview_read = True
        self.status = ""
        self._want()

    def on_history_read(self: InsideHost, message: iw.HistoryRead) -> None:
        if message.key == ("history", self.generation):
            self.series.load(message.layers, message.steps, message.arrays)
            if self.state.panel_name == "layers":
                self._draw_layers()

    def on_progressed(self: InsideHost, message: iw.Progressed) -> None:
        if message.key == self._key(self.state.panel_name):
            self._set_status(f"computing {message.what}: {message.done:,}/{message.total:,} "
                             "test images")

    def on_patches_read(self: InsideHost, message: iw.PatchesRead) -> None:
        self._answer(message)

    def on_maps_read(self: InsideHost, message: iw.MapsRead) -> None:
        self._answer(message)

    def on_embedding_read(self: InsideHost, message: iw.EmbeddingRead) -> None:
        self._answer(message)

    def on_histograms_read(self: InsideHost, message: iw.HistogramsRead) -> None:
        self._answer(message)

    def on_inside_failed(self: InsideHost, message: iw.InsideFailed) -> None:
        if message.key == ("overview", self.generation):  # the run could not be read
            self.overview_read = True
            self._set_status(f"Can't look inside this run: {message.reason}")
        else:
            self._answer(message)

    def _answer(self: InsideHost, message: iw.InsideAnswer) -> None:
        """An answer for a panel: kept, and shown if it is still the one wanted."""
        key = message.key
        if not isinstance(key, tuple) or key[1:2] != (self.generation,):
            return  # from a run no longer shown
        self.answers[key] = message
        if key == self._key(self.state.panel_name):
            self._show(message)

    def _show(self: InsideHost, message: Message) -> None:
        self._show_panel()
        if isinstance(message, iw.InsideFailed):
            self._set_status(f"Can't show this: {message.reason}")
        elif isinstance(message, iw.PatchesRead):
            self.query_one(TopPatchesPanel).show_patches(message.data, self.state.channel)
            self._set_status(f"{message.data.name} after epoch {self.state.epoch}: "
                             f"{message.note}; , . channel, a all channels, l layer")
        elif isinstance(message, iw.MapsRead):
            self.query_one(AttributionPanel).show_maps(message.data)
            self._set_status(f"test image {self.state.image} of {self.state.test_size:,}, "
                             f"{self.state.method_name}: j k image, m method")
        elif isinstance(message, iw.EmbeddingRead):
            self.query_one(EmbeddingPanel).show_embedding(message.data)
            self._set_status(f"What the classifier sees: {len(message.data.labels):,} test "
                             f"images, accuracy {100 * message.accuracy:.1f}%")
        elif isinstance(message, iw.HistogramsRead):
            self.query_one(LayerStatsPanel).show_histograms(
                message.histograms, f"Weight histograms after epoch {self.state.epoch}:")
            self._set_status("g: next statistic")

    def on_channel_shown(self: InsideHost, message: ChannelShown) -> None:
        self.state.channel = message.channel
