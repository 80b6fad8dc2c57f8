"""``tui-cnn explain RUN --image N``: where the model looks in one test image.

Saliency, occlusion or Grad-CAM (Captum, in ``core.inside.attribution``) for the predicted
and the true class, drawn over the image as half-block heatmaps with a legend. No torch.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_cnn import fmt

if TYPE_CHECKING:
    from rich.text import Text

    from tui_cnn.core.inside.attribution import AttributionMap
    from tui_cnn.core.inside.runview import ExplainView
    from tui_cnn.render.palette import Cmap, ColorMode

METHODS = ("saliency", "occlusion", "gradcam")
WHAT = {"saliency": "|d score / d pixel|: pixels whose change moves the score most",
        "occlusion": "score drop when a patch is greyed out (red = the patch helped, "
                     "blue = it hurt)",
        "gradcam": "Grad-CAM on the last conv layer: where the class's evidence is"}


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("explain", help="where the model looks in one test image "
                       "(saliency, occlusion, Grad-CAM)")
    p.add_argument("run", metavar="RUN", help="run id, unique part of one, or its folder")
    p.add_argument("--image", type=int, required=True, metavar="N", help="test image N")
    p.add_argument("--method", choices=METHODS, default="saliency")
    p.add_argument("--epoch", type=int, help="after epoch E (default: the last)")
    p.add_argument("--json", action="store_true", help="the maps as JSON")
    p.add_argument("--runs-dir", default=argparse.SUPPRESS,
                   help="where runs are saved (or set TUI_CNN_RUNS_DIR)")
    p.set_defaults(handler=explain_command)


def find(ref: str, runs_dir: str | None) -> Path:
    from tui_cnn.core.runs import RunStoreError, find_run
    from tui_cnn.exits import UsageError

    try:
        return find_run(ref, runs_dir)
    except RunStoreError as exc:
        raise UsageError(str(exc)) from None


def _map_json(m: AttributionMap) -> dict[str, Any]:
    return {"class": m.target, "signed": m.signed, "scale": m.scale,
            "map": [[round(float(v), 4) for v in row] for row in m.values]}


def to_json(view: ExplainView) -> dict[str, Any]:
    e = view.explanation
    return {"run": view.run_id, "epoch": view.epoch, "image": view.index, "method": e.method,
            "label": e.label, "predicted": e.predicted, "classes": list(view.classes),
            "probabilities": [round(float(p), 6) for p in e.probabilities],
            "for_predicted": _map_json(e.for_predicted), "for_label": _map_json(e.for_label)}


def _panel(view: ExplainView, m: AttributionMap, mode: ColorMode, scale: int) -> Text:
    from tui_cnn.render.heatmap import heatmap, rgb_image
    from tui_cnn.render.overlay import overlay_rgb

    cmap: Cmap = "diverging" if m.signed else "sequential"
    if mode == "none":  # shades cannot show both the image and the map: the map alone
        return heatmap(m.values, cmap=cmap, vmin=-1.0 if m.signed else 0.0, vmax=1.0,
                       mode=mode, scale=scale)
    return rgb_image(overlay_rgb(view.image, m.values, cmap=cmap), mode=mode, scale=scale)


def draw(view: ExplainView, mode: ColorMode, width: int) -> list[Text]:
    from tui_cnn.render.heatmap import heatmap_size, legend, rgb_image
    from tui_cnn.render.tile_grids import tile_grid

    e = view.explanation
    h, w = view.image.shape[1:]
    scale = 2 if heatmap_size(h, w, scale=2, mode=mode)[0] * 3 + 2 <= width else 1
    names = view.classes
    maps = [e.for_predicted] if e.for_predicted is e.for_label else \
        [e.for_predicted, e.for_label]
    tiles = [rgb_image(view.image, mode=mode, scale=scale),
             *(_panel(view, m, mode, scale) for m in maps)]
    labels = ["image", f"predicted {names[e.predicted]}"[:w * scale],
              *([f"true {names[e.label]}"[:w * scale]] if len(maps) == 2 else [])]
    tile_w = heatmap_size(h, w, scale=scale, mode=mode)[0]
    columns = max(1, min(len(tiles), (width + 2) // (tile_w + 2)))
    signed = maps[0].signed
    bar = legend(-1.0 if signed else 0.0, 1.0, cmap="diverging" if signed else "sequential",
                 mode=mode, width=min(31, max(11, tile_w)))
    return [tile_grid(tiles, tile_w, columns=columns, gap=2, labels=labels), bar]


def explain_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.inside.runview import ViewError, run_explanation
    from tui_cnn.exits import UsageError
    from tui_cnn.render.console import console_and_mode

    path = find(args.run, args.runs_dir)
    try:
        view = run_explanation(path, args.image, args.method, args.epoch)
    except ViewError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(fmt.json_text(to_json(view)))
        return 0
    e, names = view.explanation, view.classes
    verdict = "right" if e.predicted == e.label else "wrong"
    console, mode = console_and_mode()
    console.print(f"{view.run_id}: test image {view.index} after epoch {view.epoch}: true "
                  f"{names[e.label]}, predicted {names[e.predicted]} "
                  f"({100 * e.probabilities[e.predicted]:.1f}%, {verdict})")
    console.print(f"{e.method}: {WHAT[e.method]}; each map is scaled to its own largest value")
    for part in draw(view, mode, console.width):
        console.print(part)
    return 0
