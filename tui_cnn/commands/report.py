"""``tui-cnn report``: a Markdown report of saved runs (or a sweep's), for an issue or PR.

The results table and configs come from core.report; this module adds the plain-text
curves (plotext, imported only when a report is built) and each run's layer-1 filters as
shaded text. torch is imported only when a handler runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_cnn.commands.export import write_output
from tui_cnn.commands.inspect_cmd import add_runs_dir, run_dirs

if TYPE_CHECKING:
    from tui_cnn.core.report import Figure, RunSection


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("report", help="a Markdown report of saved runs (for an issue or PR)")
    p.add_argument("runs", nargs="+", metavar="RUN",
                   help="run ids, or a sweep id (its trials' runs, its groups and verdict)")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (default: stdout)")
    add_runs_dir(p)
    p.set_defaults(handler=report_command)


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
    from tui_cnn.render.heatmap import legend
    from tui_cnn.render.tile_grids import filter_grid

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
    from tui_cnn.core.compare import compare, with_steering
    from tui_cnn.core.report import build_report
    from tui_cnn.core.runs import read_run
    from tui_cnn.core.sweep.summary import sweep_report
    from tui_cnn.core.sweep.text import markdown_section

    records = [read_run(path) for path in paths]
    comparison = compare(records)
    labels = [f"{i} {run.arch}" for i, run in enumerate(comparison.runs, start=1)]
    footer = (f"In the curves, run N is row N of the results table. Generated by tui-cnn "
              f"{__version__} on {time.strftime('%Y-%m-%d %H:%M')}.")
    return build_report(comparison, [with_steering(r) for r in records], curves(paths, labels),
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
