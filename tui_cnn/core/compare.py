"""Saved runs side by side: the settings that differ and what each run achieved.

Pure Python over ``runs.RunRecord`` (no torch): a test can build records by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tui_cnn.core.catalog import DATASETS
from tui_cnn.core.config import ArchSpec, ConfigError
from tui_cnn.core.layers import layer_table
from tui_cnn.core.runs import RunRecord

# Bookkeeping in config.json that differs between any two runs and says nothing about them.
IGNORED = frozenset({"run_id", "created", "params", "macs", "classes", "input_shape",
                     "runs_dir", "resume_from", "arch.description", "device_name",
                     "sweep", "carried_on_at"})


@dataclass(frozen=True)
class RunSummary:
    """One run's results, as read back from its folder (None where not recorded)."""

    run_id: str
    arch: str
    dataset: str
    params: int | None
    macs: int | None
    epochs_done: int
    best_test_acc: float | None
    final_test_acc: float | None
    train_seconds: float | None
    images_per_s: float | None
    status: str
    test_images: int | None = None  # how many test images the accuracies were measured on

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Comparison:
    runs: tuple[RunSummary, ...]
    differences: dict[str, tuple[Any, ...]]  # flat config key -> one value per run

    def to_dict(self) -> dict[str, Any]:
        ids = [run.run_id for run in self.runs]
        return {"runs": [run.to_dict() for run in self.runs],
                "differences": {key: dict(zip(ids, values, strict=True))
                                for key, values in self.differences.items()}}


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys: {"arch": {"name": "cnn"}} -> {"arch.name": "cnn"}."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = tuple(value) if isinstance(value, list) else value
    return flat


_MISSING = object()


def differences(configs: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """Config keys whose values are not all equal (absent -> None): ``arch.name`` first,
    then in first-seen order."""
    flats = [flatten(c) for c in configs]
    keys = list(dict.fromkeys(k for flat in flats for k in flat))
    keys.sort(key=lambda k: k != "arch.name")  # the architecture's name first, then as saved
    out: dict[str, tuple[Any, ...]] = {}
    for key in keys:
        if key in IGNORED:
            continue
        values = [flat.get(key, _MISSING) for flat in flats]
        if any(v != values[0] for v in values[1:]):
            out[key] = tuple(None if v is _MISSING else v for v in values)
    return out


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _size(config: dict[str, Any], key: str) -> int | None:
    """params or macs from config.json, else worked out from the arch and dataset."""
    value = config.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    arch, dataset = config.get("arch"), DATASETS.get(str(config.get("dataset")))
    if not isinstance(arch, dict) or dataset is None:
        return None
    try:
        table = layer_table(ArchSpec.from_dict(arch), dataset.shape, dataset.num_classes)
    except (ConfigError, TypeError):
        return None
    return table.params if key == "params" else table.macs


def summarise(record: RunRecord) -> RunSummary:
    cfg, status, epochs = record.config, record.status, record.epochs
    arch = cfg.get("arch")
    accs = [a for a in (_number(e.get("test_acc")) for e in epochs) if a is not None]
    seconds = _number(status.get("train_seconds"))
    if seconds is None and epochs:
        seconds = sum(_number(e.get("seconds")) or 0.0 for e in epochs)
    final = _number(status.get("final_test_acc"))
    return RunSummary(
        run_id=record.run_id,
        arch=str(arch.get("name", "?")) if isinstance(arch, dict) else "?",
        dataset=str(cfg.get("dataset", "?")),
        params=_size(cfg, "params"), macs=_size(cfg, "macs"),
        epochs_done=len(epochs),
        best_test_acc=max(accs) if accs else None,
        final_test_acc=final if final is not None else (accs[-1] if accs else None),
        train_seconds=seconds, images_per_s=_number(status.get("images_per_s")),
        status=record.state + (" (damaged)" if record.damaged else ""),
        test_images=_count(cfg.get("test_size_actual")))


def compare(records: list[RunRecord]) -> Comparison:
    """Summaries of ``records`` in the order given, and the config keys that differ (the
    learning rate's steering among them)."""
    return Comparison(tuple(summarise(r) for r in records),
                      differences([with_steering(r) for r in records]))


def with_steering(record: RunRecord) -> dict[str, Any]:
    """The run's config.json, with ``lr_steered`` where its learning rate was changed while
    it trained (steps.jsonl's lr rows): config.json keeps the rate it started with, so a
    steered run had been shown at that rate alone."""
    from tui_cnn.core.history import saved_lr_changes

    if not (record.path / "steps.jsonl").is_file():
        return record.config
    changes = saved_lr_changes(record.path)
    if not changes:
        return record.config
    return {**record.config, "lr_steered": ", ".join(
        f"{c.lr:g} from step {c.step + 1:,}" for c in changes)}


def as_percent(key: str, value: Any) -> Any:
    """A target accuracy as the percent every face shows it in (config.json: a fraction)."""
    if key == "target_acc" and isinstance(value, float):
        return f"{100 * value:g}%"
    return value
