"""``tui-cnn summary`` and ``tui-cnn runs``: what a network is made of, what was run."""

from __future__ import annotations

import argparse
from typing import Any

from tui_cnn import fmt
from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import ConfigError, preset
from tui_cnn.core.layers import LayerTable, layer_table
from tui_cnn.core.rows import RUN_COLUMNS, RUN_NUMBER_COLUMNS, run_row, run_state
from tui_cnn.core.runs import list_runs, resolve_runs_dir, runs_dir_problem


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("summary", help="per-layer table: shapes, parameters, multiply-adds")
    # SUPPRESS: `tui-cnn --arch mlp summary` keeps the top level's value (a default here
    # had replaced it with cnn)
    p.add_argument("--arch", default=argparse.SUPPRESS, help="architecture preset (cnn)")
    p.add_argument("--dataset", default=argparse.SUPPRESS, help="its input shape (mnist)")
    p.add_argument("--data-dir", default=argparse.SUPPRESS,
                   help="--dataset folder: the image folder (its classes are counted)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=summary_command)
    p = sub.add_parser("runs", help="the saved runs, newest first")
    p.add_argument("--runs-dir", default=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=runs_command)


def _table(args: argparse.Namespace) -> LayerTable:
    from tui_cnn.core.config import TrainConfig
    from tui_cnn.core.datafiles import DataError
    from tui_cnn.core.datasets import config_info
    from tui_cnn.exits import UsageError

    args.arch, args.dataset = args.arch or "cnn", args.dataset or "mnist"
    try:
        dataset_info(args.dataset)  # an unknown name: one line naming the known ones
        info = config_info(TrainConfig(dataset=args.dataset, data_dir=args.data_dir))
        return layer_table(preset(args.arch), info.shape, info.num_classes)
    except (ConfigError, DataError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def summary_rows(table: LayerTable) -> list[list[str]]:
    rows = []
    for layer in table.layers:
        shape = "x".join(str(s) for s in layer.out_shape)
        rf = f"{layer.receptive_field}x{layer.receptive_field}" if layer.receptive_field else "all"
        share = table.share(layer)
        rows.append([layer.name, layer.kind, shape, layer.formula or "0",
                     f"{100 * share:5.1f}% {fmt.bar(share, 10)}" if layer.params else "",
                     fmt.count(layer.macs) if layer.macs else "", rf])
    return rows


def summary_command(args: argparse.Namespace) -> int:
    table = _table(args)
    if args.json:
        print(fmt.json_text({"arch": args.arch, "dataset": args.dataset, "params": table.params,
                          "macs": table.macs, "input_shape": list(table.input_shape),
                          "layers": [{**layer.__dict__, "share": table.share(layer)}
                                     for layer in table.layers]}))
        return 0
    rows = summary_rows(table)
    rows.append(["total", "", "", f"{table.params:,}", "100.0%", fmt.count(table.macs), ""])
    shape = "x".join(str(s) for s in table.input_shape)
    print(f"{args.arch} on {args.dataset} ({shape} input, {table.num_classes} classes)")
    print(fmt.table(["layer", "type", "output", "parameters", "share", "mult-adds",
                     "receptive field"], rows, right={3, 5}))
    return 0


def runs_command(args: argparse.Namespace) -> int:
    from tui_cnn.exits import UsageError

    problem = runs_dir_problem(args.runs_dir)
    if problem:
        raise UsageError(problem)
    records = list_runs(args.runs_dir)
    if args.json:
        print(fmt.json_text([{"run_id": r.run_id, "path": str(r.path), "status": r.state,
                           "live": run_state(r) if run_state(r) != r.state else None,
                           "damaged": r.damaged, "problems": r.problems,
                           "best_test_acc": r.best_test_acc, "epochs_done": len(r.epochs),
                           "config": r.config} for r in records]))
        return 0
    if not records:
        print(f"no runs in {resolve_runs_dir(args.runs_dir)}")
        return 0
    right = {i for i, name in enumerate(RUN_COLUMNS) if name in RUN_NUMBER_COLUMNS}
    print(fmt.table(list(RUN_COLUMNS), [run_row(r) for r in records], right=right))
    for record in records:
        if record.problems:
            print(f"  {record.run_id}: {'; '.join(record.problems)}")
    live = [r.run_id for r in records if run_state(r).startswith("live")]
    if live:
        print(f"{len(live)} live (training in the background): `tui-cnn attach {live[0]}` "
              f"follows it, `tui-cnn ctl {live[0]} pause|resume|stop` steers it")
    return 0
