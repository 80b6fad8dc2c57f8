"""Parse what a user typed into the setup fields. Pure Python; errors are ConfigError.

Each parser checks the value with the core's own validation (ArchSpec, TrainConfig),
so the panel and the training loop agree on what is allowed.
"""

from __future__ import annotations

import math
import re

from tui_cnn.core.config import ArchSpec, ConfigError, TrainConfig

_SEPARATORS = re.compile(r"[,\s]+")


def parse_int(text: str, name: str) -> int:
    """A whole number such as ``64`` or ``1_000``."""
    cleaned = text.strip().replace("_", "")
    try:
        return int(cleaned)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {text.strip()!r}") from None


def parse_float(text: str, name: str) -> float:
    """A finite number such as ``0.001`` or ``1e-3``."""
    try:
        value = float(text.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {text.strip()!r}")
    return value


def parse_int_list(text: str, name: str) -> tuple[int, ...]:
    """Whole numbers separated by commas or spaces: ``32,64``; empty gives ``()``."""
    parts = [part for part in _SEPARATORS.split(text.strip()) if part]
    return tuple(parse_int(part, name) for part in parts)


def conv_channels(text: str) -> tuple[int, ...]:
    """Conv channels per layer; empty means no conv layers (an MLP)."""
    return ArchSpec(conv_channels=parse_int_list(text, "conv channels")).conv_channels


def hidden_units(text: str) -> tuple[int, ...]:
    """Units per fully-connected hidden layer; empty means none."""
    return ArchSpec(hidden=parse_int_list(text, "hidden units")).hidden


def dropout(text: str) -> float:
    return ArchSpec(dropout=parse_float(text, "dropout")).dropout


def epochs(text: str) -> int:
    return TrainConfig(epochs=parse_int(text, "epochs")).epochs


def batch_size(text: str) -> int:
    return TrainConfig(batch_size=parse_int(text, "batch size")).batch_size


def learning_rate(text: str) -> float:
    return TrainConfig(lr=parse_float(text, "learning rate")).lr


def seed(text: str) -> int:
    return TrainConfig(seed=parse_int(text, "seed")).seed


def int_list_text(values: tuple[int, ...]) -> str:
    return ",".join(str(v) for v in values)


def float_text(value: float) -> str:
    return f"{value:g}"
