"""Shared by the inside modules: the error they raise, conv layers of a model, test data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from tui_cnn.core.config import ConfigError, TrainConfig

CHUNK = 256  # test images per forward pass (chunks of 256 were ~4x faster than one batch)


class InsideError(ConfigError):
    """A question the model cannot answer (no conv layer, index out of range); one line."""


def conv_names(model: nn.Module) -> list[str]:
    """Names of the model's Conv2d children, in forward order."""
    return [name for name, module in model.named_children() if isinstance(module, nn.Conv2d)]


def no_conv_message(what: str) -> str:
    return (f"this model is an MLP (no conv layers), so it has no {what}; "
            "saliency, occlusion (`tui-cnn explain`) and the embedding (`tui-cnn embed`) "
            "work for it, and `tui-cnn filters` shows fc1's weights as images")


def conv_layer(model: nn.Module, layer: int) -> str:
    """The name of conv layer ``layer`` (counted from 1); InsideError naming the range."""
    names = conv_names(model)
    if not names:
        raise InsideError(no_conv_message("conv channels to look at"))
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= len(names):
        raise InsideError(f"layer {layer} does not exist: the model has {len(names)} conv "
                          f"layer(s), 1 to {len(names)}")
    return names[layer - 1]


def check_channel(channel: int, channels: int, name: str) -> None:
    if isinstance(channel, bool) or not isinstance(channel, int) or \
            not 0 <= channel < channels:
        raise InsideError(f"channel {channel} does not exist: {name} has {channels} "
                          f"channels, 0 to {channels - 1}")


def check_image(index: int, count: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
        raise InsideError(f"image {index} does not exist: the test set has {count:,} "
                          f"images, 0 to {count - 1}")


def upto_activation(model: nn.Sequential, name: str) -> nn.Sequential:
    """The model from its input to layer ``name``'s ReLU (or, without one, its batch-norm
    or the layer itself): the activation a channel's 'response' means."""
    names = [n for n, _ in model.named_children()]
    end = names.index(name)
    for i in range(end + 1, len(names)):
        module = model[i]
        if isinstance(module, (nn.BatchNorm2d, nn.ReLU)):
            end = i
            if isinstance(module, nn.ReLU):
                break
        else:
            break
    return model[:end + 1]


@dataclass(frozen=True)
class TestImages:
    """The test set as the run saw it: uint8 images, labels, the train set's mean/std."""

    __test__ = False  # not a pytest class

    images: np.ndarray  # (N, C, H, W) uint8
    labels: np.ndarray  # (N,) int64
    mean: tuple[float, ...]  # per channel, [0, 1] units
    std: tuple[float, ...]
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def batch(self, start: int, stop: int) -> torch.Tensor:
        """Images ``start:stop`` normalised as in training: float32 (B, C, H, W)."""
        return normalise(self.images[start:stop], self.mean, self.std)


def normalise(images: np.ndarray, mean: tuple[float, ...],
              std: tuple[float, ...]) -> torch.Tensor:
    """uint8 images as the training loop normalises them (device_data.normalise)."""
    from tui_cnn.core.device_data import normalise as normalise_batch

    x = torch.from_numpy(np.ascontiguousarray(images))
    m = torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1)
    return normalise_batch(x, m, s)


def load_test_images(cfg: TrainConfig) -> TestImages:
    """The run's test split (never downloads: DataError if its files are gone)."""
    from tui_cnn.core.datasets import load_config_arrays, normalisation

    arrays = load_config_arrays(cfg.replace(download=False))
    mean, std = normalisation(arrays)
    return TestImages(np.ascontiguousarray(arrays.x_test), arrays.y_test.astype(np.int64),
                      mean, std, tuple(arrays.info.classes))


def weights_digest(model: nn.Module) -> str:
    """A SHA-1 of the model's weights: a cache made from other weights is not reused."""
    import hashlib

    digest = hashlib.sha1(usedforsecurity=False)
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu").contiguous().numpy().tobytes())
    return digest.hexdigest()
