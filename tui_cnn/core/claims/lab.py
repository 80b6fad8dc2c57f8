"""The lab: trains what the claims' experiments need, several seeds each, once.

Runs live in ``<runs dir>/claims/runs/`` (ordinary run folders, not in the runs list),
found again by a hash of their config, so claims share them and a second ``claims`` run
trains nothing new. Verdicts are kept as ``<runs dir>/claims/<id>.json``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_cnn.core.atomic import atomic_write_json
from tui_cnn.core.config import PRESETS, ArchSpec, TrainConfig
from tui_cnn.core.events import EpochMetrics, RunEnded
from tui_cnn.core.runs import (
    CLAIMS_DIRNAME,
    RunStoreError,
    read_json,
    resolve_runs_dir,
)

Progress = Callable[[str], None]
QUICK = {"train_size": 2000, "test_size": 1000, "epochs": 2}
THOROUGH = {"train_size": None, "test_size": None, "epochs": 3}
BOOKKEEPING = ("runs_dir", "threads", "device", "data_dir", "log_every", "download")


class LabStopped(Exception):
    """The lab was asked to stop; what was trained is kept."""


@dataclass(frozen=True)
class Settings:
    quick: bool = False
    seeds: int = 3
    digits: str = "synth-digits"  # mnist where its files are on disk
    photos: str = "synth-shapes"  # cifar10 where its files are on disk
    data_dir: str | None = None
    runs_dir: str | None = None
    device: str = "auto"
    threads: int | None = None

    @property
    def size(self) -> dict[str, Any]:
        return QUICK if self.quick else THOROUGH

    def describe(self, dataset: str) -> str:
        kind = "built-in stand-in" if dataset.startswith("synth") else "real"
        size = THOROUGH if dataset == self.photos else self.size
        sizes = f"{size['train_size']:,} training images, " if size["train_size"] else ""
        return f"{dataset} ({kind}), {sizes}{size['epochs']} epochs, {self.seeds} seed(s) each"


@dataclass(frozen=True)
class Trained:
    """One finished lab run: its folder and what it reached."""

    run_dir: Path
    config: TrainConfig
    ended: RunEnded
    epochs: list[EpochMetrics]


def config_key(cfg: TrainConfig) -> str:
    data = {k: v for k, v in cfg.to_dict().items() if k not in BOOKKEEPING}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class Lab:
    def __init__(self, settings: Settings, progress: Progress | None = None,
                 stop: threading.Event | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda _: None)
        self.stop = stop or threading.Event()
        self.root = resolve_runs_dir(settings.runs_dir) / CLAIMS_DIRNAME
        self.runs_root = self.root / "runs"
        self._cache: dict[str, Trained] = {}

    # configs ------------------------------------------------------------------------------

    def config(self, arch: str | ArchSpec, dataset: str | None = None, seed: int = 0,
               **changes: Any) -> TrainConfig:
        spec = PRESETS[arch] if isinstance(arch, str) else arch
        s = self.settings
        dataset = dataset or s.digits
        # The colour set at 2,000 images stays at chance (10%) after 2 epochs: measured;
        # it is trained at full size even in a quick lab.
        size = THOROUGH if dataset == s.photos else s.size
        cfg = TrainConfig(arch=spec, dataset=dataset, seed=seed, data_dir=s.data_dir,
                          device=s.device, threads=s.threads, runs_dir=str(self.runs_root),
                          download=False, **size)
        return cfg.replace(**changes)

    def seeds(self, arch: str | ArchSpec, dataset: str | None = None,
              **changes: Any) -> list[Trained]:
        """The same config trained with seeds 0..seeds-1."""
        return [self.train(self.config(arch, dataset, seed, **changes))
                for seed in range(self.settings.seeds)]

    # training -----------------------------------------------------------------------------

    def train(self, cfg: TrainConfig) -> Trained:
        """A finished run of ``cfg``: found again if the lab has one, else trained now."""
        key = config_key(cfg)
        if key in self._cache:
            return self._cache[key]
        found = self._find(key)
        if found is None:
            found = self._train(cfg, key)
        self._cache[key] = found
        return found

    def _index_path(self) -> Path:
        return self.root / "index.json"

    def _find(self, key: str) -> Trained | None:
        from tui_cnn.core.history import saved_metrics
        from tui_cnn.core.runs import read_config

        run_id = read_json(self._index_path(), []).get(key)
        if not isinstance(run_id, str):
            return None
        run_dir = self.runs_root / run_id
        status = read_json(run_dir / "status.json", [])
        if status.get("status") != "finished":
            return None
        try:
            cfg = read_config(run_dir)
        except RunStoreError:
            return None
        fields = {k: status.get(k) for k in ("epochs_done", "steps_done", "final_test_acc",
                                             "best_test_acc", "train_seconds", "images_per_s",
                                             "params")}
        try:
            ended = RunEnded("finished", str(status.get("reason", "")), run_id, str(run_dir),
                             **fields)  # type: ignore[arg-type]
        except TypeError:
            return None
        return Trained(run_dir, cfg, ended, saved_metrics(run_dir)[1])

    def _train(self, cfg: TrainConfig, key: str) -> Trained:
        from tui_cnn.core.train import run

        self.runs_root.mkdir(parents=True, exist_ok=True)
        what = f"{cfg.arch.name} on {cfg.dataset}, seed {cfg.seed}"
        self.progress(f"training {what}")
        started = time.perf_counter()
        ended: RunEnded | None = None
        epochs: list[EpochMetrics] = []
        for event in run(cfg, self.stop):
            if isinstance(event, EpochMetrics):
                epochs.append(event)
                self.progress(f"training {what}: epoch {event.epoch}/{cfg.epochs}, "
                              f"test acc {100 * event.test_acc:.2f}%")
            elif isinstance(event, RunEnded):
                ended = event
        if self.stop.is_set():
            raise LabStopped
        if ended is None or ended.status != "finished" or ended.run_dir is None:
            reason = ended.reason if ended is not None else "no result"
            raise RunStoreError(f"the lab's run of {what} did not finish: {reason}")
        index = read_json(self._index_path(), [])
        atomic_write_json(self._index_path(), {**index, key: ended.run_id})
        self.progress(f"trained {what} in {time.perf_counter() - started:.1f} s")
        return Trained(Path(ended.run_dir), cfg, ended, epochs)


def save_result(root: Path, claim_id: str, result: dict[str, Any]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_json(root / f"{claim_id}.json", result)


def load_result(root: Path, claim_id: str) -> dict[str, Any] | None:
    path = root / f"{claim_id}.json"
    if not path.is_file():
        return None
    problems: list[str] = []
    data = read_json(path, problems)
    return None if problems or "verdict" not in data else data
