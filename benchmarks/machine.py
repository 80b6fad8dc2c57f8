"""What the figures were measured on: CPU, cores, GPU, torch, date, load."""

from __future__ import annotations

import datetime
import os
import platform
from typing import Any


def cpu_model() -> str:
    from tui_cnn.core.devices import cpu_name

    return cpu_name()


ISA_CAPS = {"avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2",
                     "MKL_ENABLE_INSTRUCTIONS": "AVX2"}}
"""Environment that makes ATen, oneDNN and MKL use no more than this ISA (set before torch
is imported): an AVX-512 machine then trains as a CPU with only AVX2 + FMA would."""
SIMD_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16")


def cpu_flags() -> list[str]:
    """The SIMD flags that decide CPU training speed, as /proc/cpuinfo lists them."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            text = cpuinfo.read()
    except OSError:
        return []
    line = next((row for row in text.splitlines() if row.startswith("flags")), "")
    present = set(line.split(":", 1)[-1].split())
    return [flag for flag in SIMD_FLAGS if flag in present]


def isa_cap() -> str | None:
    """The ISA cap in force in this process's environment, if any."""
    return os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("ATEN_CPU_CAPABILITY")


def load_average() -> list[float]:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return []


def info() -> dict[str, Any]:
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {"cpu": cpu_model(), "cpu_flags": cpu_flags(), "isa_cap": isa_cap(),
            "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "cores": os.cpu_count(), "gpu": gpu,
            "torch": torch.__version__, "python": platform.python_version(),
            "platform": platform.platform(),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_average": load_average()}
