"""Section 4: peak resident memory of a training run, each in a fresh process.

The figure is the child's own high-water mark, VmHWM from /proc/self/status (getrusage's
ru_maxrss elsewhere), printed by the child as it ends: the whole process, interpreter and
torch included. (The parent's ``wait4`` would not do: Linux carries the forking parent's
peak into the child's ru_maxrss across exec.) Runs: one epoch of the chapter's CNN through the core
(``train.run``, runs saved to a temporary folder as a user's run is), the canonical loop over
the same files, and a process that only imports torch and torchvision (the floor).
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

KINDS = ("core", "canonical", "imports")


def own_peak_mib() -> float:
    """This process's peak resident memory in MiB."""
    try:
        with open("/proc/self/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _child(kind: str, root: str, threads: int, device: str, runs_dir: str) -> None:
    import torch
    import torchvision  # noqa: F401  (the floor includes what both loops import)

    if kind == "core":
        from tui_cnn.core.config import TrainConfig
        from tui_cnn.core.train import run

        cfg = TrainConfig(dataset="mnist", data_dir=root, download=False, epochs=1,
                          threads=threads, device=device, runs_dir=runs_dir)
        for _ in run(cfg):
            pass
    elif kind == "canonical":
        from benchmarks.canonical import Canonical
        from tui_cnn.core.config import preset

        torch.set_num_threads(threads)
        loop = Canonical.create(preset("cnn"), "mnist", Path(root), torch.device(device))
        loop.train_epoch()
        loop.test_accuracy()
    print(f"PEAK_MIB {own_peak_mib()!r}", flush=True)


def peak_rss_mib(kind: str, root: Path, threads: int, device: str, runs_dir: Path) -> float:
    """Peak resident memory (MiB) of a child process doing ``kind``."""
    cmd = [sys.executable, "-m", "benchmarks.memory", kind, str(root), str(threads), device,
           str(runs_dir)]
    out = subprocess.run(cmd, cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                         text=True, check=True)
    line = next(s for s in out.stdout.splitlines() if s.startswith("PEAK_MIB"))
    return float(line.split()[1])


def measure(root: Path, threads: int, device: str, runs_dir: Path) -> dict[str, Any]:
    mib = {kind: peak_rss_mib(kind, root, threads, device, runs_dir) for kind in KINDS}
    return {"peak_rss_mib": mib, "ratio_core_to_canonical": mib["core"] / mib["canonical"],
            "core_above_imports_mib": mib["core"] - mib["imports"],
            "canonical_above_imports_mib": mib["canonical"] - mib["imports"]}


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
