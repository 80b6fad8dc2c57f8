"""Text -> value for every configuration field, or a ConfigError saying why not.

One parser per field, used by every face: argparse (``type=``), the app's setup fields,
the exercises and sweep grids (``--grid arch=cnn,cnn-stride2``). Each parser checks the
value with the config's own validation (``ArchSpec``, ``TrainConfig``), so every face
agrees on what is allowed. Pure Python: no torch.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from typing import Any

from tui_cnn.core.config import ArchSpec, ConfigError, TrainConfig, preset

_SEPARATORS = re.compile(r"[,\s]+")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


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


def parse_bool(text: str, name: str) -> bool:
    cleaned = text.strip().lower()
    if cleaned in _TRUE:
        return True
    if cleaned in _FALSE:
        return False
    raise ConfigError(f"{name} must be yes or no, got {text.strip()!r}")


def _label(name: str) -> str:
    return {"lr": "learning rate", "arch": "architecture",
            "target_acc": "target accuracy"}.get(name, name.replace("_", " "))


def _train_check(name: str, value: Any) -> Any:
    """``value`` for TrainConfig field ``name`` after the config's own validation."""
    return getattr(TrainConfig().replace(**{name: value}), name)


def _arch_check(name: str, value: Any) -> Any:
    return getattr(ArchSpec(**{name: value}), name)


def _text(text: str, name: str) -> str:
    return text.strip()


def _optional_int(text: str, name: str) -> int | None:
    return None if text.strip().lower() in ("", "auto", "none", "all") else parse_int(text, name)


def parse_target(text: str, name: str) -> float | None:
    """A target accuracy: ``95%``, ``95`` (above 1: percent) or ``0.95``; empty: none."""
    cleaned = text.strip()
    if cleaned.lower() in ("", "none", "off"):
        return None
    value = parse_float(cleaned.rstrip("%"), name)
    return value / 100.0 if cleaned.endswith("%") or value > 1.0 else value


_TRAIN_READERS: dict[str, Callable[[str, str], Any]] = {
    "epochs": parse_int, "batch_size": parse_int, "seed": parse_int, "log_every": parse_int,
    "threads": _optional_int, "train_size": _optional_int, "test_size": _optional_int,
    "lr": parse_float, "momentum": parse_float, "weight_decay": parse_float,
    "label_smoothing": parse_float,
    "dataset": _text, "optimizer": _text, "schedule": _text, "augment": _text,
    "precision": _text, "batch_split": _text, "device": _text, "data_dir": _text, "runs_dir": _text,
    "download": parse_bool, "keep_checkpoints": _text,
    "test_fraction": parse_float, "image_size": parse_int, "channels": parse_int,
    "skip_bad": parse_bool, "target_acc": parse_target,
}
_ARCH_READERS: dict[str, Callable[[str, str], Any]] = {
    "conv_channels": parse_int_list, "hidden": parse_int_list, "kernel_size": parse_int,
    "downsample": _text, "batch_norm": parse_bool, "dropout": parse_float,
}
ARCH_FIELDS = tuple(_ARCH_READERS)
FIELDS = ("arch", *_TRAIN_READERS, *ARCH_FIELDS)


def canonical(name: str) -> str:
    """``batch-size`` and ``batch_size`` both name the field ``batch_size``."""
    return name.strip().replace("-", "_")


def read_text(name: str, text: str) -> Any:
    """``text`` as field ``name``'s type (a number, a list, yes/no), not yet validated: the
    config checks the value when it is applied (``parse_field`` does both)."""
    key = canonical(name)
    readers = {**_TRAIN_READERS, **_ARCH_READERS}
    if key not in readers:
        raise ConfigError(f"unknown field {name!r}; choose one of: {', '.join(FIELDS)}")
    return readers[key](text, _label(key))


def parse_field(name: str, text: str) -> Any:
    """The value ``text`` gives config field ``name`` (a TrainConfig or ArchSpec field).

    ``arch`` takes a preset name and gives its ArchSpec. ConfigError names the field and
    the value when either is wrong.
    """
    key = canonical(name)
    if key == "arch":
        return preset(text.strip())
    if key in _TRAIN_READERS:
        return _train_check(key, _TRAIN_READERS[key](text, _label(key)))
    if key in _ARCH_READERS:
        return _arch_check(key, _ARCH_READERS[key](text, _label(key)))
    raise ConfigError(f"unknown field {name!r}; choose one of: {', '.join(FIELDS)}")


def with_field(cfg: TrainConfig, name: str, value: Any) -> TrainConfig:
    """``cfg`` with one field changed; an ArchSpec field changes the architecture."""
    key = canonical(name)
    if key in _ARCH_READERS:
        return cfg.replace(arch=dataclasses.replace(cfg.arch, **{key: value}, name="custom"))
    return cfg.replace(**{key: value})


def argparse_type(name: str) -> Callable[[str], Any]:
    """An argparse ``type=`` that reads field ``name`` and reports errors argparse's way."""
    import argparse

    def read(text: str) -> Any:
        try:
            return _TRAIN_READERS[name](text, _label(name))
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    read.__name__ = _label(name)
    return read


def int_list_text(values: tuple[int, ...]) -> str:
    return ",".join(str(v) for v in values)


def float_text(value: float) -> str:
    return f"{value:g}"


def field_text(name: str, value: Any) -> str:
    """The text a value is shown and edited as (the inverse of ``parse_field``)."""
    if isinstance(value, ArchSpec):
        return value.name
    if isinstance(value, tuple):
        return int_list_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return float_text(value)
    return "" if value is None else str(value)
