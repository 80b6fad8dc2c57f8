"""Configuration as frozen, validated dataclasses. Pure Python: no torch, no Textual."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from tui_cnn.core.catalog import DATASETS

DOWNSAMPLING = ("maxpool", "stride", "none")
OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("onecycle", "constant")
AUGMENTS = ("auto", "none", "shift", "shift-flip")
PRECISIONS = ("auto", "fp32", "bf16")
BATCH_SPLITS = ("auto", "off")
KEEP_CHECKPOINTS = ("all", "last")  # or a whole number N >= 1: the newest N epochs
MAX_EPOCHS = 1000
MAX_BATCH = 65536
IMAGE_SIZES = (28, 32)  # --dataset folder: images are resized to this square
CHANNELS = (1, 3)  # --dataset folder: 1 grey, 3 RGB
SEED_STRIDE = 100_003  # session.batches seeds epoch E's generators with seed * this +- E
MAX_SEED = (2**64 - 1 - MAX_EPOCHS) // SEED_STRIDE
"""The largest seed whose per-epoch generator seeds torch accepts (at most 2**64 - 1)."""


class ConfigError(ValueError):
    """A configuration value is wrong; the message says which and why."""


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:,} and {high:,}, got {value:,}")


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"unknown {name} {value!r}; choose one of: {', '.join(choices)}")


def _check_ints(name: str, values: tuple[int, ...], low: int, high: int) -> None:
    for value in values:
        _check_int(name, value, low, high)


@dataclass(frozen=True)
class ArchSpec:
    """A network as a few numbers: conv stack, then a fully-connected head.

    ``conv_channels=()`` gives a plain MLP. Each conv is ``kernel x kernel`` with
    'same' padding, followed by ReLU and, per ``downsample``, a 2x2 MaxPool,
    stride 2 in the conv itself, or nothing.
    """

    name: str = "custom"
    conv_channels: tuple[int, ...] = (32, 64)
    kernel_size: int = 3
    downsample: str = "maxpool"
    hidden: tuple[int, ...] = (128,)
    batch_norm: bool = False
    dropout: float = 0.0
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "conv_channels", tuple(self.conv_channels))
        object.__setattr__(self, "hidden", tuple(self.hidden))
        _check_ints("conv channels", self.conv_channels, 1, 1024)
        _check_ints("hidden units", self.hidden, 1, 16384)
        if len(self.conv_channels) > 6:
            raise ConfigError("at most 6 conv layers")
        if len(self.hidden) > 6:
            raise ConfigError("at most 6 hidden layers")
        if not (isinstance(self.kernel_size, int) and self.kernel_size in (1, 3, 5, 7)):
            raise ConfigError(f"kernel size must be 1, 3, 5 or 7, got {self.kernel_size!r}")
        if self.downsample not in DOWNSAMPLING:
            raise ConfigError(
                f"downsampling must be one of {', '.join(DOWNSAMPLING)}, got {self.downsample!r}"
            )
        if not _finite(self.dropout) or not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout!r}")

    @property
    def is_mlp(self) -> bool:
        return not self.conv_channels

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArchSpec:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


PRESETS: dict[str, ArchSpec] = {
    spec.name: spec
    for spec in (
        ArchSpec("cnn", (32, 64), 3, "maxpool", (128,),
                 description="the chapter's CNN: 2 conv+MaxPool, 128-unit head"),
        ArchSpec("cnn-stride2", (32, 64), 3, "stride", (128,),
                 description="exercise 2: MaxPool removed, stride-2 convs"),
        ArchSpec("mlp", (), 3, "none", (128, 64),
                 description="chapter 3's MLP 784-128-64-10 (input follows the data)"),
        ArchSpec("cnn-bn", (32, 64), 3, "maxpool", (128,), batch_norm=True, dropout=0.25,
                 description="the chapter's CNN with batch-norm and dropout"),
        ArchSpec("cnn-small", (8, 16), 3, "maxpool", (32,),
                 description="a tiny CNN: 8 and 16 filters, 32-unit head"),
        ArchSpec("cnn-deep", (32, 64, 128), 3, "maxpool", (128,), batch_norm=True,
                 description="three conv blocks with batch-norm"),
    )
}


def preset(name: str) -> ArchSpec:
    """The preset called ``name``; ConfigError naming the choices otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(
            f"unknown architecture {name!r}; choose one of: {', '.join(PRESETS)}"
        ) from None


def check_keep(value: object) -> None:
    """``all``, ``last`` or a whole number N >= 1 (as text): which epoch checkpoints to keep."""
    if value in KEEP_CHECKPOINTS:
        return
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
        return
    raise ConfigError(f"keep checkpoints must be all, last or a whole number N >= 1 "
                      f"(the newest N epochs), got {value!r}")


