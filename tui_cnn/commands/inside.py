"""``tui-cnn inside RUN --layer L``: what excites each channel of a conv layer.

Each channel's top test patches (the input window its most active unit sees), drawn as
image tiles with the activation value, and the layer's edge-like / corner-like summary.
No torch here: ``core.inside.runview`` computes, ``render`` draws.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_cnn import fmt

if TYPE_CHECKING:
    from rich.text import Text

    from tui_cnn.core.inside.patches import TopPatches
    from tui_cnn.core.inside.runview import PatchesView
    from tui_cnn.render.palette import ColorMode


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("inside", help="what excites each channel: top test patches per "
                       "conv channel, with an edge/corner summary")
    p.add_argument("run", metavar="RUN", help="run id, unique part of one, or its folder")
    p.add_argument("--layer", type=int, default=1, help="conv layer, from 1 (default 1)")
    p.add_argument("--channel", type=int, metavar="K", help="only channel K, drawn larger")
    p.add_argument("--epoch", type=int, help="after epoch E (default: the last)")
    p.add_argument("--top", type=int, default=9, metavar="K", help="patches per channel (9)")
    p.add_argument("--json", action="store_true", help="the answer as JSON")
    p.add_argument("--runs-dir", default=argparse.SUPPRESS,
                   help="where runs are saved (or set TUI_CNN_RUNS_DIR)")
    p.set_defaults(handler=inside_command)


def find(ref: str, runs_dir: str | None) -> Path:
    from tui_cnn.core.runs import RunStoreError, find_run
    from tui_cnn.exits import UsageError

    try:
        return find_run(ref, runs_dir)
    except RunStoreError as exc:
        raise UsageError(str(exc)) from None


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\rtop patches: {done:,} of {total:,} test images")
        if done == total:
            sys.stderr.write("\n")


def _channel_json(p: TopPatches, ch: int, tiles: bool) -> dict[str, Any]:
    rf = p.geometry.rf
    patches = [{"image": int(p.images[ch, j]), "label": int(p.labels[ch, j]),
                "value": float(p.values[ch, j]), "y": int(p.ys[ch, j]), "x": int(p.xs[ch, j]),
                "window": [p.geometry.start + int(p.ys[ch, j]) * p.geometry.jump,
                           p.geometry.start + int(p.xs[ch, j]) * p.geometry.jump, rf],
                **({"tile": p.tiles[ch, j].tolist()} if tiles else {})}
               for j in range(p.k)]
    coherence = float(p.coherence[ch])
    return {"channel": ch, "kind": str(p.kinds[ch]),
            "angle": None if p.kinds[ch] == "flat" else round(float(p.angles[ch]), 2),
            "coherence": None if p.kinds[ch] == "flat" else round(coherence, 4),
            "patches": patches}


def to_json(view: PatchesView, channel: int | None) -> dict[str, Any]:
    p = view.patches
    chosen = range(p.channels) if channel is None else [channel]
    return {"run": view.run_id, "arch": view.arch, "dataset": view.dataset, "layer": p.layer,
            "name": p.name, "epoch": p.epoch, "receptive_field": p.geometry.rf, "k": p.k,
            "test_size": view.test_size, "cached": view.cached, "summary": p.summary,
            "channels": [_channel_json(p, ch, channel is not None) for ch in chosen]}


def _tiles(p: TopPatches, ch: int, scale: int, mode: ColorMode) -> list[Text]:
    from tui_cnn.render.heatmap import rgb_image

    return [rgb_image(p.tiles[ch, j], mode=mode, scale=scale) for j in range(p.k)]


def _kind(p: TopPatches, ch: int) -> str:
    kind = str(p.kinds[ch])
    return kind if kind == "flat" else f"{kind} {p.angles[ch]:.0f}° ({p.coherence[ch]:.2f})"


def draw(view: PatchesView, channel: int | None, width: int, mode: ColorMode) -> list[Text]:
    """The picture: one row of tiles per channel, or one channel's tiles larger."""
    from rich.text import Text

    from tui_cnn.render.heatmap import heatmap_size
    from tui_cnn.render.tile_grids import tile_grid

    p = view.patches
    rf = p.geometry.rf
    out: list[Text] = []
    if channel is not None:
        scale = max(1, min(6, (width // min(p.k, 5) - 1) // max(1, heatmap_size(
            rf, rf, mode=mode)[0])))
        tile_w = heatmap_size(rf, rf, scale=scale, mode=mode)[0]
        labels = [f"{p.values[channel, j]:.3g} #{p.images[channel, j]} "
                  f"{view.classes[p.labels[channel, j]]}" for j in range(p.k)]
        columns = max(1, min(p.k, (width + 1) // (tile_w + 1)))
        out.append(Text(f"channel {channel}: {_kind(p, channel)}; label = activation, "
                        "test image, its class"))
        out.append(tile_grid(_tiles(p, channel, scale, mode), tile_w, columns=columns,
                             labels=[lbl[:tile_w] for lbl in labels]))
        return out
    scale = 2 if rf <= 5 and mode != "none" else 1
    tile_w = heatmap_size(rf, rf, scale=scale, mode=mode)[0]
    columns = max(1, min(p.k, (width + 1) // (tile_w + 1)))
    for ch in range(p.channels):
        out.append(Text(f"ch {ch}: {_kind(p, ch)}; top {p.values[ch, 0]:.3g} "
                        f"... {p.values[ch, -1]:.3g}"))
        out.append(tile_grid(_tiles(p, ch, scale, mode), tile_w, columns=columns))
    return out


def inside_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.inside.runview import ViewError, run_top_patches
    from tui_cnn.exits import UsageError
    from tui_cnn.render.console import console_and_mode

    path = find(args.run, args.runs_dir)
    if args.top < 1:
        raise UsageError(f"--top must be at least 1, got {args.top}")
    try:
        view = run_top_patches(path, args.layer, args.epoch, args.top,
                               progress=None if args.json else _progress)
        if args.channel is not None:
            view.patches.check(args.channel)
    except ViewError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(fmt.json_text(to_json(view, args.channel)))
        return 0
    p = view.patches
    console, mode = console_and_mode()
    console.print(f"{view.run_id}: {p.name} after epoch {p.epoch}, {p.channels} channels; "
                  f"each tile is the {p.geometry.rf}x{p.geometry.rf} input window "
                  f"(receptive field) of the channel's most active unit in one of its "
                  f"top {p.k} of {view.test_size:,} test images"
                  f"{' (cached)' if view.cached else ''}", soft_wrap=False)
    for part in draw(view, args.channel, console.width, mode):
        console.print(part)
    console.print()
    console.print(p.summary)
    return 0
