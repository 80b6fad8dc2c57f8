"""TensorBoard event files in every run folder (``<run>/tb/``), so that
``tensorboard --logdir RUNS_DIR`` compares every run and sweep.

Written with tensorboardX (a small package with its own writer thread and no TensorFlow;
``torch.utils.tensorboard`` needs the whole ``tensorboard`` package installed to write).
Scalars at each report, per-layer weight histograms and the layer-1 filters as an image
after each epoch, and the hyper-parameters with the final metrics when the run ends.
``export_run`` writes the same files for a run saved before this existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tui_cnn.core.events import EpochMetrics, RunSummary, StepMetrics

FOLDER = "tb"
HPARAMS = ("dataset", "epochs", "batch_size", "lr", "optimizer", "schedule", "seed",
           "augment", "label_smoothing", "precision")


def filter_grid(weights: np.ndarray, pad: int = 1) -> np.ndarray:
    """(N, C, k, k) filters as one (3, H, W) float image in [0, 1]: the mean over input
    channels, each filter scaled to its own largest |w| (0.5 = zero), tiles in a square."""
    w = np.asarray(weights, dtype=np.float64)
    tiles = w.mean(axis=1) if w.ndim == 4 else w.reshape(w.shape[0], *w.shape[-2:])
    scale = np.abs(tiles).reshape(len(tiles), -1).max(axis=1)
    tiles = 0.5 + 0.5 * tiles / np.where(scale > 0, scale, 1.0)[:, None, None]
    n, k = len(tiles), tiles.shape[-1]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    grid = np.ones((rows * (k + pad) + pad, cols * (k + pad) + pad))
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        y, x = pad + r * (k + pad), pad + c * (k + pad)
        grid[y:y + k, x:x + k] = tile
    return np.repeat(grid[None], 3, axis=0).astype(np.float32)


class EventLog:
    """One run's event files. Every method is cheap: tensorboardX queues the events and
    writes them on its own thread."""

    def __init__(self, run_dir: Path) -> None:
        from tensorboardX import SummaryWriter

        self.writer = SummaryWriter(logdir=str(Path(run_dir) / FOLDER), flush_secs=20)

    def step(self, m: StepMetrics) -> None:
        for tag, value in (("train/loss", m.loss), ("train/accuracy", m.accuracy),
                           ("train/lr", m.lr), ("train/images_per_s", m.images_per_s)):
            self.writer.add_scalar(tag, value, m.step)

    def epoch(self, m: EpochMetrics, weights: Mapping[str, np.ndarray],
              filters: np.ndarray | None) -> None:
        for tag, value in (("test/loss", m.test_loss), ("test/accuracy", m.test_acc),
                           ("epoch/train_loss", m.train_loss),
                           ("epoch/train_accuracy", m.train_acc),
                           ("epoch/images_per_s", m.images_per_s)):
            self.writer.add_scalar(tag, value, m.step)
        for name, array in weights.items():
            if array.size:
                self.writer.add_histogram(f"weights/{name}", array, m.epoch)
        if filters is not None and filters.ndim == 4 and filters.size:
            self.writer.add_image("filters/layer1", filter_grid(filters), m.epoch)

    def end(self, config: Mapping[str, Any], summary: RunSummary, status: str) -> None:
        """The hyper-parameters with the final metrics (TensorBoard's HParams tab)."""
        hparams = {k: _plain(config.get(k)) for k in HPARAMS}
        arch = config.get("arch")
        hparams["arch"] = _plain(arch.get("name") if isinstance(arch, Mapping) else arch)
        hparams["status"] = status
        metrics = {"hparam/final_test_acc": summary.final_test_acc or 0.0,
                   "hparam/best_test_acc": summary.best_test_acc or 0.0,
                   "hparam/train_seconds": summary.train_seconds}
        self.writer.add_hparams(hparams, metrics, name="hparams",
                                global_step=summary.steps_done)
        self.close()

    def close(self) -> None:
        self.writer.close()


def _plain(value: object) -> str | float | int | bool:
    if isinstance(value, (bool, int, float, str)):
        return value
    return "" if value is None else str(value)


def state_weights(state: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Each layer's weight from a state_dict, as numpy (biases and buffers left out)."""
    out = {}
    for name, tensor in state.items():
        if name.endswith(".weight"):
            out[name.removesuffix(".weight")] = tensor.detach().float().cpu().numpy()
    return out


def has_events(run_dir: Path) -> bool:
    """Whether the run's tb/ holds event files already (written as it trained, or by an
    export): writing more would give TensorBoard every point twice."""
    folder = Path(run_dir) / FOLDER
    return folder.is_dir() and any(p.name.startswith("events.out.tfevents")
                                   for p in folder.iterdir())


def export_run(run_dir: Path) -> Path:
    """Event files for a saved run from its run files: steps and epochs, the layer-1
    filters of each epoch, the weights of the kept checkpoints, the hyper-parameters.
    The caller checks ``has_events`` first."""
    from tui_cnn.core.checkpoint import load_state_dict
    from tui_cnn.core.history import saved_metrics
    from tui_cnn.core.inference import stored_filters
    from tui_cnn.core.runs import read_json

    run_dir = Path(run_dir)
    steps, epochs = saved_metrics(run_dir)
    filters, _ = stored_filters(run_dir)
    log = EventLog(run_dir)
    for step in steps:
        log.step(step)
    for epoch in epochs:
        path = run_dir / "checkpoints" / f"epoch-{epoch.epoch}.pt"
        if not path.is_file() and epoch is epochs[-1]:
            path = run_dir / "model.pt"
        weights = state_weights(load_state_dict(path)) if path.is_file() else {}
        log.epoch(epoch, weights, filters.get(epoch.epoch))
    status = read_json(run_dir / "status.json", [])
    summary = RunSummary(len(epochs), steps[-1].step if steps else 0,
                         epochs[-1].test_acc if epochs else None,
                         max((e.test_acc for e in epochs), default=None),
                         float(status.get("train_seconds") or 0.0),
                         float(status.get("images_per_s") or 0.0),
                         int(status.get("params") or 0))
    log.end(read_json(run_dir / "config.json", []), summary, str(status.get("status", "?")))
    return run_dir / FOLDER
