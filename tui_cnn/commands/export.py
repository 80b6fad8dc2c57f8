"""``tui-cnn export``: per-epoch metrics as CSV/JSON, filters as a PNG (commands.filter_png),
TensorBoard event files, or what the network learned as PNGs.

torch, Pillow and plotext are imported only when a handler runs. ``write_output`` (stdout
or a file) is shared with ``tui-cnn report`` (commands.report).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_cnn.commands.filter_png import write_filter_png
from tui_cnn.commands.inspect_cmd import add_runs_dir, run_dir

if TYPE_CHECKING:
    import numpy as np

EPOCH_FIELDS = ("epoch", "epochs", "step", "train_loss", "train_acc", "test_loss", "test_acc",
                "seconds", "eval_seconds", "images_per_s", "elapsed_s")


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


def write_output(text: str, output: str | None) -> None:
    """``text`` to stdout, or to the file ``output`` (UsageError if it cannot be written),
    then a line on stderr saying so: whether it replaced a file, and how many lines."""
    from tui_cnn.exits import UsageError

    if output is None or output == "-":
        sys.stdout.write(text)
        return
    path = Path(output).expanduser()
    replaced = path.is_file()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    sys.stderr.write(f"wrote {output}{' (replaced the file that was there)' if replaced else ''}"
                     f": {text.count(chr(10)):,} lines\n")


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
    the embedding scatter, one PNG each (see render/pictures.py for the layout). Every
    picture is made before the first is written: a bad --image or --epoch writes nothing."""
    from tui_cnn.core.inside import runview
    from tui_cnn.exits import UsageError

    if len(args.runs) != 1:
        raise UsageError("--inside writes one run's pictures: give exactly one RUN")
    path, out = run_dir(args.runs[0], args.runs_dir), Path(args.inside).expanduser()
    try:
        pictures = _inside_pictures(path, args)
    except runview.ViewError as exc:
        raise UsageError(str(exc)) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
        for image, name in pictures:
            _save(image, out / name)
    except BrokenPipeError:  # stdout's reader went away (| head): cli.main ends quietly
        raise
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror or exc}") from None
    return 0


def _inside_pictures(path: Path, args: argparse.Namespace) -> list[tuple[np.ndarray, str]]:
    """(RGB picture, file name) for each PNG --inside writes."""
    from tui_cnn.core.inside import runview
    from tui_cnn.core.inside.attribution import METHODS
    from tui_cnn.render import pictures

    made: list[tuple[np.ndarray, str]] = []
    overview = runview.run_overview(path)
    for layer in range(1, overview.conv_layers + 1):
        p = runview.run_top_patches(path, layer, args.epoch).patches
        scale = args.scale or max(1, 48 // p.geometry.rf)
        made.append((pictures.patches_rgb(p.tiles, scale), f"patches-{p.name}.png"))
    if not overview.conv_layers:
        print("no top patches: this model is an MLP (no conv layers)")
    for method in METHODS[:2] + (METHODS[2:] if overview.conv_layers else ()):
        e = runview.run_explanation(path, args.image, method, args.epoch)
        x = e.explanation
        maps = [x.for_predicted.values] + ([] if x.for_label is x.for_predicted
                                           else [x.for_label.values])
        made.append((pictures.attribution_rgb(e.image, maps, x.for_predicted.signed,
                                              args.scale or 8),
                     f"attribution-image{args.image}-{method}.png"))
    emb = runview.run_embedding(path, args.epoch)
    made.append((pictures.scatter_rgb(emb.points, emb.labels), "embedding.png"))
    return made


def export_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.runs import read_run
    from tui_cnn.exits import UsageError

    if args.filters == "" or args.output == "":
        raise UsageError(f"--{'filters' if args.filters == '' else 'output'} is empty; "
                         "give a file name")
    if args.filters:
        return write_filter_png(args)
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
    from tui_cnn.core.tboard import FOLDER, export_run, has_events
    from tui_cnn.exits import UsageError

    for ref in args.runs:
        path = run_dir(ref, args.runs_dir)
        if has_events(path):  # a second export had added a copy of every point
            print(f"{path.name}: {path / FOLDER} (its event files are there already; "
                  "nothing added)")
            continue
        try:
            folder = export_run(path)
        except (RunStoreError, OSError) as exc:
            raise UsageError(f"cannot write TensorBoard files for {path.name}: {exc}") from None
        print(f"{path.name}: {folder}")
    return 0
