"""``tui-cnn predict RUN IMAGE...``: classify your own PNG/JPEG files with a saved run.

Each image is prepared as MNIST's digits were (ink cropped, fitted to 20x20, centred by
its centre of mass; a light background is inverted) before the model sees it. torch is
imported only when the handler runs (``--help`` stays fast).
"""

from __future__ import annotations

import argparse
from typing import Any

from tui_cnn import fmt


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("predict", help="classify image files (PNG/JPEG) with a saved run")
    p.add_argument("run", metavar="RUN", help="run id, unique part of one, or its folder")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files to classify")
    p.add_argument("--top", type=int, default=3, metavar="K",
                   help="how many classes to show per image (default 3)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--runs-dir", default=argparse.SUPPRESS,
                   help="where runs are saved (or set TUI_CNN_RUNS_DIR)")
    p.set_defaults(handler=predict_command)


def predict_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tui_cnn.core.datafiles import DataError
    from tui_cnn.core.predict import load_predictor, read_image
    from tui_cnn.core.runs import RunStoreError, find_run
    from tui_cnn.exits import EXIT_OK, UsageError

    if args.top < 1:
        raise UsageError(f"--top must be at least 1, got {args.top}")
    try:
        run = Path(args.run) if Path(args.run).is_dir() else find_run(
            args.run, getattr(args, "runs_dir", None))
        predictor = load_predictor(run)
        channels = predictor.input_shape[0]
        images = [predictor.prepare(read_image(path, channels)) for path in args.images]
    except (RunStoreError, DataError) as exc:
        raise UsageError(str(exc)) from None
    import numpy as np

    results = predictor.predict(np.stack(images), top=args.top)
    if args.json:
        print(fmt.json_text({"run": run.name, "images": [
            {"path": path, "top": [{"class": name, "probability": p} for name, p in r.top]}
            for path, r in zip(args.images, results, strict=True)]}))
        return EXIT_OK
    width = max(len(name) for name in predictor.classes)
    for path, result in zip(args.images, results, strict=True):
        print(f"{path}:")
        for name, p in result.top:
            print(f"  {name:<{width}}  {fmt.percent(p, 1):>6}  {fmt.bar(p, 20)}")
    return EXIT_OK
