"""Looking inside: top patches in one pass vs a per-image loop, attribution per image,
and the cost of layer statistics at report time. Prints ratios; nothing here is a test.

    python -m benchmarks.inside [--test-size 10000] [--threads 1] [--json PATH]

1. Top patches for every channel of the chapter's CNN (``cnn``: conv1 32 channels, conv2
   64) over the synth-digits test set: ``core.inside.patches.top_patches`` (one pass per
   layer, chunks of 256, running top-9) against a naive loop (one image per forward,
   per-channel max, a heap per channel, the same crops). The weights are the initial ones
   (the cost does not depend on what was learned); both give the same top-9 values.
2. Saliency, Grad-CAM and occlusion on one image (Captum): median ms over 50 images.
Sections 1 and 2 time CPU seconds of the one thread that works (``time.thread_time``):
on the shared 2-core machine wall times of the same call varied 2-5x with other load.
3. Layer statistics: a training loop like the session's (preloaded tensors, batch 32,
   fused Adam, report every 20 steps) with and without ``LayerStats.measure()`` at each
   report; runs alternate, 5 each, medians of images/s.
"""

from __future__ import annotations

import argparse
import heapq
import json
import statistics
import subprocess
import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.machine import info
from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import preset
from tui_cnn.core.inside.attribution import attribute
from tui_cnn.core.inside.common import TestImages, upto_activation
from tui_cnn.core.inside.geometry import crop, crop_window, unit_geometry
from tui_cnn.core.inside.layer_stats import LayerStats
from tui_cnn.core.inside.patches import running_top_k, top_patches
from tui_cnn.core.layers import LayerTable
from tui_cnn.core.models import build_with_table


def cpu_features() -> dict[str, bool]:
    try:
        flags = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        flags = ""
    words = set(flags.replace("\n", " ").split())
    return {"avx2": "avx2" in words, "avx512f": "avx512f" in words,
            "avx512_bf16": "avx512_bf16" in words, "amx_bf16": "amx_bf16" in words}


def test_images(n: int) -> TestImages:
    from tui_cnn.core.datasets import load_arrays, normalisation

    arrays = load_arrays("synth-digits", train_size=2000, test_size=n, seed=0)
    mean, std = normalisation(arrays)
    return TestImages(arrays.x_test, arrays.y_test, mean, std, arrays.info.classes)


