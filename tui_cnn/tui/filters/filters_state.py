"""What the Filters view remembers of a run: filter snapshots by epoch, deeper layers'
weights from checkpoints, the test predictions, and what is selected. Plain Python and
numpy (no Textual), so it is tested on its own.

Epoch frames: one per epoch whose end-of-epoch layer-1 weights arrived (or were read from
``filters/epoch-E.npy``), then ``LIVE`` while the newest snapshot is a mid-epoch one.
``selected`` is an epoch, or None to follow the newest frame as it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tui_cnn.core.events import FilterSnapshot, TestPredictions
from tui_cnn.render.tile_grids import Normalise

LIVE = -1  # not an epoch: epoch 0 is the initial weights
"""The frame of the newest mid-epoch snapshot (epochs count from 1)."""

MLP_TILES = 16
"""An MLP's first layer has one image-sized template per unit: show this many."""

SECTIONS = ("filters", "activations", "confusion")
"""The Filters view's sections, each redrawn on its own when it changed."""


@dataclass(frozen=True)
class Shown:
    """The tiles to draw now, (M, C, k, k), and words for them."""

    tiles: np.ndarray
    layer_name: str
    what: str  # e.g. "32 filters of 1x3x3"
    when: str  # e.g. "after epoch 2", "live: epoch 3, step 1,234"
    tile_label: str  # "filter", "input" or "unit"
    note: str = ""  # e.g. why nothing is shown for this layer and epoch


@dataclass
class FilterState:
    """One run's filters as they form; every method runs on the main thread."""

    latest: FilterSnapshot | None = None
    by_epoch: dict[int, np.ndarray] = field(default_factory=dict)
    deep: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)  # epoch -> convs
    predictions: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    selected: int | None = None
    normalise: Normalise = "filter"
    layer: int = 1
    channel: int = 0
    conv_layers: int = 1  # how many conv layers the run's model has (0: an MLP)

    def add_snapshot(self, snapshot: FilterSnapshot) -> None:
        self.latest = snapshot
        if snapshot.epoch_end:
            self.by_epoch[snapshot.epoch] = snapshot.weights

    def add_predictions(self, event: TestPredictions) -> None:
        self.predictions[event.epoch] = (np.asarray(event.labels), np.asarray(event.predicted))

    def add_checkpoint(self, epoch: int, convs: dict[str, np.ndarray]) -> None:
        """Every conv layer's weights as saved after ``epoch`` (layer 2 and deeper)."""
        self.deep[epoch] = convs
        self.set_conv_layers(len(convs))

    def set_conv_layers(self, count: int) -> None:
        """The model has ``count`` conv layers (0: an MLP); a layer it lacks is not shown."""
        self.conv_layers = count
        if self.layer > max(1, count):
            self.layer, self.channel = 1, 0

    def frames(self) -> list[int]:
        """Epochs with stored layer-1 weights, ascending, then LIVE if the newest
        snapshot is from the middle of an epoch."""
        frames = sorted(self.by_epoch)
        if self.latest is not None and not self.latest.epoch_end:
            frames.append(LIVE)
        return frames

    def current_frame(self) -> int | None:
        frames = self.frames()
        if self.selected in frames:
            return self.selected
        return frames[-1] if frames else None

    def step_epoch(self, delta: int) -> bool:
        """Select the previous (-1) or next (+1) frame; the newest follows live again.
        False when there is nowhere to go."""
        frames = self.frames()
        current = self.current_frame()
        if current is None:
            return False
        index = min(max(frames.index(current) + delta, 0), len(frames) - 1)
        if frames[index] == current:
            return False
        self.selected = None if index == len(frames) - 1 else frames[index]
        return True

    def toggle_normalise(self) -> Normalise:
        self.normalise = "layer" if self.normalise == "filter" else "filter"
        return self.normalise

    def next_layer(self) -> int:
        """Layer 1, 2, ... and round again (only layer 1 before a checkpoint is read)."""
        self.layer = self.layer % max(1, self.conv_layers) + 1
        self.channel = 0
        return self.layer

    def step_channel(self, delta: int) -> int:
        found = self._deep_weights(self.current_frame())
        count = len(found[1]) if found is not None else 1
        self.channel = (self.channel + delta) % max(1, count)
        return self.channel

    def prediction_epoch(self) -> int | None:
        """The epoch whose confusion matrix to show: the selected one, else the newest."""
        frame = self.current_frame()
        if frame in self.predictions:
            return frame
        return max(self.predictions) if self.predictions else None

    def shown(self) -> Shown | None:
        frame = self.current_frame()
        if frame is None or self.latest is None:
            return None
        if self.layer > 1:
            return self._shown_deep(frame)
        weights = self.latest.weights if frame == LIVE else self.by_epoch[frame]
        return _layer_one(self.latest.layer, weights, _when(frame, self.latest))

    def deep_epoch(self, frame: int | None) -> int | None:
        """The epoch whose checkpoint shows ``frame``'s deeper layers (LIVE: the newest)."""
        if frame in self.deep:
            return frame
        return max(self.deep) if frame == LIVE and self.deep else None

    def _deep_weights(self, frame: int | None) -> tuple[str, np.ndarray] | None:
        epoch = self.deep_epoch(frame)
        convs = list(self.deep[epoch].items()) if epoch is not None else []
        return convs[self.layer - 1] if len(convs) >= self.layer else None

    def _shown_deep(self, frame: int) -> Shown:
        found = self._deep_weights(frame)
        when = _when(frame, self.latest)
        if found is None:
            have = ", ".join(map(str, sorted(self.deep))) or "none yet"
            return Shown(np.zeros((0, 1, 1, 1)), f"conv{self.layer}", "", when, "input",
                         f"Layer {self.layer} is read from the run's checkpoint after each "
                         f"epoch this view saw (epochs: {have}); stored snapshots hold "
                         "layer 1 only.")
        name, weights = found
        self.channel %= len(weights)
        out, cin, k, _ = weights.shape
        return Shown(weights[self.channel][:, None], name,
                     f"output channel {self.channel} of {out}: its {cin} input-channel "
                     f"kernels of {k}x{k}", f"after epoch {self.deep_epoch(frame)}", "input")


def _when(frame: int, latest: FilterSnapshot | None) -> str:
    if frame == 0:
        return "before training (initial weights)"
    if frame != LIVE or latest is None:
        return f"after epoch {frame}"
    return f"live: epoch {latest.epoch}, step {latest.step:,}"


def _layer_one(name: str, weights: np.ndarray, when: str) -> Shown:
    n, c, h, w = weights.shape
    if h > 7 or w > 7:  # an MLP's first layer: image-sized templates
        return Shown(weights[:MLP_TILES], name, f"{n} units, each a {c}x{h}x{w} template "
                     f"(the first {min(n, MLP_TILES)} shown)", when, "unit")
    return Shown(weights, name, f"{n} filters of {c}x{h}x{w}", when, "filter")
