"""The setup fields' parsers: each one is core's parser for that config field.

Errors are ConfigError with the message the field shows; the panel, the CLI and the
exercises share one parser per field (``tui_cnn.core.parse``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from tui_cnn.core.parse import float_text, int_list_text, parse_field

__all__ = ["batch_size", "conv_channels", "dropout", "epochs", "float_text", "hidden_units",
           "int_list_text", "learning_rate", "seed"]


def _field(name: str) -> Callable[[str], Any]:
    return partial(parse_field, name)


conv_channels = _field("conv_channels")
hidden_units = _field("hidden")
dropout = _field("dropout")
epochs = _field("epochs")
batch_size = _field("batch_size")
learning_rate = _field("lr")
seed = _field("seed")
