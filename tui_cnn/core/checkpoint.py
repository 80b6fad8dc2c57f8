"""A saved run's model, rebuilt on the CPU from its config and its ``model.pt``.

Every problem with the files (missing, unreadable, not this architecture) raises
RunStoreError naming the file, so the command line can print one line and exit 2.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from tui_cnn.core.catalog import DatasetInfo, recorded_info
from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.layers import LayerTable
from tui_cnn.core.models import build_with_table, first_layer_name
from tui_cnn.core.runfiles import TORCH_LIMIT, read_regular
from tui_cnn.core.runs import RunStoreError, missing_checkpoint, read_config, read_json, read_jsonl


class LoadedRun(NamedTuple):
    """What ``load_run_model`` gives back (unpacks as a 4-tuple)."""

    model: nn.Sequential
    config: TrainConfig
    table: LayerTable
    epochs: list[dict[str, Any]]


def run_dataset(run_dir: Path) -> DatasetInfo:
    """The dataset a saved run trained on, with its own classes and shape (a folder run's
    come from its config.json); RunStoreError naming the file otherwise."""
    path = Path(run_dir) / "config.json"
    read_config(run_dir)  # the whole file checked first: RunFileError naming what is wrong
    try:
        return recorded_info(read_json(path, []))
    except ValueError as exc:
        raise RunStoreError(f"{path}: {exc}") from None


def load_saved_dict(path: Path, missing: str | None = None) -> dict[str, Any]:
    """A dict saved with torch.save, loaded with ``weights_only=True`` onto the CPU from a
    regular file of bounded size; RunStoreError naming the file (``missing`` says what its
    absence means; by default worked out from the run's epochs)."""
    try:
        raw = read_regular(path, TORCH_LIMIT)
    except FileNotFoundError:
        raise RunStoreError(f"{path} is missing: "
                            f"{missing or missing_checkpoint(path.parent)}") from None
    try:
        loaded = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a damaged file
        raise RunStoreError(f"{path} cannot be read ({type(exc).__name__}); "
                            "the checkpoint is damaged") from None
    if not isinstance(loaded, dict):
        raise RunStoreError(f"{path} does not hold a dict")
    return loaded


def load_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """A plain state dict from ``path``, loaded with ``weights_only=True`` onto the CPU."""
    loaded = load_saved_dict(path)
    if not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in loaded.items()):
        raise RunStoreError(f"{path} does not hold a plain state dict of tensors")
    return loaded


def load_problem(exc: BaseException) -> str:
    """The useful part of a load_state_dict error: torch's first line only says "Error(s)
    in loading state_dict for Sequential:"; the next one says which keys or shapes."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    detail = lines[1] if len(lines) > 1 and lines[0].startswith("Error(s) in loading") \
        else (lines[0] if lines else type(exc).__name__)
    return detail if len(detail) <= 240 else detail[:237] + "..."


def built_model(cfg: TrainConfig, info: DatasetInfo,
                path: Path) -> tuple[nn.Sequential, LayerTable]:
    """The run's architecture, checked (shapes, parameter limit) before it is allocated."""
    try:
        return build_with_table(cfg.arch, info.shape, info.num_classes)
    except ConfigError as exc:
        raise RunStoreError(f"{path}: {exc}") from None


def load_run_model(run_dir: str | Path) -> LoadedRun:
    """The run's model (eval mode, CPU), its config, layer table and recorded epochs."""
    run_dir = Path(run_dir)
    cfg = read_config(run_dir)
    info = run_dataset(run_dir)
    model, table = built_model(cfg, info, run_dir / "config.json")
    path = run_dir / "model.pt"
    weights = load_state_dict(path)
    try:
        model.load_state_dict(weights, strict=True)
    except (RuntimeError, ValueError) as exc:
        raise RunStoreError(f"{path} does not fit the run's architecture "
                            f"({cfg.arch.name}): {load_problem(exc)}") from None
    model.eval()
    epochs = read_jsonl(run_dir / "epochs.jsonl", [])
    return LoadedRun(model, cfg, table, epochs)


def _weights(module: nn.Module) -> np.ndarray:
    weight = module.weight
    assert isinstance(weight, torch.Tensor)
    return weight.detach().to("cpu", torch.float32).numpy().copy()


def first_layer_weights(model: nn.Sequential,
                        input_shape: tuple[int, int, int]) -> np.ndarray:
    """Layer-1 weights as images: (out, in, k, k) for a conv; for an MLP, fc1's
    (units, C*H*W) reshaped to (units, C, H, W), one input-shaped template per unit."""
    weight = _weights(getattr(model, first_layer_name(model)))
    if weight.ndim == 2:
        return weight.reshape(weight.shape[0], *input_shape)
    return weight


def conv_names(model: nn.Sequential) -> list[str]:
    """Names of the model's conv layers in order (conv1, conv2, ...)."""
    return [name for name, module in model.named_children() if isinstance(module, nn.Conv2d)]


def layer_weights(model: nn.Sequential, layer: int,
                  input_shape: tuple[int, int, int]) -> tuple[str, np.ndarray]:
    """(name, weights) of layer ``layer`` counted from 1: a conv's (out, in, k, k), or,
    for an MLP, layer 1 only (see ``first_layer_weights``). ValueError if out of range."""
    convs = conv_names(model)
    if not convs:
        if layer != 1:
            raise ValueError("an MLP has image-shaped weights in layer 1 only (fc1)")
        return first_layer_name(model), first_layer_weights(model, input_shape)
    if not 1 <= layer <= len(convs):
        raise ValueError(f"layer {layer} does not exist: the model has {len(convs)} conv "
                         f"layer(s), 1 to {len(convs)}")
    name = convs[layer - 1]
    return name, _weights(getattr(model, name))
