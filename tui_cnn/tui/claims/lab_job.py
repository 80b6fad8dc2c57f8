"""The claims lab as a job for the run controller: runs the chosen claims on its worker
thread and posts each one's progress and result. Imports torch (through the core) only
when the job runs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from textual.message import Message

from tui_cnn.core.control import StopFlag
from tui_cnn.tui.controller import Job, Post


@dataclass
class ClaimProgress(Message):
    """What the lab is doing now (one line)."""

    text: str


@dataclass
class ClaimResult(Message):
    """A claim's result, as kept in the lab's folder (``Result.to_dict``)."""

    result: dict[str, Any]


@dataclass(frozen=True)
class LabChoice:
    """What the Claims view asks for."""

    ids: tuple[str, ...]
    quick: bool
    seeds: int
    data_dir: str | None
    runs_dir: str | None
    device: str


def claims_job(choice: LabChoice) -> Job:
    def work(stop: StopFlag, post: Post) -> None:
        from tui_cnn.core.claims.catalog import run_claims, select
        from tui_cnn.core.claims.lab import Lab, LabStopped
        from tui_cnn.core.claims.report import lab_settings
        from tui_cnn.core.devices import default_threads

        settings = lab_settings(quick=choice.quick, seeds=choice.seeds, dataset=None,
                                data_dir=choice.data_dir, runs_dir=choice.runs_dir,
                                device=choice.device)
        settings = dataclasses.replace(settings, threads=default_threads(reserve_for_ui=True))

        def progress(text: str) -> None:
            post(ClaimProgress(text))

        lab = Lab(settings, progress=progress, stop=stop)
        try:
            for result in run_claims(lab, select(choice.ids)):
                post(ClaimResult(result.to_dict()))
        except LabStopped:
            post(ClaimProgress("stopped: what was trained is kept"))

    what = ", ".join(choice.ids) if len(choice.ids) < 4 else f"{len(choice.ids)} claims"
    return Job(f"claims {what}", work)
