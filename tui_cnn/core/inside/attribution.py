"""Where the model looks in one image, with Captum: saliency, occlusion and Grad-CAM.

Each map is (H, W) and normalised for display: saliency and Grad-CAM to [0, 1] (divided by
their largest value), occlusion to [-1, 1] (divided by its largest |value|; positive =
hiding the patch lowers the class's score). ``scale`` keeps what the map was divided by.
Runs with autograd (Captum needs gradients), on the model's device, in eval mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from captum.attr import LayerAttribution, LayerGradCam, Occlusion, Saliency
from torch import nn

from tui_cnn.core.inside.common import InsideError, conv_names

METHODS = ("saliency", "occlusion", "gradcam")


@dataclass(frozen=True)
class AttributionMap:
    method: str
    target: int  # the class explained
    values: np.ndarray  # (H, W) float32, normalised for display (see the module docstring)
    signed: bool  # True: values in [-1, 1] (draw diverging); False: [0, 1]
    scale: float  # the largest |raw value|, which the map was divided by (0: all zero)


def occlusion_window(height: int) -> tuple[int, int]:
    """(window, stride) of the occluding square: about 1/7 of the image, half-overlapping
    (4 and 2 on 28x28 and 32x32 images)."""
    window = max(2, round(height / 7))
    return window, max(1, window // 2)


def gradcam_layer(model: nn.Sequential) -> nn.Module:
    """The last conv layer's activation (its ReLU when one follows, else the conv)."""
    names = conv_names(model)
    if not names:
        raise InsideError("Grad-CAM needs a conv layer and this model is an MLP (no conv "
                          "layers); saliency and occlusion work for it")
    children = list(model.named_children())
    at = [n for n, _ in children].index(names[-1])
    for _name, module in children[at + 1:]:
        if isinstance(module, nn.ReLU):
            return module
        if not isinstance(module, nn.BatchNorm2d):
            break
    return getattr(model, names[-1])


def _raw(model: nn.Sequential, x: torch.Tensor, target: int, method: str,
         window: int | None, stride: int | None) -> torch.Tensor:
    """The unnormalised (H, W) map."""
    if method == "saliency":
        grads = Saliency(model).attribute(x, target=target, abs=True)
        return grads[0].amax(dim=0)
    if method == "occlusion":
        c, h, _ = x.shape[1:]
        default_window, default_stride = occlusion_window(h)
        w, s = window or default_window, stride or default_stride
        attr = Occlusion(model).attribute(x, sliding_window_shapes=(c, w, w),
                                          strides=(c, s, s), baselines=0.0, target=target,
                                          perturbations_per_eval=256)
        return attr[0].sum(dim=0)
    if method == "gradcam":
        cam = LayerGradCam(model, gradcam_layer(model)).attribute(
            x, target=target, relu_attributions=True)
        up = LayerAttribution.interpolate(cam, tuple(x.shape[2:]), interpolate_mode="bilinear")
        return up[0, 0]
    raise InsideError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")


def attribute(model: nn.Sequential, x: torch.Tensor, target: int, method: str, *,
              window: int | None = None, stride: int | None = None) -> AttributionMap:
    """Method ``method``'s map for class ``target`` of one normalised image (1, C, H, W)."""
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"expected one image of shape (1, C, H, W), got {tuple(x.shape)}")
    if method not in METHODS:
        raise InsideError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    was_training = model.training
    model.eval()
    try:
        raw = _raw(model, x.detach().clone().requires_grad_(), int(target), method, window, stride)
    finally:
        model.train(was_training)
    values = raw.detach().to("cpu", torch.float64).numpy()
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    scale = float(np.abs(values).max()) if values.size else 0.0
    normed = values / scale if scale > 0 else np.zeros_like(values)
    return AttributionMap(method, int(target), normed.astype(np.float32),
                          method == "occlusion", scale)


@dataclass(frozen=True)
class Explanation:
    """One image explained for its predicted and its true class."""

    method: str
    label: int
    predicted: int
    probabilities: np.ndarray  # (classes,) softmax
    for_predicted: AttributionMap
    for_label: AttributionMap  # the same object when the prediction is right


def explain(model: nn.Sequential, x: torch.Tensor, label: int, method: str) -> Explanation:
    """``method``'s maps for the predicted and the true class of image ``x`` (1, C, H, W)."""
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        probs = torch.softmax(model(x).float(), dim=1)[0].cpu().numpy().astype(np.float64)
    model.train(was_training)
    predicted = int(np.argmax(probs))
    first = attribute(model, x, predicted, method)
    second = first if predicted == int(label) else attribute(model, x, int(label), method)
    return Explanation(method, int(label), predicted, probs, first, second)
