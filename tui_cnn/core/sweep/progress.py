"""Live state of a running sweep as plain data: per trial and overall, with an ETA.

Fed the workers' messages (``update(index, kind, payload)``); read by the command line's
progress line and the app's sweep widget. Pure Python: no torch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

ENDED = ("finished", "stopped", "interrupted", "diverged", "failed", "killed", "skipped")


@dataclass
class TrialProgress:
    index: int
    label: str
    status: str = "pending"  # pending, assigned, running, or one of ENDED
    step: int = 0
    total_steps: int = 0
    eta_s: float | None = None
    test_acc: float | None = None
    run_id: str | None = None
    pid: int | None = None  # the worker process running it, where there is one
    device: str | None = None  # where it trains ("cpu", "cuda:1"), once started
    reason: str = ""
    started_at: float | None = None
    ended_at: float | None = None

    @property
    def fraction(self) -> float:
        if self.status == "finished":
            return 1.0
        return self.step / self.total_steps if self.total_steps else 0.0

    @property
    def ended(self) -> bool:
        return self.status in ENDED


@dataclass
class SweepProgress:
    sweep_id: str
    trials: dict[int, TrialProgress]
    workers: int = 1
    started_at: float = field(default_factory=time.monotonic)

    @classmethod
    def of(cls, sweep_id: str, labels: dict[int, str], workers: int,
           skipped: tuple[int, ...] = ()) -> SweepProgress:
        trials = {i: TrialProgress(i, label) for i, label in labels.items()}
        for i in skipped:
            trials[i].status, trials[i].reason = "skipped", "finished in an earlier run"
        return cls(sweep_id, trials, workers)

    def update(self, index: int, kind: str, payload: dict[str, Any]) -> TrialProgress:
        trial = self.trials[index]
        now = time.monotonic()
        if kind == "assigned":
            trial.status, trial.started_at = "assigned", now
            trial.pid = payload.get("pid")
            trial.step, trial.total_steps, trial.eta_s = 0, 0, None
        elif kind == "started":
            trial.status, trial.run_id = "running", payload.get("run_id")
            trial.total_steps = int(payload.get("total_steps", 0))
            trial.device = payload.get("device") or trial.device
        elif kind == "step":
            trial.step, trial.total_steps = int(payload["step"]), int(payload["total_steps"])
            trial.eta_s = float(payload.get("eta_s", 0.0))
        elif kind == "epoch":
            trial.test_acc = payload.get("test_acc")
        elif kind == "end":
            trial.status, trial.reason = str(payload["status"]), str(payload.get("reason", ""))
            trial.run_id = payload.get("run_id") or trial.run_id
            trial.ended_at = now
            if payload.get("final_test_acc") is not None:
                trial.test_acc = payload["final_test_acc"]
        return trial

    @property
    def devices(self) -> list[str]:
        """The devices its trials have trained on so far, sorted ([] before any started)."""
        return sorted({t.device for t in self.trials.values() if t.device})

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for trial in self.trials.values():
            out[trial.status] = out.get(trial.status, 0) + 1
        return out

    @property
    def done(self) -> int:
        return sum(1 for t in self.trials.values() if t.ended)

    @property
    def to_do(self) -> int:
        return sum(1 for t in self.trials.values() if t.status != "skipped")

    def eta_s(self) -> float | None:
        """Running trials' own ETAs plus the pending ones at the mean trial time, spread
        over the workers; None until there is something to go on."""
        now = time.monotonic()
        durations = [t.ended_at - t.started_at for t in self.trials.values()
                     if t.status == "finished" and t.started_at and t.ended_at]
        running = [t for t in self.trials.values() if t.status in ("assigned", "running")]
        estimates = [(now - t.started_at) + t.eta_s for t in running
                     if t.started_at is not None and t.eta_s is not None]
        per_trial = (sum(durations) / len(durations) if durations
                     else sum(estimates) / len(estimates) if estimates else None)
        if per_trial is None:
            return None
        left = sum(t.eta_s if t.eta_s is not None else per_trial for t in running)
        pending = sum(1 for t in self.trials.values() if t.status == "pending")
        return (left + pending * per_trial) / max(1, min(self.workers, len(running) + pending))