@dataclass(frozen=True)
class TrainConfig:
    """Everything one training run needs. Validated on construction."""

    arch: ArchSpec = field(default_factory=lambda: PRESETS["cnn"])
    dataset: str = "synth-digits"
    epochs: int = 3
    batch_size: int = 32
    lr: float = 4e-3
    optimizer: str = "adam"
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "onecycle"
    device: str = "auto"
    seed: int = 0
    threads: int | None = None
    data_dir: str | None = None
    runs_dir: str | None = None
    train_size: int | None = None
    test_size: int | None = None
    log_every: int = 20
    augment: str = "auto"  # auto: shift for 28x28 sets, shift-flip for CIFAR-10
    label_smoothing: float = 0.1
    precision: str = "auto"  # auto: bf16 autocast where the device does bf16 natively
    batch_split: str = "auto"  # auto: on a CPU, each thread trains on a share of the batch
    download: bool = True
    resume_from: str | None = None
    sweep: str | None = None  # "<sweep id>/<trial index>" for a sweep's trial, else None
    keep_checkpoints: str = "last"  # per-epoch checkpoints kept: all, last, or N newest
    test_fraction: float = 0.2  # --dataset folder without train/ and test/: seeded split
    image_size: int = 28  # --dataset folder: 28 or 32
    channels: int = 1  # --dataset folder: 1 (grey) or 3 (RGB)
    skip_bad: bool = False  # --dataset folder: skip unreadable files (counted) instead of failing
    target_acc: float | None = None  # end the run "finished" at the first epoch this accurate

    def __post_init__(self) -> None:
        _check_choice("dataset", self.dataset, tuple(DATASETS))
        _check_int("epochs", self.epochs, 1, MAX_EPOCHS)
        _check_int("batch size", self.batch_size, 1, MAX_BATCH)
        _check_int("log every", self.log_every, 1, 1_000_000)
        _check_int("seed", self.seed, 0, MAX_SEED)
        if self.threads is not None:
            _check_int("threads", self.threads, 1, 1024)
        for name in ("train_size", "test_size"):
            value = getattr(self, name)
            if value is not None:
                _check_int(name.replace("_", " "), value, 1, 10**8)
        if not _finite(self.lr) or not 0.0 < self.lr <= 10.0:
            raise ConfigError(f"learning rate must be a number in (0, 10], got {self.lr!r}")
        if not _finite(self.momentum) or not 0.0 <= self.momentum < 1.0:
            raise ConfigError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if not _finite(self.weight_decay) or not 0.0 <= self.weight_decay <= 1.0:
            raise ConfigError(f"weight decay must be in [0, 1], got {self.weight_decay!r}")
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("schedule", self.schedule, SCHEDULES)
        _check_choice("augmentation", self.augment, AUGMENTS)
        _check_choice("precision", self.precision, PRECISIONS)
        _check_choice("batch split", self.batch_split, BATCH_SPLITS)
        if not _finite(self.label_smoothing) or not 0.0 <= self.label_smoothing < 1.0:
            raise ConfigError(f"label smoothing must be in [0, 1), got {self.label_smoothing!r}")
        self._check_folder_fields()
        if self.target_acc is not None and (not _finite(self.target_acc)
                                            or not 0.0 < self.target_acc <= 1.0):
            raise ConfigError("target accuracy must be a fraction in (0, 1] or a percent "
                              f"such as 95%, got {self.target_acc!r}")
        if not isinstance(self.device, str) or not self.device.strip():
            raise ConfigError("device must be auto, cpu, cuda, cuda:N or mps")
        if self.sweep is not None and (not isinstance(self.sweep, str) or not self.sweep):
            raise ConfigError(f"sweep tag must be a non-empty text, got {self.sweep!r}")
        check_keep(self.keep_checkpoints)

    def _check_folder_fields(self) -> None:
        if not _finite(self.test_fraction) or not 0.0 < self.test_fraction < 1.0:
            raise ConfigError(f"test fraction must be in (0, 1), got {self.test_fraction!r}")
        if self.image_size not in IMAGE_SIZES or isinstance(self.image_size, bool):
            raise ConfigError(f"image size must be 28 or 32, got {self.image_size!r}")
        if self.channels not in CHANNELS or isinstance(self.channels, bool):
            raise ConfigError(f"channels must be 1 (grey) or 3 (RGB), got {self.channels!r}")
        if not isinstance(self.skip_bad, bool):
            raise ConfigError(f"skip bad must be yes or no, got {self.skip_bad!r}")

    @property
    def augmentation(self) -> str:
        """The augmentation actually used: ``auto`` resolved for the dataset."""
        if self.augment != "auto":
            return self.augment
        return "shift-flip" if self.dataset == "cifar10" else "shift"

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["arch"] = self.arch.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        if isinstance(values.get("arch"), dict):
            values["arch"] = ArchSpec.from_dict(values["arch"])
        return cls(**values)
