"""Issue 15's speed targets for runs in a process of their own, measured side by side:

- training throughput with the app attached (the run trains in its child process, the app
  follows its event stream and draws it) vs the same run headless (``core.train.run`` in
  this process), same config and threads, alternated ``--repeats`` times: target >= 0.98;
- key press to screen update while the attached run trains (space and 2/1, as
  benchmarks/ui.py measures them, in a fresh process per key): target p95 < 50 ms; each
  is measured again with the run in the app's own process (as before core/live), in turn,
  to tell the machine's load from the change.

    python -m benchmarks.detach [--repeats 3] [--presses 60] [--train-size 6000]
                                [--threads N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from benchmarks import ui
from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.devices import default_threads


def cpu() -> dict[str, Any]:
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        text = ""
    name = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                 if line.lower().startswith("model name")), platform.processor())
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines()
                  if line.lower().startswith("flags")), [])
    return {"model": name, "cores": os.cpu_count(), "avx2": "avx2" in flags,
            "avx512f": "avx512f" in flags, "avx512_bf16": "avx512_bf16" in flags}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--train-size", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--runs-dir", default="/tmp/tui-cnn-bench-detach")
    parser.add_argument("--threads", type=int,
                        help="the attached run's torch threads (default: as the app picks, "
                        "the free cores less one for the UI)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    threads = args.threads or default_threads(reserve_for_ui=True)
    cfg = TrainConfig(arch=PRESETS["cnn"], dataset="synth-digits", epochs=args.epochs,
                      train_size=args.train_size, test_size=1000, threads=threads,
                      device="cpu", runs_dir=args.runs_dir)
    load_before = os.getloadavg()
    speed = ui.throughput(cfg, args.repeats)
    keys: dict[str, Any] = {}
    for name, pressed in ui.KEYS.items():  # attached, then the old in-process app, in turn
        keys[name] = ui.key_latency(cfg, pressed, args.presses)
        keys[f"{name} (in-process run)"] = ui.key_latency(cfg, pressed, args.presses,
                                                         in_process=True)
    result = {"cpu": cpu(), "threads": threads, "train_size": args.train_size,
              "epochs": args.epochs, "load_before": load_before,
              "load_after": os.getloadavg(), "throughput": speed, "keys": keys}
    med = speed["images_per_s"]
    print(f"attached {med['app']:,.0f} img/s vs headless {med['headless']:,.0f} img/s "
          f"(medians of {args.repeats}, {threads} thread(s)): ratio {speed['ratio']:.3f}; "
          f"median of the alternated pairs' ratios {speed['median_pair_ratio']:.3f} "
          f"(pairs: {', '.join(f'{r:.3f}' for r in speed['pair_ratios'])})")
    for name, k in keys.items():
        print(f"key {name}: median {k['median_ms']:.1f} ms, p95 {k['p95_ms']:.1f} ms, "
              f"max {k['max_ms']:.1f} ms over {k['presses']} presses; trainer "
              f"{k['images_per_s_while_pressing']:,.0f} img/s while pressing")
    print(f"cpu: {result['cpu']}; load {load_before} -> {result['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=float) + "\n")
    print(json.dumps({"ratio": speed["ratio"], "median_pair_ratio": speed["median_pair_ratio"],
                      "p95_ms": {n: k["p95_ms"] for n, k in keys.items()}}))


if __name__ == "__main__":
    main()
