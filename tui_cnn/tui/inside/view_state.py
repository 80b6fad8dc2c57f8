"""The Inside view's state, without Textual or torch: which run, epoch, layer, channel, test
image, method and panel are chosen; the per-layer statistics as they come; and the lines
the view draws from them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PANELS = ("patches", "where", "embedding", "layers")
PANEL_TITLES = {"patches": "top patches", "where": "where it looks",
                "embedding": "embedding", "layers": "layer statistics"}
METHODS = ("saliency", "occlusion", "gradcam")
STATS = ("weight_norm", "grad_norm", "update_ratio")
STAT_TITLES = {"weight_norm": "weight norm ||W||", "grad_norm": "gradient norm ||dL/dW||",
               "update_ratio": "update/weight ||dW||/||W||"}
KEEP_HINT = "train with --keep-checkpoints all to keep every epoch"
MLP = ("This model is an MLP (no conv layers), so it has no top patches: where it looks "
       "(saliency, occlusion), the embedding and the layer statistics work for it.")
BARS = " ▁▂▃▄▅▆▇█"


def kept_by_policy(epochs: list[int], keep: str) -> set[int]:
    """The epochs whose checkpoint a run with ``keep`` (all, last, N) still has; the last
    epoch always has one (the run's model.pt)."""
    if not epochs:
        return set()
    if keep == "all":
        return set(epochs)
    count = 1 if keep == "last" else max(1, int(keep)) if keep.isdigit() else 1
    return set(sorted(epochs)[-count:])


@dataclass
class InsideState:
    run_dir: str | None = None
    source: str = ""  # e.g. "run 2026...-cnn-synth-digits" or "saved run ..."
    live: bool = False  # the run being trained
    running: bool = False  # ... and still training: the newest epoch is followed
    keep: str = "last"  # a live run's --keep-checkpoints
    epochs: list[int] = field(default_factory=list)  # finished epochs, ascending
    kept: set[int] = field(default_factory=set)  # epochs with a checkpoint
    epoch: int | None = None  # chosen; None: none finished yet
    follow: bool = True  # the chosen epoch moves to the newest as epochs finish
    conv_layers: int = 0
    layer: int = 1  # conv layer, from 1
    channel: int = 0
    grid: bool = False  # all channels' best patch instead of one channel's top patches
    image: int = 0
    test_size: int = 0
    method: int = 0  # index into METHODS
    panel: int = 0  # index into PANELS
    stat: int = 0  # index into STATS

    @property
    def panel_name(self) -> str:
        return PANELS[self.panel]

    @property
    def method_name(self) -> str:
        return METHODS[self.method]

    @property
    def stat_name(self) -> str:
        return STATS[self.stat]

    def add_epoch(self, epoch: int) -> bool:
        """A live epoch finished; True if the chosen epoch moved to it."""
        if epoch not in self.epochs:
            self.epochs.append(epoch)
            self.epochs.sort()
        self.kept = kept_by_policy(self.epochs, self.keep)
        if self.follow or self.epoch is None:
            self.epoch = epoch
            return True
        return False

    def step_epoch(self, delta: int) -> bool:
        """Step through the finished epochs (no wrap); True if the chosen one changed."""
        if not self.epochs:
            return False
        at = self.epochs.index(self.epoch) if self.epoch in self.epochs else len(self.epochs)
        to = min(max(at + delta, 0), len(self.epochs) - 1)
        changed = self.epochs[to] != self.epoch
        self.epoch = self.epochs[to]
        self.follow = to == len(self.epochs) - 1
        return changed

    def step_layer(self) -> None:
        if self.conv_layers:
            self.layer = self.layer % self.conv_layers + 1
            self.channel = 0

    def step_image(self, delta: int) -> None:
        if self.test_size:
            self.image = (self.image + delta) % self.test_size

    def epoch_problem(self) -> str:
        """Why the chosen epoch cannot be looked at, or ""."""
        if self.epoch is None:
            return "No epoch has finished yet: the panels fill in after the first epoch."
        if self.kept and self.epoch not in self.kept:
            listed = ", ".join(map(str, sorted(self.kept)))
            return (f"Epoch {self.epoch} has no checkpoint (epochs with one: {listed}); "
                    f"{KEEP_HINT}.")
        return ""

    def head(self) -> str:
        """The view's first line: the run, the epoch and the panels, the shown one marked."""
        if self.epoch is None:
            epoch = "no epoch yet"
        else:
            last = self.epochs[-1] if self.epochs else self.epoch
            epoch = f"epoch {self.epoch} of {last}"
            if self.live and self.running and self.follow:
                epoch += " (following)"
        panel = f"{PANEL_TITLES[self.panel_name]} ({self.panel + 1}/{len(PANELS)}, v: next)"
        return f"{self.source} · {epoch} · {panel}"


class LayerSeries:
    """Per-layer statistics per report: from LayerStatsReport events or layers.jsonl."""

    def __init__(self) -> None:
        self.layers: tuple[str, ...] = ()
        self.steps: list[int] = []
        self.rows: dict[str, list[np.ndarray]] = {s: [] for s in STATS}

    def add(self, step: int, layers: tuple[str, ...], weight_norm: np.ndarray,
            grad_norm: np.ndarray, update_ratio: np.ndarray) -> None:
        if layers != self.layers:
            self.__init__()  # type: ignore[misc]
            self.layers = layers
        self.steps.append(step)
        for stat, values in zip(STATS, (weight_norm, grad_norm, update_ratio), strict=True):
            self.rows[stat].append(np.asarray(values, dtype=np.float64))

    def load(self, layers: tuple[str, ...], steps: np.ndarray,
             arrays: dict[str, np.ndarray]) -> None:
        self.__init__()  # type: ignore[misc]
        self.layers = layers
        self.steps = [int(s) for s in steps]
        for stat in STATS:
            self.rows[stat] = list(np.asarray(arrays[stat], dtype=np.float64))

    def series(self, stat: str) -> np.ndarray:
        """(reports, layers) values of ``stat``."""
        rows = self.rows[stat]
        return np.vstack(rows) if rows else np.zeros((0, len(self.layers)))

    def latest_line(self, stat: str) -> str:
        """The newest report's value per layer, e.g. 'step 40: conv1 3.21  conv2 4.60'."""
        rows = self.rows[stat]
        if not rows:
            return "No layer statistics yet: they come with each training report."
        values = "  ".join(f"{name} {value:.3g}" for name, value in
                           zip(self.layers, rows[-1].tolist(), strict=True))
        return f"step {self.steps[-1]:,}: {values}"


def histogram_line(name: str, counts: np.ndarray, edges: np.ndarray, width: int) -> str:
    """One weight tensor's histogram as bars: 'conv1.weight ▁▃█▅▁ -0.41 … 0.39'."""
    label = f"{name:<12.12} "
    span = f" {edges[0]:.2g} … {edges[-1]:.2g}"
    room = max(4, width - len(label) - len(span))
    c = np.asarray(counts, dtype=np.float64)
    if len(c) > room:  # merge neighbouring bins to fit
        c = np.array([chunk.sum() for chunk in np.array_split(c, room)])
    top = c.max() if len(c) else 0.0
    levels = np.zeros(len(c), np.int64) if top <= 0 else \
        np.ceil(c / top * (len(BARS) - 1)).astype(np.int64)
    return label + "".join(BARS[i] for i in levels) + span
