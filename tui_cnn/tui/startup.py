"""The app's first config from the command line's choices, with the offline default."""

from __future__ import annotations

from typing import Any

from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.datasets import availability

MNIST_MISSING = ("MNIST isn't downloaded, so the built-in synth-digits dataset is selected. "
                 "Choose MNIST under Dataset to download it when you start.")


def initial_config(*, arch: str | None, dataset: str | None, epochs: int | None,
                   device: str | None, data_dir: str | None,
                   runs_dir: str | None) -> tuple[TrainConfig, list[str]]:
    """The config to open with, and notices to show once the app is up.

    No dataset given: MNIST if it is downloaded, otherwise synth-digits (and a notice).
    ConfigError for a choice that is not valid.
    """
    notices: list[str] = []
    if dataset is None:
        dataset = "mnist" if availability("mnist", data_dir) == "present" else "synth-digits"
        if dataset != "mnist":
            notices.append(MNIST_MISSING)
    changes: dict[str, Any] = {"dataset": dataset, "data_dir": data_dir, "runs_dir": runs_dir}
    if arch is not None:
        changes["arch"] = preset(arch)
    if epochs is not None:
        changes["epochs"] = epochs
    if device is not None:
        changes["device"] = device
    return TrainConfig(**changes), notices
