"""What the figures were measured on: CPU, cores, GPU, torch, date, load."""

from __future__ import annotations

import datetime
import os
import platform
from typing import Any


def cpu_model() -> str:
    from tui_cnn.core.devices import cpu_name

    return cpu_name()


def load_average() -> list[float]:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return []


def info() -> dict[str, Any]:
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "gpu": gpu,
            "torch": torch.__version__, "python": platform.python_version(),
            "platform": platform.platform(),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_average": load_average()}
