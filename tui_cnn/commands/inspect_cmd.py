"""``tui-cnn filters`` and ``tui-cnn compare``: look inside a saved run, set runs side by side.

torch is imported only when a handler runs (``--help`` stays fast).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_cnn import fmt

if TYPE_CHECKING:
    import numpy as np
    from rich.console import Console
    from rich.text import Text

    from tui_cnn.core.checkpoint import LoadedRun
    from tui_cnn.core.inspect import EdgeScore
    from tui_cnn.render.heatmap import ColorMode
    from tui_cnn.render.tile_grids import Normalise


def add_runs_dir(p: argparse.ArgumentParser) -> None:
    """--runs-dir after the command; SUPPRESS keeps one given before it (tui-cnn --runs-dir
    DIR filters RUN) instead of resetting it to None."""
    p.add_argument("--runs-dir", default=argparse.SUPPRESS,
                   help="where runs are saved (or set TUI_CNN_RUNS_DIR)")


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("filters", help="a saved run's filters as heatmaps, with edge scores")
    p.add_argument("run", metavar="RUN", help="run id, unique part of one, or its folder")
    p.add_argument("--layer", type=int, default=1, help="conv layer, from 1 (default 1)")
    p.add_argument("--channel", type=int, metavar="K", help="show output channel K's kernel "
                   "for each input channel (default: mean over input channels)")
    p.add_argument("--normalise", choices=("filter", "layer"), default="filter",
                   help="colour scale per filter (default) or shared by the layer")
    p.add_argument("--columns", type=int, help="tiles per row (default: what fits)")
    p.add_argument("--epoch", type=int, help="filters after epoch E (needs stored snapshots)")
    add_runs_dir(p)
    p.set_defaults(handler=filters_command)
    p = sub.add_parser("compare", help="saved runs side by side: differing settings, results")
    p.add_argument("runs", nargs="+", metavar="RUN",
                   help="run ids, or a sweep id (its trials' runs, then its groups)")
    add_runs_dir(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=compare_command)


# ---- shared by the inspecting commands ----------------------------------------------------


def run_dir(ref: str, runs_dir: str | None) -> Path:
    """The folder of run ``ref``; UsageError (exit 2) when there is no such run."""
    from tui_cnn.core.runs import RunStoreError, find_run
    from tui_cnn.exits import UsageError

    try:
        return find_run(ref, runs_dir)
    except RunStoreError as exc:
        raise UsageError(str(exc)) from None


def load_run(path: Path) -> LoadedRun:
    """The run's model, config, layer table and epochs; UsageError naming a bad file."""
    from tui_cnn.core.checkpoint import load_run_model
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.exits import UsageError

    try:
        return load_run_model(path)
    except RunStoreError as exc:
        raise UsageError(str(exc)) from None


def edge_table(scores: list[EdgeScore], label: str = "filter") -> str:
    from tui_cnn.core.report import ARROWS

    rows = [[str(s.index), f"{s.angle:>3}° {ARROWS[s.angle]}", score_text(s.r),
             "yes" if s.edge_like else ""] for s in scores]
    return fmt.table([label, "best angle", "r", "edge-like"], rows, right={0, 2})


def score_text(r: float) -> str:
    """r to 3 decimals, or as many more as tell it from the edge-like threshold: 0.8004 read
    '0.800' beside 'yes' under the rule |r| > 0.8."""
    from tui_cnn.core.inspect import EDGE_THRESHOLD

    for places in range(3, 8):
        text = f"{r:.{places}f}"
        if abs(float(text)) != EDGE_THRESHOLD:
            return text
    return text


def default_scale(kernel: int, mode: ColorMode) -> int:
    """Terminal pixels per weight: 2 for small kernels in colour (half blocks: a 3x3 filter
    takes 6x3 cells), else 1 (shades are already two cells per weight)."""
    return 2 if kernel <= 7 and mode != "none" else 1


