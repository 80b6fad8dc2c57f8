"""Sweep speed: 4 equal trials on 2 worker processes vs the same 4 one after another, and
Ray's overhead per trial.

``python -m benchmarks.sweep [--train-size N] [--epochs E] [--no-ray] [--json PATH]``.
Each variant is a real sweep (``core.sweep.runner.run_sweep``) into its own temporary runs
dir, so worker start-up, data preparation and run-folder writing are all counted. The four
trials differ only in their seed.

Variants (wall clock of the whole sweep):
  sequential, all cores   1 worker, threads = cores (one trial at a time, using every core)
  sequential, 1 thread    1 worker, 1 thread
  pool                    ``cores`` workers, 1 thread each (the sweep default)
  ray                     local Ray (``ray.init(num_cpus=cores)``), 1 CPU per trial
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import threading
import time
from typing import Any

from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.sweep.grid import SweepSpec, parse_grid_arg
from tui_cnn.core.sweep.runner import Backend, LocalBackend, plan_sweep, run_sweep


def one_sweep(backend: Backend, arch: str, train_size: int, epochs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tui-cnn-bench-sweep-") as runs:
        base = TrainConfig(arch=preset(arch), dataset="synth-digits", epochs=epochs,
                           train_size=train_size, test_size=512, runs_dir=runs)
        spec = SweepSpec.build(base, [parse_grid_arg("seed=0,1,2,3")])
        plan = plan_sweep(spec)
        cpu0 = _children_cpu()
        started = time.perf_counter()
        progress = run_sweep(plan, backend, threading.Event())
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu0
        states = plan.store.states(plan.trials)
    assert progress.counts() == {"finished": 4}, progress.counts()
    train = sum(float(s.summary.get("train_seconds", 0.0)) for s in states)
    # Cores the worker processes got on average (0 for Ray, whose workers are not our
    # children): on a shared machine, below the worker count means others held the cores.
    return {"wall_s": round(wall, 2), "train_s_sum": round(train, 2),
            "cores_got": round(cpu / wall, 2)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="cnn", help="preset of the four trials")
    parser.add_argument("--train-size", type=int, default=6144)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1,
                        help="round-robin repeats; each figure is the median")
    parser.add_argument("--cores", type=int, help="cores to plan for (default: all)")
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    cores = args.cores or os.cpu_count() or 1
    print(f"{cores} cores, load average {os.getloadavg()[0]:.2f} before; 4 trials of "
          f"{args.arch} on synth-digits, {args.train_size} images x {args.epochs} epoch(s)")
    variants: list[tuple[str, Backend]] = [
        ("sequential, all cores", LocalBackend(1, cores)),
        ("sequential, 1 thread", LocalBackend(1, 1)),
        (f"pool, {cores} workers x 1 thread", LocalBackend(cores, 1)),
    ]
    if not args.no_ray:
        from tui_cnn.core.sweep.ray_backend import RayBackend

        variants.append((f"ray local, {cores} CPUs", RayBackend(None, cores)))
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in variants}
    for _ in range(max(1, args.repeats)):
        for name, backend in variants:
            runs[name].append(one_sweep(backend, args.arch, args.train_size, args.epochs))
    results: dict[str, dict[str, Any]] = {}
    for name, got in runs.items():
        results[name] = {key: statistics.median(r[key] for r in got) for key in got[0]}
        walls = ", ".join(f"{r['wall_s']:.1f}" for r in got)
        print(f"  {name:28} wall {results[name]['wall_s']:7.2f} s  (runs: {walls}; "
              f"training time summed over trials {results[name]['train_s_sum']:.2f} s; "
              f"cores the workers got {results[name]['cores_got']:.2f})")
    pool = results[variants[2][0]]["wall_s"]
    for name in (variants[0][0], variants[1][0]):
        print(f"speed-up of the pool over '{name}': {results[name]['wall_s'] / pool:.2f}x")
    if not args.no_ray:
        ray_wall = results[variants[3][0]]["wall_s"]
        per_trial = (ray_wall - pool) / (4 / cores)
        print(f"Ray: {ray_wall:.2f} s vs pool {pool:.2f} s: {per_trial:+.2f} s per trial "
              f"(its start-up, ray.init included, spread over the {4 // cores} rounds)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"cores": cores, "arch": args.arch, "train_size": args.train_size,
                   "epochs": args.epochs, "results": results, "runs": runs}, handle, indent=2)


if __name__ == "__main__":
    main()
