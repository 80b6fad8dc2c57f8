"""Devices: resolve "auto" | "cpu" | "cuda" | "cuda:N" | "mps" to a torch.device, or say why not."""

from __future__ import annotations

import os
import platform
import re
import time

import torch

from tui_cnn.core.config import ConfigError

_DEVICE_RE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


class DeviceError(ConfigError):
    """The device asked for is not on this machine."""


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def resolve(name: str) -> torch.device:
    """The torch.device for ``name``; DeviceError with what is available otherwise."""
    text = (name or "").strip().lower()
    if not _DEVICE_RE.match(text):
        raise DeviceError(f"unknown device {name!r}; use auto, cpu, cuda, cuda:N or mps")
    if text == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    if text == "cpu":
        return torch.device("cpu")
    if text == "mps":
        if not _mps_available():
            raise DeviceError(f"device 'mps' is not available here; {_available_text()}")
        return torch.device("mps")
    if not torch.cuda.is_available():
        raise DeviceError(f"device {name!r} is not available: no CUDA GPU; {_available_text()}")
    index = int(text.split(":")[1]) if ":" in text else torch.cuda.current_device()
    count = torch.cuda.device_count()
    if index >= count:
        raise DeviceError(f"device {name!r} is not available: this machine has {count} "
                          f"CUDA device(s); {_available_text()}")
    return torch.device("cuda", index)


def available_devices() -> list[tuple[str, str]]:
    """(name, label) for each device this machine has, "cpu" first."""
    found = [("cpu", f"cpu ({cpu_name()}, {os.cpu_count() or 1} cores)")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            found.append((f"cuda:{i}", f"cuda:{i} ({torch.cuda.get_device_name(i)})"))
    if _mps_available():
        found.append(("mps", "mps (Apple GPU)"))
    return found


def _available_text() -> str:
    return "available: " + ", ".join(name for name, _ in available_devices())


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (mps)"
    return cpu_name()


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def busy_cores(interval: float = 0.1) -> float:
    """How many cores other work keeps busy now, from /proc/stat over ``interval`` (Linux;
    0.0 where it cannot be read)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        return sum(values), values[3] + (values[4] if len(values) > 4 else 0)

    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    spent = total1 - total0
    busy = 1.0 - (idle1 - idle0) / spent if spent > 0 else 0.0
    return max(0.0, busy) * (os.cpu_count() or 1)


def default_threads(reserve_for_ui: bool) -> int:
    """Torch threads: the cores no other process is using, less one for the UI if there is
    one. Oversubscribing a core measured 2-5x slower than leaving it alone."""
    cores = os.cpu_count() or 1
    free = cores - int(round(busy_cores()))
    return max(1, free - 1 if reserve_for_ui else free)
