"""What the training loop yields: frozen dataclasses of plain floats, strings, numpy arrays
and the run's frozen TrainConfig.

Accuracies are fractions in [0, 1]; times are seconds; steps and epochs count from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tui_cnn.core.config import TrainConfig

STATUSES = ("finished", "stopped", "interrupted", "diverged", "failed")


@dataclass(frozen=True)
class DataProgress:
    """Preparing data: downloading, reading files or generating a built-in set."""

    stage: str  # "download", "load", "generate", "device"
    message: str
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class RunStarted:
    run_id: str
    run_dir: str | None
    config: TrainConfig  # as the run resolved it: threads and device filled in
    params: int
    macs: int
    device: str  # e.g. "cpu", "cuda:0"
    device_name: str  # e.g. "NVIDIA H100 80GB HBM3" or the CPU's name
    threads: int
    dataset: str
    train_size: int
    test_size: int
    input_shape: tuple[int, int, int]
    classes: tuple[str, ...]
    steps_per_epoch: int
    total_steps: int
    start_epoch: int = 1  # > 1 when resuming
    precision: str = "fp32"  # what it trains in and why: core.optim.precision_note
    batch_shares: int = 1  # CPU threads each training on a share of every batch
    threads_note: str = ""  # why fewer threads than free cores, e.g. a small model's step

    @property
    def shares_note(self) -> str:
        """How a face says the batch is split: 'each on half of every batch', or ''."""
        if self.batch_shares <= 1:
            return ""
        part = "half" if self.batch_shares == 2 else f"1/{self.batch_shares}"
        return f"each on {part} of every batch"


@dataclass(frozen=True)
class StepMetrics:
    """Training metrics over the steps since the previous report."""

    epoch: int
    step: int  # global step, counting from 1
    total_steps: int
    epoch_step: int
    steps_per_epoch: int
    loss: float  # mean cross-entropy since the last report, without label smoothing
    accuracy: float
    lr: float
    images_per_s: float
    elapsed_s: float
    eta_s: float


@dataclass(frozen=True)
class EpochMetrics:
    epoch: int
    epochs: int
    step: int
    train_loss: float
    train_acc: float
    test_loss: float
    test_acc: float
    seconds: float  # training time of this epoch, evaluation excluded
    eval_seconds: float
    images_per_s: float
    elapsed_s: float


@dataclass(frozen=True)
class FilterSnapshot:
    """Layer-1 weights: (out, in, k, k) for a conv, (units, C, H, W) for an MLP's first layer."""

    epoch: int
    step: int
    layer: str
    weights: np.ndarray = field(repr=False, compare=False)
    epoch_end: bool = False


@dataclass(frozen=True)
class TestPredictions:
    """Every test image's label and the model's prediction after an epoch (confusion matrix)."""

    __test__ = False  # not a pytest class

    epoch: int
    labels: np.ndarray = field(repr=False, compare=False)
    predicted: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class RunSummary:
    """Where a run stands: written to status.json and carried by RunEnded (one source)."""

    epochs_done: int
    steps_done: int
    final_test_acc: float | None
    best_test_acc: float | None
    train_seconds: float
    images_per_s: float
    params: int


@dataclass(frozen=True)
class LayerStatsReport:
    """Per-layer statistics at a report (core.inside.layer_stats): one value per layer."""

    epoch: int
    step: int
    layers: tuple[str, ...]  # module names with a weight, in model order
    weight_norm: np.ndarray = field(repr=False, compare=False)  # (L,) ||W||
    grad_norm: np.ndarray = field(repr=False, compare=False)  # (L,) ||grad W|| (last step)
    update_ratio: np.ndarray = field(repr=False, compare=False)  # (L,) ||dW|| / ||W||


@dataclass(frozen=True)
class LrChanged:
    """The learning rate was changed while training (core.steer): ``lr`` from step
    ``step + 1`` on, where it was ``previous``; the schedule goes on as ``base_lr`` x its
    factor."""

    epoch: int
    step: int
    lr: float
    previous: float
    base_lr: float


@dataclass(frozen=True)
class RunEnded:
    status: str  # one of STATUSES
    reason: str
    run_id: str
    run_dir: str | None
    epochs_done: int
    steps_done: int
    final_test_acc: float | None
    best_test_acc: float | None
    train_seconds: float
    images_per_s: float
    params: int


@dataclass(frozen=True)
class ControlNote:
    """A run trained in its own process took (or refused) a command of its control channel
    (core/live/control.py): ``command`` is pause, resume, stop, lr or target; "" for a line
    it could not read. ``seq`` is the command's number (0 when it had none). ``replayed``:
    an app attaching read it from the run's history (it was said before the app came)."""

    seq: int
    command: str
    applied: bool
    message: str
    value: float | str | None = None
    replayed: bool = False


Event = (DataProgress | RunStarted | StepMetrics | EpochMetrics | FilterSnapshot
         | TestPredictions | LayerStatsReport | LrChanged | ControlNote | RunEnded)
