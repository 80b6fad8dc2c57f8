"""What excites a channel: the test images that activate it most, cropped to its view.

For one conv layer (its output after the ReLU), every channel's top K test images by the
channel's largest activation anywhere in the image, the (y, x) of that maximum, the input
window the unit there sees (its receptive field; clipped at the border, the tile padded
with 0) and the value. One pass over the test set in chunks under ``inference_mode``,
keeping a running top K per channel (``torch.topk`` over the chunk's per-image maxima
merged with the best so far). Cached per run, layer and epoch in ``inside/``.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tui_cnn.core.inside.common import (
    TestImages,
    check_channel,
    conv_layer,
    upto_activation,
    weights_digest,
)
from tui_cnn.core.inside.geometry import Geometry, crop, crop_window, unit_geometry
from tui_cnn.core.inside.orientation import METHOD, orientation, summary_line
from tui_cnn.core.layers import LayerTable

Progress = Callable[[int, int], None]  # (images done, images in all)
# Images per forward pass: measured on the chapter's CNN on one core (benchmarks/inside.py),
# chunks of 64 were 2.7x faster than chunks of 256 (whose activations leave the cache).
PATCH_CHUNK = 64
CACHE_VERSION = 1
_ARRAYS = ("values", "images", "labels", "ys", "xs", "tiles", "inside", "angles",
           "coherence", "kinds")


@dataclass(frozen=True)
class TopPatches:
    """Top-K patches of every channel of one conv layer (C channels, K patches each)."""

    layer: int  # conv layer counted from 1
    name: str  # module name, e.g. "conv2"
    epoch: int
    k: int
    geometry: Geometry
    values: np.ndarray  # (C, K) float32: the channel's max activation in that image
    images: np.ndarray  # (C, K) int64: test-set index
    labels: np.ndarray  # (C, K) int64: the image's true class
    ys: np.ndarray  # (C, K) int64: row of the max in the layer's output map
    xs: np.ndarray  # (C, K) int64
    tiles: np.ndarray  # (C, K, C_in, rf, rf) uint8: the input window, padded with 0
    inside: np.ndarray  # (C, K, 4) int64: (row0, row1, col0, col1) of the tile in the image
    angles: np.ndarray  # (C,) float64: dominant gradient orientation, degrees in [0, 180)
    coherence: np.ndarray  # (C,) float64: 1 = one orientation; nan = flat
    kinds: np.ndarray  # (C,) str: edge, corner or flat
    summary: str

    @property
    def channels(self) -> int:
        return int(self.values.shape[0])

    def check(self, channel: int) -> None:
        check_channel(channel, self.channels, self.name)


@torch.inference_mode()
def running_top_k(model: nn.Sequential, name: str, test: TestImages, k: int,
                  chunk: int = PATCH_CHUNK, progress: Progress | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
    """(values, image indices, flat positions), each (K, C) best first, and the map width.

    Per chunk: each image's per-channel maximum (``amax``), merged with the best so far by
    ``topk``; the position of the maximum is found only for the (image, channel) pairs that
    enter the top K (``argmax`` of those maps: the first maximum)."""
    head = upto_activation(model, name)
    was_training = model.training
    model.eval()
    best_v = best_i = best_p = torch.empty(0)
    width, n = 0, len(test)
    try:
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            act = head(test.batch(start, stop))  # (B, C, H, W)
            width = int(act.shape[-1])
            kept = len(best_v)
            values = torch.cat([best_v, act.amax(dim=(2, 3))]) if kept else act.amax(dim=(2, 3))
            index = torch.arange(start, stop).view(-1, 1).expand(-1, act.shape[1])
            index = torch.cat([best_i, index]) if kept else index
            best_v, order = values.topk(min(k, values.shape[0]), dim=0)
            best_i = index.gather(0, order)
            best_p = _positions(act, order, kept, best_p)
            if progress is not None:
                progress(stop, n)
    finally:
        model.train(was_training)
    return best_v, best_i, best_p, width


def _positions(act: torch.Tensor, order: torch.Tensor, kept: int,
               previous: torch.Tensor) -> torch.Tensor:
    """Flat positions of the maxima for the new top K: the kept ones carried over, the
    newcomers (``order >= kept``: rows of this chunk) found in ``act``."""
    new = order >= kept
    positions = torch.zeros_like(order)
    if kept:
        carried = previous.gather(0, order.clamp(max=kept - 1))
        positions = torch.where(new, positions, carried)
    rows = (order - kept)[new]
    channels = torch.arange(order.shape[1]).expand_as(order)[new]
    positions[new] = act[rows, channels].flatten(1).argmax(dim=1)
    return positions


def top_patches(model: nn.Sequential, table: LayerTable, test: TestImages, layer: int, *,
                k: int = 9, epoch: int = 0, chunk: int = PATCH_CHUNK,
                progress: Progress | None = None) -> TopPatches:
    """Every channel's top-``k`` test patches for conv layer ``layer`` (from 1)."""
    name = conv_layer(model, layer)
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number >= 1, got {k!r}")
    if len(test) == 0:
        raise ValueError("the test set is empty")
    geometry = unit_geometry(table, name)
    values, index, flat, width = running_top_k(model, name, test, k, chunk, progress)
    values_np, index_np = values.T.numpy().astype(np.float32), index.T.numpy().astype(np.int64)
    ys, xs = (flat.T.numpy() // width).astype(np.int64), (flat.T.numpy() % width).astype(np.int64)
    c, kk = values_np.shape
    tiles = np.zeros((c, kk, test.images.shape[1], geometry.rf, geometry.rf), np.uint8)
    inside = np.zeros((c, kk, 4), np.int64)
    for ch in range(c):
        for j in range(kk):
            top, left = crop_window(int(ys[ch, j]), int(xs[ch, j]), geometry)
            tiles[ch, j], inside[ch, j] = crop(test.images[index_np[ch, j]], top, left,
                                               geometry.rf)
    found = [orientation([_inner(tiles[ch, j], inside[ch, j]) for j in range(kk)])
             for ch in range(c)]
    kinds = [o.kind for o in found]
    return TopPatches(layer, name, epoch, kk, geometry, values_np, index_np,
                      test.labels[index_np], ys, xs, tiles, inside,
                      np.array([o.angle for o in found]), np.array([o.coherence for o in found]),
                      np.array(kinds), summary_line(name, kinds, kk))


def _inner(tile: np.ndarray, inside: np.ndarray) -> np.ndarray:
    r0, r1, c0, c1 = (int(v) for v in inside)
    return tile[:, r0:r1, c0:c1]


# ---- cache --------------------------------------------------------------------------------


def cache_path(run_dir: Path, layer: int, epoch: int) -> Path:
    return Path(run_dir) / "inside" / f"patches-layer{layer}-epoch{epoch}.npz"


def _meta(layer: int, epoch: int, k: int, n: int, digest: str) -> dict[str, object]:
    return {"version": CACHE_VERSION, "method": METHOD, "layer": layer, "epoch": epoch, "k": k,
            "test_size": n, "weights": digest}


def write_cache(path: Path, result: TopPatches, expected: dict[str, object]) -> None:
    from tui_cnn.core.atomic import atomic_write_bytes

    meta = {**expected, "name": result.name,
            "geometry": [result.geometry.rf, result.geometry.jump, result.geometry.start],
            "summary": result.summary}
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta)),
             **{key: getattr(result, key) for key in _ARRAYS})
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buffer.getvalue())


