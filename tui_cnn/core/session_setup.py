"""What a Session needs before its run folder opens: the batch size checked against the
training set, the CUDA fast paths switched on, and the model built on its device.

core.session's ``Session.create`` calls these in order; nothing here touches a run folder.
"""

from __future__ import annotations

import torch
from torch import nn

from tui_cnn.core.catalog import DatasetInfo
from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.layers import LayerTable
from tui_cnn.core.models import build_with_table


def check_batch_size(batch_size: int, n_train: int) -> None:
    """ConfigError when a batch would be larger than the training set."""
    if batch_size > n_train:
        raise ConfigError(f"batch size {batch_size:,} is larger than the "
                          f"{n_train:,} training images; use at most {n_train:,}")


def enable_cuda_fast_paths(device: torch.device) -> None:
    """TF32 matmuls and convolutions, and cuDNN's autotuner, on a CUDA device."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True


def model_on_device(cfg: TrainConfig, info: DatasetInfo,
                    device: torch.device) -> tuple[nn.Module, LayerTable, bool]:
    """``cfg``'s model for ``info``'s images on ``device``, its layer table, and whether it
    runs channels_last (a conv net on the CPU or CUDA)."""
    model, table = build_with_table(cfg.arch, info.shape, info.num_classes)
    channels_last = not cfg.arch.is_mlp and device.type in ("cpu", "cuda")
    model = model.to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model, table, channels_last
