"""The CPU speed knobs, one at a time, on the core's own Session (threads, OpenMP wait policy,
channels_last, batch size, the allocator setting, bf16 autocast, the eval chunk, and for the
fp32 path: torch.compile, oneDNN on/off, the pool-then-ReLU forward).

``python -m benchmarks.knobs [--quick] [--isa avx2] [--json PATH]``. ``--isa avx2`` caps ATen,
oneDNN and MKL at AVX2 in every worker: an AVX-512 machine then trains as an AVX2 + FMA CPU
without bf16 would (the fp32-only laptops most learners have). Each variant runs in its own
process (so env variables and the process-wide allocator setting apply from the start),
variants alternate round-robin, and each figure is the median of the repeats. Investigation
only: nothing here changes the core; variants are monkeypatches of a live Session.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks import machine

TRAIN_IMAGES = 6144  # images timed per measurement (after warm-up); same for every batch size
WARMUP_STEPS = 5


@dataclass(frozen=True)
class Variant:
    name: str
    batch: int = 32
    threads: int = 1
    channels_last: bool = True
    allocator: bool = True
    bf16: bool = False
    fused_adam: bool = False  # torch.optim.Adam(..., fused=True)
    grad_hook: bool = False  # keep the conv stack's gradients channels_last (see below)
    pool_first: bool = True  # the core's models.pool_then_relu forward (False: model(x))
    compile: bool = False  # torch.compile (inductor) on the model; its compile time is kept
    mkldnn: bool = True  # torch.backends.mkldnn.enabled
    foreach_adam: bool = False  # torch.optim.Adam(..., foreach=True) instead of the fused one
    augment_once: bool = False  # shift the whole training tensor once, not batch by batch
    split: bool = False  # batch_split="auto": each thread trains on a share of the batch
    env: dict[str, str] = field(default_factory=dict)
    busy: bool = False  # a busy-looping neighbour process on the machine during the run


# -- worker (one variant, one process) -----------------------------------------------------
def _session(v: Variant, images: int) -> Any:
    import tui_cnn.core.session as session_module
    from tui_cnn.core.config import TrainConfig
    from tui_cnn.core.datasets import load_arrays

    if not v.allocator:
        session_module.tune_allocator = lambda: False  # type: ignore[assignment]
    cfg = TrainConfig(dataset="synth-digits", epochs=1, batch_size=v.batch, threads=v.threads,
                      train_size=images, test_size=512, runs_dir="",
                      precision="bf16" if v.bf16 else "fp32",
                      batch_split="auto" if v.split else "off")
    session = session_module.Session.create(cfg, load_arrays("synth-digits", train_size=images,
                                                             test_size=512))
    import torch

    if not v.channels_last:
        session.channels_last = False
        session.model.to(memory_format=torch.contiguous_format)
    if v.fused_adam:
        session.optimizer = torch.optim.Adam(session.model.parameters(), lr=cfg.lr, fused=True)
    if v.grad_hook:
        keep_grads_channels_last(session.model)
    if v.foreach_adam:
        session.optimizer = torch.optim.Adam(session.model.parameters(), lr=cfg.lr,
                                             foreach=True)
    if not v.mkldnn:
        torch.backends.mkldnn.enabled = False  # type: ignore[assignment]  # a ContextProp
    if v.compile:
        session._forward = torch.compile(session.model)
    elif not v.pool_first:
        session._forward = session.model
    session.begin_epoch(1)
    return session


def augment_whole_set(session: Any) -> None:
    """The epoch's shifts drawn for the whole training tensor in one call, and none per batch
    (measure() calls this inside its timed window; the batches read data.x_train anew)."""
    from tui_cnn.core import device_data

    session.data.x_train = device_data.augment_batch(
        session.data.x_train, session._aug_generator, pad=2, padding="zeros", flip=False)
    session._augment = lambda x: x


def keep_grads_channels_last(model: Any) -> None:
    """Flatten's backward hands the conv stack NCHW gradients although the forward ran in
    channels_last, so every backward kernel behind it mixes layouts. A hook on Flatten's
    input turns the gradient back to channels_last (the candidate core change)."""
    import torch
    from torch import nn

    flatten = next((m for m in model.modules() if isinstance(m, nn.Flatten)), None)
    if flatten is None:
        return

    def to_channels_last(grad: torch.Tensor) -> torch.Tensor:
        return grad.contiguous(memory_format=torch.channels_last)

    def pre_hook(_module: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
        if args[0].requires_grad and args[0].dim() == 4:
            args[0].register_hook(to_channels_last)

    flatten.register_forward_pre_hook(pre_hook)


def measure(v: Variant, images: int = TRAIN_IMAGES) -> dict[str, float]:
    """Training images/s of the core's step for ``images`` images after a short warm-up."""
    session = _session(v, images + WARMUP_STEPS * v.batch)
    batches = iter(session.batches(1))
    warm_started = time.perf_counter()
    for _ in range(WARMUP_STEPS):
        session.step(*next(batches))
    warmup_s = time.perf_counter() - warm_started  # with compile: mostly compiling
    done, started, cpu = 0, time.perf_counter(), time.thread_time()
    if v.augment_once:
        augment_whole_set(session)
    for x, y in batches:
        session.step(x, y)
        done += len(y)
    session.report()  # reads the metrics back: the same sync the trainer makes
    return {"images_per_s": done / (time.perf_counter() - started),
            "cpu_time_images_per_s": done / (time.thread_time() - cpu), "warmup_s": warmup_s}


