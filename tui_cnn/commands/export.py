"""``tui-cnn export`` (metrics as CSV/JSON, filters as PNG) and ``tui-cnn report`` (Markdown).

torch, Pillow and plotext are imported only when a handler runs.

Filter PNG layout: N filters of kh x kw weights in ``c = min(columns, N)`` columns and
``r = ceil(N / c)`` rows; each weight is a ``scale`` x ``scale`` square and a ``scale``-wide
dark border runs round and between the tiles, so the image is
``scale * (c * (kw + 1) + 1)`` pixels wide and ``scale * (r * (kh + 1) + 1)`` high
(``png_size``). Default scale: ``max(1, 48 // kw)`` (16 for 3x3 filters).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_cnn.commands.inspect_cmd import add_runs_dir, run_dir, run_dirs

if TYPE_CHECKING:
    import numpy as np

    from tui_cnn.core.report import Figure, RunSection
    from tui_cnn.render.heatmap import Normalise

EPOCH_FIELDS = ("epoch", "epochs", "step", "train_loss", "train_acc", "test_loss", "test_acc",
                "seconds", "eval_seconds", "images_per_s", "elapsed_s")
BORDER_RGB = (40, 40, 40)


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("export", help="per-epoch metrics as CSV/JSON, filters as a PNG, or "
                       "what the network learned as PNGs")
    p.add_argument("runs", nargs="+", metavar="RUN")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--format", choices=("csv", "json"), help="metrics format")
    what.add_argument("--filters", metavar="PNG", help="write layer-1 filters to this PNG")
    what.add_argument("--tensorboard", action="store_true",
                      help="write TensorBoard event files into each run's tb/ folder "
                      "(for runs saved before runs wrote them)")
    what.add_argument("--inside", metavar="DIR", help="write PNGs of what the network learned "
                      "to DIR: top patches per conv layer, attribution maps, embedding")
    p.add_argument("--epoch", type=int, help="--inside: after epoch E (default: the last)")
    p.add_argument("--image", type=int, default=0, help="--inside: the test image explained")
    p.add_argument("-o", "--output", metavar="PATH", help="metrics file (default: stdout)")
    p.add_argument("--scale", type=int, help="PNG pixels per weight (default 48 // kernel)")
    p.add_argument("--columns", type=int, default=8, help="PNG tiles per row (default 8)")
    p.add_argument("--normalise", choices=("filter", "layer"), default="filter")
    add_runs_dir(p)
    p.set_defaults(handler=export_command)
    p = sub.add_parser("report", help="a Markdown report of saved runs (for an issue or PR)")
    p.add_argument("runs", nargs="+", metavar="RUN",
                   help="run ids, or a sweep id (its trials' runs, its groups and verdict)")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (default: stdout)")
    add_runs_dir(p)
    p.set_defaults(handler=report_command)


def write_output(text: str, output: str | None) -> None:
    """``text`` to stdout, or to the file ``output`` (UsageError if it cannot be written)."""
    from tui_cnn.exits import UsageError

    if output is None or output == "-":
        sys.stdout.write(text)
        return
    try:
        Path(output).expanduser().write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


# ---- metrics ------------------------------------------------------------------------------


def metrics_csv(runs: dict[str, list[dict[str, Any]]]) -> str:
    """One row per epoch per run: run_id, the EpochMetrics fields, then any extra keys."""
    extra = sorted({k for rows in runs.values() for row in rows for k in row} - {*EPOCH_FIELDS})
    columns = ["run_id", *EPOCH_FIELDS, *extra]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for run_id, rows in runs.items():
        for row in rows:
            writer.writerow({"run_id": run_id, **row})
    return buffer.getvalue()


def metrics_json(paths: list[Path]) -> str:
    """{run_id: {config, status, epochs, steps}}; non-finite numbers written as null."""
    from tui_cnn.core.report import json_safe
    from tui_cnn.core.runs import read_jsonl, read_run

    out: dict[str, Any] = {}
    for path in paths:
        record = read_run(path)
        out[record.run_id] = {"config": record.config, "status": record.status,
                              "epochs": record.epochs,
                              "steps": read_jsonl(path / "steps.jsonl", []),
                              "problems": record.problems}
    return json.dumps(json_safe(out), allow_nan=False) + "\n"


# ---- filters as a PNG ---------------------------------------------------------------------


MAX_PNG_PIXELS = 64_000_000
"""The largest filter PNG written (192 MB of RGB in memory): checked before allocating."""


def check_png_size(count: int, kernel_h: int, kernel_w: int, scale: int, columns: int) -> None:
    """UsageError, with the size, when the PNG would have more than MAX_PNG_PIXELS."""
    from tui_cnn.exits import UsageError

    width, height = png_size(count, kernel_h, kernel_w, scale, columns)
    if width * height > MAX_PNG_PIXELS:
        raise UsageError(f"the PNG would be {width:,}x{height:,} pixels "
                         f"({3 * width * height / 2**30:,.1f} GiB), more than "
                         f"{MAX_PNG_PIXELS:,}; give a smaller --scale (or more --columns)")


def png_size(count: int, kernel_h: int, kernel_w: int, scale: int,
             columns: int = 8) -> tuple[int, int]:
    """(width, height) in pixels of the filter PNG; see the module docstring."""
    cols = max(1, min(columns, count))
    rows = math.ceil(count / cols)
    return scale * (cols * (kernel_w + 1) + 1), scale * (rows * (kernel_h + 1) + 1)


def _tile_rgb(tile: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """One (C, kh, kw) filter as (kh, kw, 3) uint8: RGB for 3 channels, else the diverging
    map of the channel mean (0 = white)."""
    import numpy as np

    from tui_cnn.render.heatmap import LEVELS, colormap_rgb, normalised

    if tile.shape[0] == 3:
        scaled = (tile - lo) / (hi - lo) if hi > lo else np.zeros_like(tile)
        return np.rint(np.moveaxis(scaled, 0, -1) * 255).astype(np.uint8)
    t = normalised(tile.mean(axis=0), "diverging", lo, hi)
    return colormap_rgb("diverging")[np.floor(t * LEVELS + 0.5).astype(np.int64)]


def filter_image(weights: np.ndarray, scale: int, columns: int = 8,
                 normalise: Normalise = "filter") -> np.ndarray:
    """(N, C, kh, kw) weights as an (H, W, 3) uint8 picture, ``png_size`` big."""
    import numpy as np

    w = np.nan_to_num(np.asarray(weights, dtype=np.float64))
    n, _, kh, kw = w.shape
    width, height = png_size(n, kh, kw, scale, columns)
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = BORDER_RGB
    cols = max(1, min(columns, n))
    for i, tile in enumerate(w):
        src = w if normalise == "layer" else tile
        rgb = _tile_rgb(tile, float(src.min()), float(src.max()))
        big = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
        top = scale * (1 + (i // cols) * (kh + 1))
        left = scale * (1 + (i % cols) * (kw + 1))
        image[top:top + kh * scale, left:left + kw * scale] = big
    return image


def _write_png(args: argparse.Namespace) -> int:
    from PIL import Image

    from tui_cnn.commands.inspect_cmd import load_run
    from tui_cnn.core.checkpoint import first_layer_weights
    from tui_cnn.exits import UsageError

    if len(args.runs) != 1:
        raise UsageError("--filters writes one run's filters: give exactly one RUN")
    if args.columns < 1 or (args.scale is not None and not 1 <= args.scale <= 256):
        raise UsageError("--columns must be at least 1 and --scale between 1 and 256")
    path = run_dir(args.runs[0], args.runs_dir)
    loaded = load_run(path)
    weights = first_layer_weights(loaded.model, loaded.table.input_shape)
    scale = args.scale or max(1, 48 // weights.shape[-1])
    check_png_size(len(weights), weights.shape[2], weights.shape[3], scale, args.columns)
    image = filter_image(weights, scale, args.columns, args.normalise)
    try:
        Image.fromarray(image, mode="RGB").save(Path(args.filters).expanduser(), format="PNG")
    except OSError as exc:
        raise UsageError(f"cannot write {args.filters}: {exc.strerror or exc}") from None
    height, width = image.shape[:2]
    print(f"wrote {args.filters}: {len(weights)} filters, {width}x{height} pixels "
          f"(scale {scale})")
    return 0


def _save(image: np.ndarray, path: Path) -> None:
    from PIL import Image

    from tui_cnn.exits import UsageError

    try:
        Image.fromarray(image, mode="RGB").save(path, format="PNG")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"wrote {path}: {image.shape[1]}x{image.shape[0]} pixels")


def _write_inside(args: argparse.Namespace) -> int:
    """Top patches of every conv layer, saliency/occlusion/Grad-CAM of one test image and
    the embedding scatter, one PNG each (see render/pictures.py for the layout)."""
    from tui_cnn.core.inside import runview
    from tui_cnn.core.inside.attribution import METHODS
    from tui_cnn.exits import UsageError
    from tui_cnn.render import pictures

    if len(args.runs) != 1:
        raise UsageError("--inside writes one run's pictures: give exactly one RUN")
    path, out = run_dir(args.runs[0], args.runs_dir), Path(args.inside).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
        overview = runview.run_overview(path)
        for layer in range(1, overview.conv_layers + 1):
            p = runview.run_top_patches(path, layer, args.epoch).patches
            scale = args.scale or max(1, 48 // p.geometry.rf)
            _save(pictures.patches_rgb(p.tiles, scale), out / f"patches-{p.name}.png")
        if not overview.conv_layers:
            print("no top patches: this model is an MLP (no conv layers)")
        for method in METHODS[:2] + (METHODS[2:] if overview.conv_layers else ()):
            e = runview.run_explanation(path, args.image, method, args.epoch)
            x = e.explanation
            maps = [x.for_predicted.values] + ([] if x.for_label is x.for_predicted
                                               else [x.for_label.values])
            _save(pictures.attribution_rgb(e.image, maps, x.for_predicted.signed,
                                           args.scale or 8),
                  out / f"attribution-image{args.image}-{method}.png")
        emb = runview.run_embedding(path, args.epoch)
        _save(pictures.scatter_rgb(emb.points, emb.labels), out / "embedding.png")
    except runview.ViewError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror or exc}") from None
    return 0


def export_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.runs import read_run
    from tui_cnn.exits import UsageError

    if args.filters == "" or args.output == "":
        raise UsageError(f"--{'filters' if args.filters == '' else 'output'} is empty; "
                         "give a file name")
    if args.filters:
        return _write_png(args)
    if args.tensorboard:
        return _write_events(args)
    if args.inside:
        return _write_inside(args)
    paths = [run_dir(ref, args.runs_dir) for ref in args.runs]
    if args.format == "json":
        write_output(metrics_json(paths), args.output)
    else:
        records = [read_run(path) for path in paths]
        write_output(metrics_csv({r.run_id: r.epochs for r in records}), args.output)
    return 0


def _write_events(args: argparse.Namespace) -> int:
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.core.tboard import export_run
    from tui_cnn.exits import UsageError

    for ref in args.runs:
        path = run_dir(ref, args.runs_dir)
        try:
            folder = export_run(path)
        except (RunStoreError, OSError) as exc:
            raise UsageError(f"cannot write TensorBoard files for {path.name}: {exc}") from None
        print(f"{path.name}: {folder}")
    return 0


# ---- report -------------------------------------------------------------------------------

MARKERS = ("•", "x", "+", "o", "*", "#")


def text_plot(series: list[tuple[str, list[float], list[float]]], xlabel: str,
              width: int = 72, height: int = 16) -> str:
    """A plotext chart as plain text (no colour codes); "" if no series has a point."""
    import plotext as plt

    from tui_cnn.core.report import strip_ansi

    series = [s for s in series if s[1]]
    if not series:
        return ""
    plt.clear_figure()
    try:
        plt.plotsize(width, height)
        for i, (label, xs, ys) in enumerate(series):
            plt.plot(xs, ys, marker=MARKERS[i % len(MARKERS)], label=label)
        xs_all = sorted({x for _, xs, _ in series for x in xs})
        if len(xs_all) <= 12 and all(x.is_integer() for x in xs_all):
            plt.xticks(xs_all, [str(int(x)) for x in xs_all])
        plt.xlabel(xlabel)
        return strip_ansi(plt.build())
    finally:
        plt.clear_figure()


def curves(paths: list[Path], labels: list[str]) -> list[Figure]:
    from tui_cnn.core.report import Figure, finite_points
    from tui_cnn.core.runs import read_jsonl

    steps = [finite_points(read_jsonl(p / "steps.jsonl", []), "step", "loss") for p in paths]
    epochs = [read_jsonl(p / "epochs.jsonl", []) for p in paths]
    accs = [finite_points(rows, "epoch", "test_acc") for rows in epochs]
    acc_pct = [(xs, [100 * y for y in ys]) for xs, ys in accs]
    figures = []
    for title, data, xlabel in (("Training loss", steps, "step"),
                                ("Test accuracy (%)", acc_pct, "epoch")):
        series = [(lbl, xs, ys) for lbl, (xs, ys) in zip(labels, data, strict=True)]
        text = text_plot(series, xlabel)
        if text:
            figures.append(Figure(title, text))
    return figures


def run_section(path: Path) -> RunSection:
    """The run's layer-1 filters as shaded text (no colour codes), with the edge summary."""
    from tui_cnn.core.checkpoint import first_layer_weights, load_run_model
    from tui_cnn.core.inspect import edge_summary
    from tui_cnn.core.report import (
        Figure,
        RunSection,
        edge_label,
        edge_scores_or_none,
        finite_range,
        no_edge_scores,
    )
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.render.heatmap import filter_grid, legend

    try:
        loaded = load_run_model(path)
    except RunStoreError as exc:
        return RunSection(path.name, notes=[f"No filters to show: {exc}"])
    weights = first_layer_weights(loaded.model, loaded.table.input_shape)
    scores = edge_scores_or_none(weights)
    small = weights.shape[-1] <= 7
    shown = weights[:64 if small else 8]  # an MLP's templates are image-sized
    labels = [edge_label(s) for s in scores[:len(shown)]] if scores else \
        [str(i) for i in range(len(shown))]
    grid = filter_grid(shown, columns=8 if small else 2, scale=1, mode="none",
                       labels=labels).plain
    key = "shade = brightness of the RGB filter" if weights.shape[1] == 3 else \
        legend(*finite_range(weights), mode="none").plain
    more = f", first {len(shown)} shown" if len(shown) < len(weights) else ""
    title = f"Layer-1 filters ({len(weights)} of {'x'.join(map(str, weights.shape[1:]))}{more})"
    note = "Each tile is scaled to its own range" + ("; an arrow marks an edge-like filter "
                                                     "and points towards brighter." if scores
                                                     else ".")
    why = no_edge_scores(weights)
    notes = [f"**{edge_summary(scores)}**" if scores else why[:1].upper() + why[1:]]
    return RunSection(path.name, [Figure(title, f"{grid}\n\n{key}", note)], notes)


def build_markdown(paths: list[Path], sweeps: list[Any] | None = None) -> str:
    import time

    from tui_cnn import __version__
    from tui_cnn.core.compare import compare
    from tui_cnn.core.report import build_report
    from tui_cnn.core.runs import read_run
    from tui_cnn.core.sweep.summary import sweep_report
    from tui_cnn.core.sweep.text import markdown_section

    records = [read_run(path) for path in paths]
    comparison = compare(records)
    labels = [f"{i} {run.arch}" for i, run in enumerate(comparison.runs, start=1)]
    footer = (f"In the curves, run N is row N of the results table. Generated by tui-cnn "
              f"{__version__} on {time.strftime('%Y-%m-%d %H:%M')}.")
    return build_report(comparison, [r.config for r in records], curves(paths, labels),
                        [run_section(path) for path in paths], footer=footer,
                        after_results=[markdown_section(sweep_report(store))
                                       for store in sweeps or []])


def report_command(args: argparse.Namespace) -> int:
    from tui_cnn.exits import UsageError

    if args.output == "":
        raise UsageError("--output is empty; give a file name")
    paths, sweeps = run_dirs(args.runs, args.runs_dir)
    write_output(build_markdown(paths, sweeps), args.output)
    return 0
