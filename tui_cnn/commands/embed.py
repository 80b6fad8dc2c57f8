"""``tui-cnn embed RUN``: what the classifier sees, the test set's penultimate features
in 2-D (PCA), one colour and digit per class, and the accuracy of each class. No torch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_cnn import fmt

if TYPE_CHECKING:
    from tui_cnn.core.inside.embed import Embedding

COLOURS = ("red", "green", "blue", "orange", "magenta", "cyan", "white", "red+", "green+",
           "blue+", "orange+", "magenta+", "cyan+", "gray")
MAX_POINTS = 3000  # plotted per chart (redraw cost grows with points); all are in --json


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("embed", help="what the classifier sees: the test set's penultimate "
                       "features in 2-D (PCA), per-class accuracy")
    p.add_argument("run", metavar="RUN", help="run id, unique part of one, or its folder")
    p.add_argument("--epoch", type=int, help="after epoch E (default: the last)")
    p.add_argument("--json", action="store_true", help="points and accuracies as JSON")
    p.add_argument("--runs-dir", default=argparse.SUPPRESS,
                   help="where runs are saved (or set TUI_CNN_RUNS_DIR)")
    p.set_defaults(handler=embed_command)


def find(ref: str, runs_dir: str | None) -> Path:
    from tui_cnn.core.runs import RunStoreError, find_run
    from tui_cnn.exits import UsageError

    try:
        return find_run(ref, runs_dir)
    except RunStoreError as exc:
        raise UsageError(str(exc)) from None


def marker(index: int) -> str:
    return str(index) if index < 10 else chr(ord("a") + index - 10)


def to_json(run_id: str, e: Embedding) -> dict[str, Any]:
    return {"run": run_id, "epoch": e.epoch, "layer": e.layer, "feature_dim": e.feature_dim,
            "explained": [float(v) for v in e.explained], "accuracy": e.accuracy,
            "classes": [{"class": i, "name": name, "images": int(e.class_counts[i]),
                         "accuracy": None if e.class_counts[i] == 0 else
                         float(e.class_accuracy[i])} for i, name in enumerate(e.classes)],
            "points": [[round(float(x), 4), round(float(y), 4)] for x, y in e.points],
            "labels": e.labels.tolist(), "predicted": e.predicted.tolist()}


def scatter(e: Embedding, width: int, height: int, colour: bool) -> str:
    """The plotext scatter: each class in its own colour, drawn with its digit."""
    import plotext as plt

    step = max(1, len(e.labels) // MAX_POINTS)
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear" if not colour else "pro")
    for c in range(len(e.classes)):
        pick = e.labels[::step] == c
        points = e.points[::step][pick]
        if len(points):
            plt.scatter(points[:, 0].tolist(), points[:, 1].tolist(), marker=marker(c),
                        color=COLOURS[c % len(COLOURS)] if colour else None)
    plt.title(f"{e.layer} input ({e.feature_dim} features) after epoch {e.epoch}: PCA")
    plt.xlabel(f"PC1 ({100 * e.explained[0]:.0f}% of variance)")
    plt.ylabel(f"PC2 ({100 * e.explained[1]:.0f}%)")
    text = str(plt.build())
    plt.clear_figure()
    return text if colour else str(plt.uncolorize(text))


def legend(e: Embedding, colour: bool) -> str:
    """The key under the chart (no plotext legend: it would hide the points under it)."""
    import plotext as plt

    parts = [f"{marker(c)} = {name}" for c, name in enumerate(e.classes)]
    if colour:
        parts = [str(plt.colorize(part, COLOURS[c % len(COLOURS)]))
                 for c, part in enumerate(parts)]
    return "key: " + ", ".join(parts)


def accuracy_table(e: Embedding) -> str:
    rows = [[marker(i), name, f"{int(e.class_counts[i]):,}",
             "-" if e.class_counts[i] == 0 else fmt.percent(float(e.class_accuracy[i]), 1)]
            for i, name in enumerate(e.classes)]
    return fmt.table(["", "class", "images", "accuracy"], rows, right={2, 3})


def embed_command(args: argparse.Namespace) -> int:
    import shutil

    from tui_cnn.core.inside.runview import ViewError, run_embedding
    from tui_cnn.exits import UsageError
    from tui_cnn.render.heatmap import detect_color_mode

    path = find(args.run, args.runs_dir)
    try:
        e = run_embedding(path, args.epoch)
    except ViewError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(fmt.json_text(to_json(path.name, e)))
        return 0
    colour = sys.stdout.isatty() and detect_color_mode() != "none"
    width = min(100, shutil.get_terminal_size((80, 24)).columns)
    print(f"{path.name}: {len(e.labels):,} test images, accuracy {fmt.percent(e.accuracy, 1)}"
          f"; each point is an image drawn as its true class's mark (the legend below)")
    print(scatter(e, width, 22, colour))
    print(legend(e, colour))
    print(accuracy_table(e))
    return 0
