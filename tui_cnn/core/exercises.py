"""Ready experiments: a fork of a saved run with one setting changed, and the chapter's three
exercises as data (configs and what to look for). Pure Python: no torch, no Textual."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui_cnn.core.catalog import DATASETS
from tui_cnn.core.config import (
    AUGMENTS,
    DOWNSAMPLING,
    OPTIMIZERS,
    PRESETS,
    SCHEDULES,
    ConfigError,
    TrainConfig,
    preset,
)
from tui_cnn.core.layers import layer_table
from tui_cnn.core.parse import read_text

FORK_FIELDS: dict[str, str] = {
    "arch": f"architecture preset: {', '.join(PRESETS)}",
    "arch.downsample": f"after each conv: {', '.join(DOWNSAMPLING)}",
    "arch.conv_channels": "filters per conv layer, e.g. 32,64 (empty: no convs)",
    "arch.kernel_size": "conv kernel size: 1, 3, 5 or 7",
    "arch.hidden": "hidden units of the head, e.g. 128",
    "arch.batch_norm": "batch-norm after each conv: yes or no",
    "arch.dropout": "dropout after each hidden layer, 0 to 0.9",
    "dataset": f"dataset: {', '.join(DATASETS)}",
    "epochs": "epochs, a whole number",
    "batch_size": "images per step, a whole number",
    "lr": "peak learning rate, e.g. 0.004",
    "optimizer": f"optimizer: {', '.join(OPTIMIZERS)}",
    "momentum": "momentum (sgd), 0 to 0.99",
    "weight_decay": "weight decay, 0 to 1",
    "schedule": f"learning-rate schedule: {', '.join(SCHEDULES)}",
    "augment": f"augmentation: {', '.join(AUGMENTS)}",
    "label_smoothing": "label smoothing, 0 to 0.9",
    "train_size": "training images (empty: the whole set)",
}
"""What a fork may change (the seed is never one: a fork keeps the seed and data order)."""



def field_value(cfg: TrainConfig, name: str) -> Any:
    """The value of ``name`` ("lr", "arch.downsample", "arch": the preset's name)."""
    if name == "arch":
        return cfg.arch.name
    if name.startswith("arch."):
        return getattr(cfg.arch, name.removeprefix("arch."))
    return getattr(cfg, name)


def show_value(value: Any) -> str:
    """A value as the fork dialog writes it (and reads it back with :func:`parse_value`)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def parse_value(name: str, text: str) -> Any:
    """``text`` as a value of field ``name`` (through core.parse, the one reader of each
    field's text); ConfigError saying what is expected."""
    if name == "arch":
        return text.strip()
    try:
        return read_text(name.removeprefix("arch."), text)
    except ConfigError:
        raise ConfigError(f"{name}: {text.strip()!r} is not right; expected "
                          f"{FORK_FIELDS[name]}") from None


def fork_config(base: TrainConfig, name: str, value: Any) -> TrainConfig:
    """``base`` with exactly field ``name`` set to ``value``: same seed, same data order,
    never resuming. ConfigError if the value is not valid, is unchanged, or the network
    does not fit the dataset."""
    if name not in FORK_FIELDS:
        raise ConfigError(f"a fork cannot change {name!r}; it can change: {', '.join(FORK_FIELDS)}")
    if value == field_value(base, name):
        raise ConfigError(f"{name} is already {show_value(value)!r}: change it to fork the run")
    if name == "arch":
        cfg = base.replace(arch=preset(str(value)))
    elif name.startswith("arch."):
        cfg = base.replace(arch=dataclasses.replace(base.arch,
                                                    **{name.removeprefix("arch."): value}))
    else:
        cfg = base.replace(**{name: value})
    info = DATASETS[cfg.dataset]
    layer_table(cfg.arch, info.shape, info.num_classes)  # ConfigError if it does not fit
    return cfg.replace(resume_from=None, sweep=None)  # a fork is a run of its own


# ---- the chapter's exercises ---------------------------------------------------------

EXERCISE_EPOCHS = 3
"""Each exercise run trains this many epochs: enough for the curves to say something."""

KEPT = ("device", "data_dir", "runs_dir", "threads", "download", "train_size", "test_size",
        "log_every")
"""What an exercise keeps from the app's setup: where and how much, never what is compared."""


@dataclass(frozen=True)
class Exercise:
    number: int
    title: str
    question: str  # the chapter's question
    look_for: str  # what to look for, in our own words
    configs: tuple[TrainConfig, ...]  # trained one after another

    @property
    def shows_filters(self) -> bool:
        """Ends in the Filters view (exercise 1) rather than a comparison."""
        return len(self.configs) == 1


LOOK_FOR = {
    1: ("Trains the chapter's CNN, then shows its first-layer filters. Each 3x3 filter is "
        "scored against Sobel-like edge templates at eight angles; a correlation |r| above "
        "0.8 counts as edge-like. Look for filters with a bright side and a dark side: they "
        "answer to edges running one way. Expect some blobs and noise too: after a few "
        "epochs not every filter has settled, and the score only knows about edges."),
    2: ("Trains the chapter's CNN twice with the same seed, data order and epochs: with a "
        "2x2 MaxPool after each conv, and with the pooling removed and stride 2 in the convs "
        "instead. The parameters come out equal (a stride moves the filter, it does not "
        "grow it); the multiply-adds drop to about a third because the strided convs only "
        "compute the outputs they keep. Read images/s to see whether that saving shows on "
        "this machine, then the accuracy: pooling keeps the strongest answer in each 2x2 "
        "window, a stride simply skips positions."),
    3: ("Trains the same CNN on grey digits and on colour photos, same seed and epochs. Only "
        "the first conv's input channels (1 or 3) and the head's input (7x7 or 8x8 maps) "
        "follow the data, so the parameters grow a little. Expect a wide accuracy gap: "
        "digits are centred strokes on a blank page; CIFAR-10 objects vary in pose, colour, "
        "size and background. Offline, the built-in synthetic digits and shapes stand in: "
        "they show grey against colour input, not the real sets' gap."),
}

STAND_IN_NOTE = (
    "Trains the same CNN on grey digits and on colour images, same seed and epochs. "
    "MNIST or CIFAR-10 is not on disk, so the built-in sets stand in: synthetic digits "
    "and ten coloured shapes on noisy backgrounds, not photos. They show what grey against "
    "colour input changes in the network (the first conv's input channels, 7x7 or 8x8 maps "
    "into the head), not the real sets' accuracy gap. Put the files in --data-dir "
    "for the chapter's comparison.")

QUESTIONS = {
    1: "Visualize the learned filters from layer 1. Do they look like edge detectors?",
    2: "Remove the MaxPool layers and use stride=2 in the Conv layers instead. Compare.",
    3: "Train on CIFAR-10 (color images, 10 classes). How does accuracy compare?",
}

TITLES = {1: "Layer-1 filters after training", 2: "MaxPool vs stride 2",
          3: "MNIST vs CIFAR-10, same CNN"}


def _real_or_builtin(name: str, builtin: str, present: Callable[[str], bool]) -> str:
    return name if present(name) else builtin


def _on_disk(data_dir: str | None) -> Callable[[str], bool]:
    from tui_cnn.core.datasets import availability

    return lambda name: availability(name, data_dir) == "present"


def exercises(env: TrainConfig,
              present: Callable[[str], bool] | None = None) -> tuple[Exercise, ...]:
    """The three exercises, with the device, folders and sizes of ``env``. Real MNIST and
    CIFAR-10 where ``present(name)`` says they are on disk, the built-in sets otherwise."""
    present = present or _on_disk(env.data_dir)
    base = TrainConfig(**{name: getattr(env, name) for name in KEPT}, epochs=EXERCISE_EPOCHS)
    digits = _real_or_builtin("mnist", "synth-digits", present)
    photos = _real_or_builtin("cifar10", "synth-shapes", present)
    cnn = base.replace(arch=PRESETS["cnn"], dataset=digits)
    runs = {1: (cnn,), 2: (cnn, cnn.replace(arch=PRESETS["cnn-stride2"])),
            3: (cnn, cnn.replace(dataset=photos))}
    titles, look_for = dict(TITLES), dict(LOOK_FOR)
    if (digits, photos) != ("mnist", "cifar10"):  # say what stands in for what
        titles[3] = (f"{'MNIST' if digits == 'mnist' else 'built-in digits'} vs "
                     f"{'CIFAR-10' if photos == 'cifar10' else 'built-in colour shapes'}"
                     " (stand-ins for the sets not on disk)")
        look_for[3] = STAND_IN_NOTE
    return tuple(Exercise(n, titles[n], QUESTIONS[n], look_for[n], runs[n]) for n in (1, 2, 3))