def measure_eval(chunks: list[int], repeats: int, test_size: int = 10_000) -> dict[str, float]:
    """Seconds to evaluate ``test_size`` images per chunk size (alternated, median)."""
    import torch

    from tui_cnn.core.optim import evaluate

    v = Variant("eval", threads=1)
    session = _session(v, 1024)
    from tui_cnn.core import device_data
    from tui_cnn.core.datasets import load_arrays

    arrays = load_arrays("synth-digits", train_size=1024, test_size=test_size)
    data = device_data.to_device(arrays, torch.device("cpu"))
    times: dict[int, list[float]] = {c: [] for c in chunks}
    for _ in range(repeats):
        for chunk in chunks:
            started = time.perf_counter()
            evaluate(session.model, data, chunk, session.channels_last)
            times[chunk].append(time.perf_counter() - started)
    return {str(c): statistics.median(t) for c, t in times.items()}


def run_accuracy(seed: int, bf16: bool, epochs: int = 2) -> dict[str, float]:
    """Test accuracy and images/s after ``epochs`` default epochs on synth-digits."""
    from tui_cnn.core import train
    from tui_cnn.core.config import TrainConfig
    from tui_cnn.core.events import EpochMetrics

    cfg = TrainConfig(epochs=epochs, seed=seed, threads=1, runs_dir="",
                      precision="bf16" if bf16 else "fp32")
    last = [e for e in train.run(cfg) if isinstance(e, EpochMetrics)][-1]
    return {"test_acc": last.test_acc, "test_loss": last.test_loss,
            "images_per_s": last.images_per_s}


def _worker(spec: str) -> None:
    job = json.loads(spec)
    kind = job.pop("kind")
    if kind == "train":
        result: dict[str, Any] = measure(Variant(**job))
    elif kind == "eval":
        result = measure_eval(job["chunks"], job["repeats"])
    else:
        result = run_accuracy(job["seed"], job["bf16"])
    print(json.dumps(result))


# -- driver --------------------------------------------------------------------------------
@contextlib.contextmanager
def busy_neighbour(on: bool) -> Iterator[None]:
    """A pure-Python busy loop in another process (one core's worth of load)."""
    if not on:
        yield
        return
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)
        yield
    finally:
        proc.kill()
        proc.wait()


