"""Every benchmark this machine can run, as one table (stdout) and JSON.

    python -m benchmarks.run [--quick] [--json PATH] [--threads N] [--mnist-dir DIR] [--isa avx2]

Sections: 1 trainer vs the canonical loop (images/s), 2 time to 99% test accuracy,
3 UI cost (app vs headless throughput, key-press latency, first frame), 4 peak memory.
Sections 1 and 2 run on the CPU and, where one is available, on a CUDA GPU as well.
Section 1 also measures the machine's fp32 peak (benchmarks.peak) and gives each throughput
row as a fraction of it. ``--isa avx2`` re-runs this command with ATen, oneDNN and MKL capped
at AVX2: on an AVX-512 machine, the figures of a CPU with AVX2 + FMA and no bf16.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import machine
from benchmarks.datafiles import write_cifar10, write_mnist
from benchmarks.report import Row, mib, ms, rate, rows_json, seconds, table

MNIST_SIZES = (12_000, 2_000)  # synth-digits' default sizes: the default run's data
CIFAR_SIZES = (10_000, 2_000)
CPU_TARGET, CUDA_TARGET, CUDA_TTA_S = 2.0, 10.0, 2.0


@dataclass
class Options:
    quick: bool
    threads: int
    devices: list[str]
    mnist_dir: Path | None
    sections: set[int]
    work: Path  # temporary folder: data files, runs

    @property
    def repeats(self) -> int:
        return 1 if self.quick else 3


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# -- section 1 -----------------------------------------------------------------------------
def section_throughput(opts: Options, device: str) -> tuple[list[Row], list[dict[str, Any]]]:
    from benchmarks import peak
    from benchmarks import throughput as tp

    mnist, cifar = opts.work / "mnist", opts.work / "cifar"
    n_mnist, n_cifar = MNIST_SIZES[0], CIFAR_SIZES[0]
    cases = [tp.Case("cnn, MNIST-shaped", "cnn", "mnist", mnist, n_mnist),
             tp.Case("cnn-stride2, MNIST-shaped", "cnn-stride2", "mnist", mnist, n_mnist),
             tp.Case("mlp, MNIST-shaped", "mlp", "mnist", mnist, n_mnist),
             tp.Case("cnn, CIFAR-shaped", "cnn", "cifar10", cifar, n_cifar)]
    rows: list[Row] = []
    raw: list[dict[str, Any]] = []
    fp32 = peak.fp32_peak(opts.threads) if device == "cpu" else None
    say(f"1 fp32 peak, {opts.threads} thread(s): {fp32}")
    for case in cases[:1] if opts.quick else cases:
        say(f"1 throughput: {case.label} on {device}")
        best, sweep = tp.fastest_batch(case, opts.threads, device, opts.repeats)
        result = tp.compare(case, best, opts.threads, device, opts.repeats)
        result["batch_sweep"] = sweep
        result["fp32_peak_gflops"] = fp32
        result["train_flops_per_image"] = peak.train_flops_per_image(case.arch, case.dataset)
        raw.append(result)
        rows += _throughput_rows(result, device, opts.threads)
    return rows, raw


def _throughput_rows(result: dict[str, Any], device: str, threads: int) -> list[Row]:
    ips = result["images_per_s"]
    chapter = result["arch"] == "cnn" and result["dataset"] == "mnist"
    target_ratio = CUDA_TARGET if device.startswith("cuda") else CPU_TARGET
    where = f"{result['case']}, {device}, {threads} thread{'s' * (threads > 1)}"
    rows = []
    for key, label in (("default_batch", f"batch {result['default_batch']} (default)"),
                       ("best_batch", f"batch {result['best_batch']} (fastest here)")):
        ratio = result[f"ratio_{key}"]
        cpu_ratio = result.get(f"cpu_time_ratio_{key}")
        rows.append(Row("1 trainer vs canonical", f"{where}, {label}", rate(ips[f"core_{key}"]),
                        rate(ips["canonical"]) + " (batch 64)", ratio,
                        f">= {target_ratio:g}x" if chapter else "",
                        ratio >= target_ratio if chapter else None, cpu_ratio,
                        _of_peak(result, f"core_{key}"), _of_peak(result, "canonical")))
    return rows


def _of_peak(result: dict[str, Any], name: str) -> float | None:
    """A run's rate as a fraction of the fp32 peak: the thread-CPU-time rate at one thread
    (the peak is timed the same way there), else images/s."""
    from benchmarks import peak

    fp32 = result.get("fp32_peak_gflops")
    if not fp32:
        return None
    rates = result.get("cpu_time_images_per_s") or result["images_per_s"]
    return peak.fraction_of_peak(rates[name], result["train_flops_per_image"], fp32["peak"])


# -- section 2 -----------------------------------------------------------------------------
def section_accuracy(opts: Options, device: str) -> tuple[list[Row], list[dict[str, Any]]]:
    from benchmarks import accuracy

    sets = [("synth-digits", opts.work / "mnist")]
    if opts.mnist_dir is not None:
        sets.append(("MNIST", opts.mnist_dir))
    rows, raw = [], []
    for name, root in sets:
        say(f"2 time to 99%: {name} on {device}")
        core = accuracy.core_time_to(root, opts.threads, device)
        base = None if opts.quick else accuracy.canonical_time_to(
            root, opts.threads, device, max_epochs=core["planned_epochs"])
        raw.append({"dataset": name, "device": device, "threads": opts.threads,
                    "core": core, "canonical": base})
        rows.append(_accuracy_row(name, device, opts.threads, core, base))
    return rows, raw


def _accuracy_row(name: str, device: str, threads: int, core: dict[str, Any],
                  base: dict[str, Any] | None) -> Row:
    value = seconds(core["seconds"])
    if core["seconds"] is None:
        value += f" (best {100 * core['best_acc']:.2f}%)"
    baseline = "not run (--quick)"
    ratio = None
    if base is not None:
        baseline = seconds(base["seconds"]) + f" (best {100 * base['best_acc']:.2f}%)"
        if core["seconds"] and base["seconds"]:
            ratio = base["seconds"] / core["seconds"]
    cuda = device.startswith("cuda")
    met = (core["seconds"] is not None and core["seconds"] < CUDA_TTA_S) if cuda else None
    return Row("2 time to 99%", f"cnn, {name}, defaults, {device}, {threads} thread(s)", value,
               baseline, ratio, f"< {CUDA_TTA_S:g} s" if cuda else "", met)


# -- section 3 -----------------------------------------------------------------------------
def section_ui(opts: Options) -> tuple[list[Row], dict[str, Any]]:
    from benchmarks import ui
    from tui_cnn.core.config import TrainConfig
    from tui_cnn.core.devices import default_threads

    threads = default_threads(reserve_for_ui=True)
    cfg = TrainConfig(dataset="mnist", data_dir=str(opts.work / "mnist"), download=False,
                      epochs=1 if opts.quick else 2, threads=threads, device="cpu",
                      runs_dir=str(opts.work / "runs"))
    say(f"3 UI: app vs headless, {threads} thread(s)")
    speed = ui.throughput(cfg, 1 if opts.quick else 2)
    keys = {}
    for name, pressed in ui.KEYS.items():
        say(f"3 UI: key presses while training ({name})")
        keys[name] = ui.key_latency(cfg, pressed, 40 if opts.quick else 100)
    say("3 UI: time to first frame")
    first = ui.first_frame(opts.work / "runs", opts.repeats)
    med = speed["images_per_s"]
    ui_share = statistics.median(speed["ui_thread_cpu_share"])
    rows = [Row("3 UI cost", f"training in the app vs headless, {threads} thread(s) "
                f"(UI thread: {100 * ui_share:.0f}% of a core)",
                rate(med["app"]), rate(med["headless"]), speed["ratio"], ">= 0.95x",
                speed["ratio"] >= 0.95)]
    for name, label in (("pause", "space (pause/resume)"), ("view", "2/1 (switch view)")):
        lat = keys[name]
        rows += [Row("3 UI cost", f"key -> screen update while training, {label}, p95 "
                     f"({lat['presses']} presses)", ms(lat["p95_ms"]), "50 ms (target)",
                     _under(lat["p95_ms"], 50.0), "< 50 ms", _met_under(lat["p95_ms"], 50.0)),
                 Row("3 UI cost", f"key -> screen update while training, {label}, median",
                     ms(lat["median_ms"]), "50 ms (target)", _under(lat["median_ms"], 50.0))]
    rows.append(Row("3 UI cost", "time to first frame (fresh process, headless)",
                    seconds(first["median_s"]), "1 s (target)", _under(first["median_s"], 1.0),
                    "< 1 s", _met_under(first["median_s"], 1.0)))
    return rows, {"throughput": speed, "keys": keys, "first_frame": first}


def _under(value: float | None, target: float) -> float | None:
    return None if not value else target / value


def _met_under(value: float | None, target: float) -> bool | None:
    return None if value is None else value < target


# -- section 4 -----------------------------------------------------------------------------
def section_memory(opts: Options) -> tuple[list[Row], dict[str, Any]]:
    from benchmarks import memory

    say("4 memory: peak RSS of one epoch (core, canonical, imports only)")
    result = memory.measure(opts.work / "mnist", opts.threads, "cpu", opts.work / "runs")
    peak = result["peak_rss_mib"]
    rows = [Row("4 memory", "peak RSS, cnn, one epoch of 12,000 images + test, cpu",
                mib(peak["core"]), mib(peak["canonical"]) + " (canonical)",
                peak["canonical"] / peak["core"]),
            Row("4 memory", "the same above a process that only imports torch "
                f"({mib(peak['imports'])})", mib(result["core_above_imports_mib"]),
                mib(result["canonical_above_imports_mib"]) + " (canonical)",
                _under(result["core_above_imports_mib"],
                       result["canonical_above_imports_mib"]))]
    return rows, result


# -- main ----------------------------------------------------------------------------------
def _devices(requested: str) -> list[str]:
    import torch

    if requested != "all":
        return [requested]
    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


def run_all(opts: Options) -> dict[str, Any]:
    write_mnist(opts.work / "mnist", *MNIST_SIZES)
    write_cifar10(opts.work / "cifar", *CIFAR_SIZES)
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    per_device: list[tuple[int, str, Callable[[Options, str], Any]]] = [
        (1, "throughput", section_throughput), (2, "time_to_accuracy", section_accuracy)]
    for number, key, fn in per_device:
        for device in opts.devices if number in opts.sections else []:
            new_rows, raw[f"{key}_{device}"] = fn(opts, device)
            rows += new_rows
    for number, key, single in ((3, "ui", section_ui), (4, "memory", section_memory)):
        if number in opts.sections:
            new_rows, raw[key] = single(opts)
            rows += new_rows
    return {"rows": rows, "raw": raw}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one repeat, fewer cases")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for both loops (default 1: see README)")
    parser.add_argument("--device", default="all", help="all (default), cpu or cuda")
    parser.add_argument("--mnist-dir", type=Path,
                        help="folder holding MNIST/raw IDX files: section 2 on real MNIST too")
    parser.add_argument("--sections", default="1,2,3,4", help="e.g. 1,3")
    parser.add_argument("--isa", choices=sorted(machine.ISA_CAPS),
                        help="cap ATen, oneDNN and MKL at this ISA (re-runs the command)")
    return parser.parse_args(argv)


def _rerun_with_isa_cap(isa: str, argv: list[str]) -> None:
    """Start this command again with the ISA cap in its environment (it must be set before
    torch is imported) and never return."""
    env = {**os.environ, **machine.ISA_CAPS[isa]}
    os.execve(sys.executable, [sys.executable, "-m", "benchmarks.run", *argv], env)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.isa and machine.isa_cap() is None:
        _rerun_with_isa_cap(args.isa, sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    info = machine.info()
    with tempfile.TemporaryDirectory(prefix="tui-cnn-bench-") as work:
        opts = Options(args.quick, args.threads, _devices(args.device), args.mnist_dir,
                       {int(s) for s in args.sections.split(",")}, Path(work))
        result = run_all(opts)
    info["load_average_end"] = machine.load_average()
    info["wall_s"] = round(time.perf_counter() - started, 1)
    cap = f", capped at {info['isa_cap']}" if info["isa_cap"] else ""
    print(f"tui-cnn benchmarks — {info['cpu']} ({' '.join(info['cpu_flags'])}{cap}), "
          f"{info['cores']} cores"
          f"{', ' + info['gpu'] if info['gpu'] else ''}; torch {info['torch']}; {info['date']}; "
          f"load {info['load_average']} -> {info['load_average_end']}; "
          f"{'quick, ' if args.quick else ''}{info['wall_s']:.0f} s")
    print(table(result["rows"]))
    if args.json:
        report = {"machine": info, "options": {**vars(args), "json": str(args.json),
                                               "mnist_dir": str(args.mnist_dir)},
                  "rows": rows_json(result["rows"]), "sections": result["raw"]}
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