def fit_columns(tiles: int, tile_width: int, width: int, most: int = 8) -> int:
    return max(1, min(most, tiles, (width + 1) // (tile_width + 1)))


# ---- filters ------------------------------------------------------------------------------


def _snapshot(path: Path, epoch: int, loaded: LoadedRun, layer: int) -> np.ndarray | None:
    """Stored layer-1 weights after ``epoch``; None when the final checkpoint is that epoch.

    The run store keeps the last epoch's model and each epoch's layer-1 weights
    (``filters/epoch-E.npy``, read by core.inference.stored_filters)."""
    from tui_cnn.core.inference import stored_filters
    from tui_cnn.exits import UsageError

    done = [int(e["epoch"]) for e in loaded.epochs if isinstance(e.get("epoch"), int)]
    found, problems = stored_filters(path)
    if epoch in found:
        if layer != 1:
            raise UsageError(f"per-epoch snapshots hold layer-1 filters only; drop "
                             f"--layer {layer} or --epoch {epoch}")
        return found[epoch]
    for problem in problems:
        if problem.startswith(f"epoch-{epoch}.npy "):
            raise UsageError(f"{path / 'filters'}/{problem}")
    if epoch == max(done, default=None):
        return None
    raise UsageError(f"run {path.name} has no filters stored for epoch {epoch} (epochs "
                     f"done: {', '.join(map(str, done)) or 'none'})")


def _select(weights: np.ndarray, layer: int, channel: int | None) -> tuple[np.ndarray, str]:
    """The tiles to draw, (M, C, k, k), and what one tile is."""
    from tui_cnn.exits import UsageError

    n, c = weights.shape[:2]
    if channel is not None:
        if not 0 <= channel < n:
            raise UsageError(f"--channel must be between 0 and {n - 1}, got {channel}")
        return weights[channel][:, None], f"output channel {channel}, one tile per input channel"
    if layer > 1 and c != 1:
        return weights.mean(axis=1, keepdims=True), f"mean over {c} input channels"
    return weights, f"{c} input channel{'s' if c > 1 else ''}"


def _console() -> tuple[Console, ColorMode]:
    """A Console and the colour mode to draw in: shades when stdout is not a terminal
    (FORCE_COLOR overrides) or NO_COLOR is set."""
    from rich.console import Console

    from tui_cnn.render.heatmap import detect_color_mode

    probe = Console()
    mode: ColorMode = detect_color_mode() if probe.is_terminal else "none"
    if mode == "none":
        return Console(color_system=None, highlight=False, width=probe.width), mode
    return Console(color_system=mode, highlight=False, force_terminal=True,
                   width=probe.width), mode


def _draw(console: Console, mode: ColorMode, weights: np.ndarray, labels: list[str],
          columns: int | None, normalise: Normalise) -> None:
    from tui_cnn.core.report import finite_range
    from tui_cnn.render.heatmap import heatmap_size, legend
    from tui_cnn.render.tile_grids import filter_grid

    scale = default_scale(weights.shape[-1], mode)
    tile_w = heatmap_size(*weights.shape[2:], scale=scale, mode=mode)[0]
    cols = columns or fit_columns(len(weights), tile_w, console.width)
    grid: Text = filter_grid(weights, columns=cols, scale=scale, mode=mode,
                             normalise=normalise, labels=labels)
    console.width = max(console.width, max(len(line) for line in grid.plain.split("\n")))
    console.print(grid)
    console.print()
    if weights.shape[1] == 3:
        console.print("shade = brightness of the RGB filter" if mode == "none" else
                      "colour = the filter's RGB weights, min-max scaled")
    else:
        console.print(legend(*finite_range(weights), mode=mode))
        if normalise == "filter":
            console.print("(each tile is scaled to its own largest |w|; the bar shows the "
                          "layer's range)")


def filters_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.checkpoint import layer_weights
    from tui_cnn.core.inside.epochs import recorded_epochs
    from tui_cnn.core.inspect import edge_summary
    from tui_cnn.core.report import edge_label, edge_scores_or_none, no_edge_scores
    from tui_cnn.exits import UsageError

    path = run_dir(args.run, args.runs_dir)
    loaded = load_run(path)
    shape = loaded.table.input_shape
    weights = _snapshot(path, args.epoch, loaded, args.layer) if args.epoch is not None else None
    try:
        name, full = layer_weights(loaded.model, args.layer, shape)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    full = full if weights is None else weights
    if args.columns is not None and args.columns < 1:
        raise UsageError(f"--columns must be at least 1, got {args.columns}")
    tiles, what = _select(full, args.layer, args.channel)
    scores = edge_scores_or_none(tiles)
    labels = [edge_label(s) for s in scores] if scores else [str(i) for i in range(len(tiles))]
    done = recorded_epochs(path)  # with status.json's count: a torn epochs.jsonl said 0
    last = done[-1] if done else 0
    when = f"after epoch {args.epoch}" if args.epoch is not None else \
        f"after epoch {last}, the final checkpoint"
    print(f"{path.name}: {name}, {full.shape[0]} filters of {'x'.join(map(str, full.shape[1:]))}"
          f" ({loaded.config.arch.name} on {loaded.config.dataset}, {when}); {what}")
    console, mode = _console()
    _draw(console, mode, tiles, labels, args.columns, args.normalise)
    print()
    if scores is None:
        print(no_edge_scores(tiles))
        return 0
    print(edge_table(scores, "input" if args.channel is not None else "filter"))
    print(edge_summary(scores))
    return 0


# ---- compare ------------------------------------------------------------------------------


def run_dirs(refs: list[str], runs_dir: str | None) -> tuple[list[Path], list[Any]]:
    """The run folders ``refs`` name (a sweep id: its trials' runs) and the sweeps named;
    UsageError (exit 2) for a ref that is neither."""
    from tui_cnn.core.runs import RunStoreError
    from tui_cnn.core.sweep.refs import expand_refs
    from tui_cnn.exits import UsageError

    try:
        found = expand_refs(refs, runs_dir)
    except RunStoreError as exc:
        raise UsageError(str(exc)) from None
    return list(found.paths), list(found.sweeps)


def compare_command(args: argparse.Namespace) -> int:
    from tui_cnn.core.compare import compare
    from tui_cnn.core.rows import difference_rows, result_rows
    from tui_cnn.core.runs import read_run
    from tui_cnn.core.sweep.summary import sweep_report
    from tui_cnn.core.sweep.text import report_text
    from tui_cnn.exits import UsageError

    paths, sweeps = run_dirs(args.runs, args.runs_dir)
    if len(paths) < 2:
        raise UsageError("compare needs at least two runs (`tui-cnn runs` lists them)")
    comparison = compare([read_run(path) for path in paths])
    reports = [sweep_report(store) for store in sweeps]
    if args.json:
        print(fmt.json_text({**comparison.to_dict(),
                             "sweeps": [report.to_dict() for report in reports]}))
        return 0
    headers = ["", *(f"{i}: {r.run_id}" for i, r in enumerate(comparison.runs, start=1))]
    diff_rows = difference_rows(comparison)
    if diff_rows:
        print("settings that differ")
        print(fmt.table(headers, diff_rows))
    else:
        print("same settings")
    print()
    print("results (ratios against run 1)")
    print(fmt.table(headers, result_rows(comparison)))
    for report in reports:
        print()
        print(report_text(report))
    return 0
