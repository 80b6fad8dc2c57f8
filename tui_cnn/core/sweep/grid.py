"""A sweep as data: a base TrainConfig and an ordered grid of field values, expanded into trials.

``--grid arch=cnn,cnn-stride2 --grid seed=0,1,2`` is ``SweepSpec.build(base, [...])``: every
value is read by ``core.parse.parse_field`` (so the grid accepts exactly what the other faces
accept) and every combination is built into a TrainConfig before anything runs, so a bad
field or value is refused up front with a ConfigError naming both. Pure Python: no torch.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui_cnn.core.catalog import DATASETS
from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.layers import layer_table
from tui_cnn.core.parse import FIELDS, canonical, field_text, parse_field, with_field

MAX_TRIALS_UNCONFIRMED = 1000
# Fields that say where or how fast a trial runs, not what it is: left out of the sweep id.
_PLACE_FIELDS = ("runs_dir", "threads", "data_dir", "sweep", "resume_from", "download")
_LATER_FIELDS = {"batch_split": "auto"}
"""TrainConfig fields added after sweep ids were first given out: left out of the id while
at these defaults, so re-running an older sweep's command still finds it."""


@dataclass(frozen=True)
class Trial:
    """One combination of the grid: its index in the expansion, its values, its config."""

    index: int
    values: tuple[tuple[str, str], ...]  # (field, value text) in grid order
    config: TrainConfig

    @property
    def label(self) -> str:
        return " ".join(f"{name}={text}" for name, text in self.values)

    def value(self, name: str) -> str | None:
        return dict(self.values).get(name)


def split_values(text: str) -> list[str]:
    """``cnn,cnn-stride2`` -> two values; ``16,32;32,64`` -> two lists (``;`` wins if present)."""
    parts = text.split(";") if ";" in text else text.split(",")
    return [part.strip() for part in parts if part.strip()]


def parse_grid_arg(text: str) -> tuple[str, list[str]]:
    """``FIELD=V1,V2`` -> (field, [V1, V2]); ConfigError if it has no ``=`` or no values."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip():
        raise ConfigError(f"grid {text!r} must look like FIELD=V1,V2 (e.g. seed=0,1,2)")
    items = split_values(values)
    if not items:
        raise ConfigError(f"grid {name.strip()!r} has no values")
    return canonical(name), items


@dataclass(frozen=True)
class SweepSpec:
    """The base config and the grid, each value already parsed and shown canonically."""

    base: TrainConfig
    grid: tuple[tuple[str, tuple[str, ...]], ...]  # (field, value texts), in grid order

    @classmethod
    def build(cls, base: TrainConfig, grid: Sequence[tuple[str, Sequence[str]]]) -> SweepSpec:
        """Check every field and value; ConfigError naming the first bad one."""
        seen: set[str] = set()
        rows: list[tuple[str, tuple[str, ...]]] = []
        for raw_name, raw_values in grid:
            name = canonical(raw_name)
            if name not in FIELDS or name in _PLACE_FIELDS:
                raise ConfigError(f"unknown grid field {raw_name!r}; choose one of: "
                                  f"{', '.join(f for f in FIELDS if f not in _PLACE_FIELDS)}")
            if name in seen:
                raise ConfigError(f"grid field {name!r} is given twice; put all its values "
                                  "in one --grid")
            seen.add(name)
            texts = []
            for text in raw_values:
                try:
                    texts.append(field_text(name, parse_field(name, text)))
                except ConfigError as exc:
                    raise ConfigError(f"grid {name}={text}: {exc}") from None
            if len(set(texts)) != len(texts):
                raise ConfigError(f"grid {name!r} repeats a value: {', '.join(texts)}")
            rows.append((name, tuple(texts)))
        if not rows:
            raise ConfigError("a sweep needs at least one --grid FIELD=V1,V2")
        return cls(base.replace(sweep=None, resume_from=None), tuple(rows))

    @property
    def size(self) -> int:
        total = 1
        for _, values in self.grid:
            total *= len(values)
        return total

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.grid)

    def check_size(self, confirmed: bool) -> None:
        if self.size > MAX_TRIALS_UNCONFIRMED and not confirmed:
            raise ConfigError(f"this grid has {self.size:,} trials (more than "
                              f"{MAX_TRIALS_UNCONFIRMED:,}); add --yes to run them all")

    def sweep_id(self) -> str:
        """The same spec gives the same id: re-running a command finds its sweep."""
        base = {k: v for k, v in self.base.to_dict().items()
                if k not in _PLACE_FIELDS and _LATER_FIELDS.get(k, object()) != v}
        payload = json.dumps({"base": base, "grid": [[n, list(v)] for n, v in self.grid]},
                             sort_keys=True)
        return "sw-" + hashlib.sha256(payload.encode()).hexdigest()[:10]

    def trials(self) -> list[Trial]:
        """Every combination, the last grid field changing fastest; each config validated."""
        sweep_id = self.sweep_id()
        names = self.fields
        out = []
        for index, combo in enumerate(itertools.product(*(v for _, v in self.grid))):
            values = tuple(zip(names, combo, strict=True))
            cfg = _apply(self.base, values)
            info = DATASETS[cfg.dataset]
            try:
                layer_table(cfg.arch, info.shape, info.num_classes)
            except ConfigError as exc:
                label = " ".join(f"{n}={t}" for n, t in values)
                raise ConfigError(f"trial {label}: {exc}") from None
            out.append(Trial(index, values, cfg.replace(sweep=f"{sweep_id}/{index}")))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"sweep_id": self.sweep_id(), "base": self.base.to_dict(),
                "grid": [[name, list(values)] for name, values in self.grid],
                "trials": self.size}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepSpec:
        return cls.build(TrainConfig.from_dict(data["base"]),
                         [(str(n), [str(v) for v in values]) for n, values in data["grid"]])


def _apply(base: TrainConfig, values: tuple[tuple[str, str], ...]) -> TrainConfig:
    """The base with the grid's values set; ``arch`` first, so arch fields refine the preset."""
    cfg = base
    ordered = sorted(values, key=lambda item: item[0] != "arch")
    for name, text in ordered:
        try:
            cfg = with_field(cfg, name, parse_field(name, text))
        except ConfigError as exc:
            raise ConfigError(f"grid {name}={text}: {exc}") from None
    return cfg