def _spawn(job: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
    full_env = {**os.environ, **(env or {})}
    out = subprocess.run([sys.executable, "-m", "benchmarks.knobs", "--worker", json.dumps(job)],
                         capture_output=True, text=True, env=full_env, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def compare(variants: list[Variant], repeats: int) -> dict[str, Any]:
    """Round-robin over ``variants``, ``repeats`` times; median images/s and the runs.

    With one thread, the thread-CPU-time rate is kept too: another process's load does not
    move it, so it is the steadier figure for comparing code changes (not thread counts)."""
    runs: dict[str, list[float]] = {v.name: [] for v in variants}
    cpu_runs: dict[str, list[float]] = {v.name: [] for v in variants if v.threads == 1}
    warmups: dict[str, list[float]] = {v.name: [] for v in variants}
    loads: list[float] = []
    for _ in range(repeats):
        for v in variants:
            job = {"kind": "train", **{k: val for k, val in asdict(v).items()
                                       if k not in ("env", "busy")}}
            loads.append(os.getloadavg()[0])
            with busy_neighbour(v.busy):
                result = _spawn(job, v.env)
            runs[v.name].append(result["images_per_s"])
            warmups[v.name].append(result["warmup_s"])
            if v.name in cpu_runs:
                cpu_runs[v.name].append(result["cpu_time_images_per_s"])
    return {"median": {k: statistics.median(r) for k, r in runs.items()}, "runs": runs,
            "cpu_time_median": {k: statistics.median(r) for k, r in cpu_runs.items()},
            "warmup_s": warmups, "load_1min": [min(loads), max(loads)]}


def _ratio_lines(title: str, result: dict[str, Any], base: str) -> list[str]:
    lines = [f"{title} (load {result['load_1min'][0]:.1f}-{result['load_1min'][1]:.1f})"]
    base_value = result["median"][base]
    cpu = result["cpu_time_median"]
    for name, value in result["median"].items():
        runs = ", ".join(f"{r:,.0f}" for r in result["runs"][name])
        line = f"  {name:<40} {value:8,.0f} img/s x{value / base_value:5.2f} [{runs}]"
        warmup = statistics.median(result["warmup_s"][name])
        if warmup > 1.0:  # torch.compile: what it costs before the first fast step
            line += f"  warm-up {warmup:.1f} s"
        if name in cpu and base in cpu:
            line += f"  cpu-time {cpu[name]:,.0f} x{cpu[name] / cpu[base]:.2f}"
        lines.append(line)
    return lines


def studies(quick: bool) -> list[tuple[str, list[Variant], str]]:
    """(title, variants, baseline name) for each comparison."""
    t1 = Variant("1 thread, batch 32")
    t1_128 = replace(t1, name="1 thread, batch 128", batch=128)
    passive = {"OMP_WAIT_POLICY": "PASSIVE"}
    threads = [t1, replace(t1, name="2 threads, batch 32", threads=2), t1_128,
               replace(t1_128, name="2 threads, batch 128", threads=2)]
    threads.append(replace(threads[1], name="2 threads, batch 32, PASSIVE", env=passive))
    busy = [replace(v, name=v.name + " +busy", busy=True) for v in threads[:4]]
    busy += [replace(v, name=v.name + " PASSIVE", env=passive)
             for v in busy if v.threads == 2]
    busy.append(replace(busy[1], name=busy[1].name + " interop=1",
                        env={"TUI_CNN_BENCH_INTEROP": "1"}))
    layout = [t1, replace(t1, name="1 thread, batch 32, NCHW", channels_last=False),
              t1_128, replace(t1_128, name="1 thread, batch 128, NCHW", channels_last=False)]
    batch = [replace(t1, name=f"1 thread, batch {b}", batch=b) for b in (32, 64, 128, 256)]
    alloc = [t1, replace(t1, name="1 thread, batch 32, glibc default malloc", allocator=False),
             t1_128, replace(t1_128, name="1 thread, batch 128, glibc default malloc",
                             allocator=False)]
    bf16 = [t1, replace(t1, name="1 thread, batch 32, bf16 autocast", bf16=True),
            t1_128, replace(t1_128, name="1 thread, batch 128, bf16 autocast", bf16=True)]
    fused_hook = replace(t1, name="batch 32, fused Adam + grad hook", fused_adam=True,
                         grad_hook=True)
    changes = [t1, replace(t1, name="batch 32, fused Adam", fused_adam=True),
               replace(t1, name="batch 32, grad hook", grad_hook=True), fused_hook,
               replace(fused_hook, name="batch 32, fused + hook + bf16", bf16=True),
               t1_128, replace(t1_128, name="batch 128, fused + hook", fused_adam=True,
                               grad_hook=True),
               replace(t1_128, name="batch 128, fused + hook + bf16", fused_adam=True,
                       grad_hook=True, bf16=True)]
    fp32 = [t1, replace(t1, name="batch 32, model(x) (no pool-then-ReLU)", pool_first=False),
            replace(t1, name="batch 32, torch.compile", compile=True),
            replace(t1, name="batch 32, oneDNN off", mkldnn=False),
            replace(t1, name="batch 64", batch=64),
            replace(t1, name="batch 32, foreach Adam (not fused)", foreach_adam=True),
            replace(t1, name="batch 32, shifts once per epoch", augment_once=True),
            replace(t1, name="batch 32, fused Adam + grad hook", fused_adam=True,
                    grad_hook=True)]
    t2 = replace(t1, name="2 threads, batch 32 (ops shared)", threads=2)
    t2_split = replace(t2, name="2 threads, batch 32, split", split=True)
    split = [t1, t2, replace(t2, name=t2.name + ", PASSIVE", env=passive), t2_split,
             replace(t2_split, name=t2_split.name + ", PASSIVE", env=passive)]
    split += [replace(v, name=v.name + " +busy", busy=True) for v in split[2::2]]
    all_studies = [("batch split (2 threads)", split, t1.name),
                   ("fp32 step (issue 16)", fp32, t1.name),
                   ("threads (machine as it is)", threads, t1.name),
                   ("threads with a busy neighbour process", busy, busy[0].name),
                   ("memory layout", layout, t1.name), ("batch size", batch, t1.name),
                   ("allocator (tune_allocator)", alloc, t1.name),
                   ("bf16 autocast (speed)", bf16, t1.name),
                   ("candidate core changes", changes, t1.name)]
    return all_studies[:4] if quick else all_studies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.knobs")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", help="run only studies whose title contains this")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--isa", choices=["avx2"], help="cap every worker at this ISA")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.isa:
        os.environ.update(machine.ISA_CAPS[args.isa])  # the workers inherit it
    if args.worker:
        if os.environ.get("TUI_CNN_BENCH_INTEROP"):
            import torch

            torch.set_num_interop_threads(int(os.environ["TUI_CNN_BENCH_INTEROP"]))
        _worker(args.worker)
        return 0
    report: dict[str, Any] = {"machine": machine.info(), "studies": {}}
    for title, variants, base in studies(args.quick):
        if args.only and args.only not in title:
            continue
        result = compare(variants, args.repeats)
        report["studies"][title] = result
        print("\n".join(_ratio_lines(title, result, base)), flush=True)
    if not args.only or "eval" in args.only:
        report["eval_chunk_s"] = _spawn({"kind": "eval", "chunks": [128, 256, 512, 1024, 2048,
                                                                   10_000], "repeats": 5})
        print("eval of 10,000 images, seconds by chunk:", report["eval_chunk_s"], flush=True)
    if not args.quick and (not args.only or "bf16" in args.only):
        report["bf16_accuracy"] = [
            {name: _spawn({"kind": "accuracy", "seed": seed, "bf16": name == "bf16"})
             for name in ("fp32", "bf16")} for seed in (0, 1, 2)]
        print("bf16 accuracy after 2 epochs:", report["bf16_accuracy"], flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