def read_cache(path: Path, expected: dict[str, object]) -> TopPatches | None:
    """The cached result if the file is whole and was made for ``expected``; else None."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
            arrays = {key: npz[key] for key in _ARRAYS}
        if any(meta.get(key) != value for key, value in expected.items()):
            return None
        rf, jump, start = (int(v) for v in meta["geometry"])
        result = TopPatches(int(meta["layer"]), str(meta["name"]), int(meta["epoch"]),
                            int(arrays["values"].shape[1]), Geometry(rf, jump, start),
                            summary=str(meta["summary"]), **arrays)
    except Exception:  # missing, torn, damaged or from another version: rebuilt
        return None
    c, k = result.values.shape
    shapes_ok = (k == result.k and all(getattr(result, key).shape[:2] == (c, k) for key in
                                       ("images", "labels", "ys", "xs", "tiles", "inside"))
                 and result.tiles.shape[-1] == rf and len(result.kinds) == c)
    return result if shapes_ok else None


def cached_top_patches(run_dir: Path, model: nn.Sequential, table: LayerTable,
                       test: TestImages, layer: int, *, epoch: int, k: int = 9,
                       progress: Progress | None = None) -> tuple[TopPatches, bool]:
    """(result, True if it came from the cache); a missing or damaged cache is rebuilt."""
    conv_layer(model, layer)
    path = cache_path(run_dir, layer, epoch)
    digest = weights_digest(model)
    expected = _meta(layer, epoch, k, len(test), digest)
    cached = read_cache(path, expected)
    if cached is not None:
        return cached, True
    result = top_patches(model, table, test, layer, k=k, epoch=epoch, progress=progress)
    with contextlib.suppress(OSError):  # a read-only run folder: right, only not kept
        write_cache(path, result, expected)
    return result, False