@torch.inference_mode()
def naive_top_patches(model: torch.nn.Sequential, table: LayerTable, test: TestImages,
                      name: str, k: int = 9) -> np.ndarray:
    """One image per forward, a heap per channel; returns the (C, k) values, best first,
    and the crops of the winners (as the one-pass version makes them)."""
    head = upto_activation(model, name)
    geometry = unit_geometry(table, name)
    width = 0
    heaps: list[list[tuple[float, int, int]]] = []
    for i in range(len(test)):
        act = head(test.batch(i, i + 1))[0]  # (C, H, W)
        width = act.shape[-1]
        values, where = act.flatten(1).max(dim=1)
        if not heaps:
            heaps = [[] for _ in range(act.shape[0])]
        for ch, (v, p) in enumerate(zip(values.tolist(), where.tolist(), strict=True)):
            item = (v, -i, p)
            if len(heaps[ch]) < k:
                heapq.heappush(heaps[ch], item)
            elif item > heaps[ch][0]:
                heapq.heapreplace(heaps[ch], item)
    for ch_heap in heaps:  # the same crops as the one-pass version
        for _v, neg_i, p in ch_heap:
            top, left = crop_window(p // width, p % width, geometry)
            crop(test.images[-neg_i], top, left, geometry.rf)
    return np.array([[v for v, _, _ in sorted(h, reverse=True)] for h in heaps])


def section_patches(model: torch.nn.Sequential, table: LayerTable,
                    test: TestImages) -> dict[str, Any]:
    """Per layer: the whole top_patches (pass + crops + orientation summary), its pass
    alone, and the naive loop (per-image pass + crops); best of 2 each, alternating."""
    rows: dict[str, Any] = {}
    running_top_k(model, "conv1", test, 9)  # warm-up
    clock = time.thread_time  # CPU seconds of this thread: all the work with one thread,
    # and not inflated when other processes take the CPU away (wall time was, 2x, here)
    for layer, name in ((1, "conv1"), (2, "conv2")):
        whole, one_pass, naive = [], [], []
        for _ in range(2):
            started = clock()
            fast = top_patches(model, table, test, layer)
            whole.append(clock() - started)
            started = clock()
            running_top_k(model, name, test, 9)
            one_pass.append(clock() - started)
            started = clock()
            slow = naive_top_patches(model, table, test, name)
            naive.append(clock() - started)
        assert np.allclose(fast.values, slow, rtol=1e-4, atol=1e-5), name
        rows[name] = {"channels": fast.channels, "top_patches_s": min(whole),
                      "one_pass_s": min(one_pass), "naive_s": min(naive),
                      "ratio": min(naive) / min(one_pass),
                      "ratio_whole": min(naive) / min(whole), "summary": fast.summary}
    return rows


def section_attribution(model: torch.nn.Sequential, test: TestImages) -> dict[str, float]:
    out: dict[str, float] = {}
    for method in ("saliency", "gradcam", "occlusion"):
        attribute(model, test.batch(0, 1), 0, method)  # warm-up
        times = []
        for i in range(50):
            x = test.batch(i, i + 1)
            started = time.thread_time()
            attribute(model, x, int(test.labels[i]), method)
            times.append(time.thread_time() - started)
        out[f"{method}_ms"] = 1000 * statistics.median(times)
    return out


def _train_rate(test: TestImages, steps: int, measure: bool,
                every: int = 20) -> tuple[float, float]:
    """(images per wall second, images per CPU second of this thread)."""
    torch.manual_seed(0)
    info_ = dataset_info("synth-digits")
    model, _ = build_with_table(preset("cnn"), info_.shape, info_.num_classes)
    model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    stats = LayerStats(model)
    x_all = test.batch(0, len(test)).contiguous(memory_format=torch.channels_last)
    y_all = torch.from_numpy(test.labels)
    loss_sum = torch.zeros(())
    started, cpu_started = time.perf_counter(), time.thread_time()
    for step in range(1, steps + 1):
        index = torch.randint(0, len(test), (32,))
        logits = model(x_all[index])
        loss = F.cross_entropy(logits, y_all[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss_sum += loss.detach()
        if step % every == 0:
            float(loss_sum.item())  # the report's own sync
            if measure:
                stats.measure()
    return (32 * steps / (time.perf_counter() - started),
            32 * steps / (time.thread_time() - cpu_started))


def section_layer_stats(test: TestImages, steps: int = 600) -> dict[str, float]:
    plain, measured = [], []
    for _ in range(5):
        plain.append(_train_rate(test, steps, False))
        measured.append(_train_rate(test, steps, True))
    direct = _measure_cost(test)
    a, b = (statistics.median(r[0] for r in runs) for runs in (plain, measured))
    ca, cb = (statistics.median(r[1] for r in runs) for runs in (plain, measured))
    return {"images_per_s_without": a, "images_per_s_with": b, "cost_fraction": 1 - b / a,
            "cpu_images_per_s_without": ca, "cpu_images_per_s_with": cb,
            "cpu_cost_fraction": 1 - cb / ca, **direct}


def _measure_cost(test: TestImages, every: int = 20, windows: int = 30) -> dict[str, float]:
    """CPU seconds of one measure() against those of the ``every`` steps before it."""
    torch.manual_seed(0)
    model, _ = build_with_table(preset("cnn"), dataset_info("synth-digits").shape, 10)
    model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    stats = LayerStats(model)
    x_all = test.batch(0, 2048).contiguous(memory_format=torch.channels_last)
    y_all = torch.from_numpy(test.labels[:2048])
    steps_s, measure_s = [], []
    for _ in range(windows):
        started = time.thread_time()
        for _ in range(every):
            index = torch.randint(0, 2048, (32,))
            loss = F.cross_entropy(model(x_all[index]), y_all[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        steps_s.append(time.thread_time() - started)
        started = time.thread_time()
        stats.measure()
        measure_s.append(time.thread_time() - started)
    one, window = statistics.median(measure_s), statistics.median(steps_s)
    return {"measure_ms": 1000 * one, "window_ms": 1000 * window,
            "direct_cost_fraction": one / window}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-size", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    test = test_images(args.test_size)
    shape = dataset_info("synth-digits").shape
    model, table = build_with_table(preset("cnn"), shape, 10)
    model.eval()
    result = {"machine": {**info(), **cpu_features()}, "threads": args.threads,
              "test_size": len(test), "patches": section_patches(model, table, test),
              "attribution": section_attribution(model, test),
              "layer_stats": section_layer_stats(test)}
    m = result["machine"]
    print(f"{m['cpu']} ({m['cores']} cores; AVX2 {m['avx2']}, AVX-512 {m['avx512f']}, "
          f"bf16 {m['avx512_bf16'] or m['amx_bf16']}), torch {m['torch']}, "
          f"{args.threads} thread(s), load {m['load_average']}")
    for name, row in result["patches"].items():
        print(f"top-9 patches, {name} ({row['channels']} channels, {len(test):,} images): "
              f"one pass {row['one_pass_s']:.2f} CPU s vs per-image loop {row['naive_s']:.2f} s "
              f"= x{row['ratio']:.1f}; whole top_patches (+ crops, summary) "
              f"{row['top_patches_s']:.2f} s = x{row['ratio_whole']:.1f}")
    for key, ms in result["attribution"].items():
        print(f"{key.removesuffix('_ms')} per image: {ms:.1f} CPU ms")
    s = result["layer_stats"]
    print(f"layer stats at every report (20 steps): {s['images_per_s_with']:,.0f} vs "
          f"{s['images_per_s_without']:,.0f} img/s without: cost {100 * s['cost_fraction']:.2f}%; "
          f"per CPU second {s['cpu_images_per_s_with']:,.0f} vs "
          f"{s['cpu_images_per_s_without']:,.0f}: cost {100 * s['cpu_cost_fraction']:.2f}%")
    print(f"layer stats, timed directly: one measure() {s['measure_ms']:.2f} CPU ms per "
          f"{s['window_ms']:.0f} CPU ms of 20 steps = {100 * s['direct_cost_fraction']:.2f}%")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
