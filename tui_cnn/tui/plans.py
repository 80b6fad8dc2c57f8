"""Turning the views' intents into plans for the run controller: the fork, carry-on and
exercise dialogs, and what each exercise shows when its runs are done.

App-side code (it opens dialogs and submits plans); the views only post intents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.exercises import Exercise, exercises
from tui_cnn.core.inspect import edge_summary
from tui_cnn.core.report import edge_scores_or_none, no_edge_scores
from tui_cnn.core.reuse import reusable_run, reuse_line, saved_end
from tui_cnn.core.runs import (
    RunRecord,
    RunStoreError,
    list_runs,
    missing_checkpoint,
    read_config,
    read_run,
    short_id,
)
from tui_cnn.tui.controller import Plan, RunController, RunStarting
from tui_cnn.tui.dialogs.exercises import ExercisePick, ExerciseScreen
from tui_cnn.tui.dialogs.fork import ForkScreen
from tui_cnn.tui.dialogs.resume import ResumeScreen
from tui_cnn.tui.sweeps.work import SweepJob

if TYPE_CHECKING:
    from textual.app import App, SystemCommand


class PlanDialogs:
    """Opens a dialog on ``app`` and submits what it asks for to ``controller``; ``config``
    is the app's starting config, ``device`` the setup panel's device now."""

    def __init__(self, app: App[int], controller: RunController, config: TrainConfig,
                 device: Callable[[], str]) -> None:
        self.app, self.controller, self.config, self.device = app, controller, config, device

    def _saved_config(self, record: RunRecord) -> TrainConfig | None:
        """The config the run was started with; None (and a notice) if it cannot be read."""
        try:
            return read_config(record.path)
        except RunStoreError as error:
            self.app.notify(f"Can't read the settings of run {short_id(record.path)}: {error}",
                             severity="error", timeout=10)
            return None

    # fork ---------------------------------------------------------------------------------

    def fork(self, record: RunRecord) -> None:
        base = self._saved_config(record)
        if base is not None:
            self.app.push_screen(ForkScreen(base, record.run_id),
                                  partial(self._start_fork, record.run_id))

    def _start_fork(self, base_id: str, cfg: TrainConfig | None) -> None:
        if cfg is not None:
            self.controller.submit(Plan(
                f"Fork of {base_id}", [cfg.replace(runs_dir=self.config.runs_dir)],
                kind="fork", base_run=base_id))

    # carry on -----------------------------------------------------------------------------

    def resume(self, record: RunRecord) -> None:
        if not (record.path / "model.pt").exists():
            self.app.notify(f"Run {short_id(record.path)} cannot be carried on: model.pt is "
                            f"missing: {missing_checkpoint(record.path)}.", severity="warning")
            return
        base = self._saved_config(record)
        if base is not None:
            done = epochs_done(record)
            self.app.push_screen(ResumeScreen(record.run_id, done),
                                  partial(self._start_resume, record, base, done))

    def _start_resume(self, record: RunRecord, base: TrainConfig, done: int,
                      more: int | None) -> None:
        if not more:
            return
        try:
            cfg = base.replace(resume_from=str(record.path), epochs=done + more)
        except ConfigError as error:
            self.app.notify(f"Can't carry it on: {error}", severity="error")
            return
        self.controller.submit(Plan(f"Carrying {record.run_id} on", [cfg], kind="resume",
                                         base_run=record.run_id, history_from=record.path))

    def one_more_epoch(self, run_dir: Path) -> None:
        """Carry the run on by one epoch, no dialog (like R with 1)."""
        record = read_run(run_dir)
        if not (record.path / "model.pt").exists():
            self.app.notify(f"Run {short_id(record.path)} has no checkpoint (no epoch finished), "
                            "so it cannot be carried on.", severity="warning")
            return
        base = self._saved_config(record)
        if base is not None:
            self._start_resume(record, base, epochs_done(record), 1)

    # exercises ----------------------------------------------------------------------------

    def current_exercises(self) -> tuple[Exercise, ...]:
        return exercises(self.config.replace(device=self.device()))

    def choose_exercise(self) -> None:
        found = self.current_exercises()
        self.app.push_screen(ExerciseScreen(found, reuse_lines(found)), self._picked)

    def _picked(self, pick: ExercisePick | None) -> None:
        if pick is not None:
            self.start_exercise(pick.number, pick.seeds, retrain=pick.retrain)

    def start_exercise(self, number: int, seeds: int | None = None, *,
                       retrain: bool = False) -> None:
        """Train the exercise's runs one after another, reusing finished identical runs
        (core.reuse) unless ``retrain``; with ``seeds``, as a sweep: each variant over that
        many seeds, in worker processes."""
        exercise = self.current_exercises()[number - 1]
        if seeds is not None and not exercise.shows_filters:
            self.start_exercise_sweep(exercise, seeds)
            return
        plan = exercise_plan(exercise, retrain)
        if self.controller.submit(plan) and plan.reused:
            left = len(plan.configs) - len(plan.ended)
            again = "it" if len(plan.reused) == 1 else "them"
            self.app.notify(f"Exercise {number}: {'; '.join(plan.reused)}: same settings, "
                            f"not trained again (e, then r, trains {again} again). "
                            f"{left} of {len(plan.configs)} run(s) to train.", timeout=10)

    def start_exercise_sweep(self, exercise: Exercise, seeds: int) -> None:
        from tui_cnn.core.sweep.exercise import exercise_sweep

        try:
            spec = exercise_sweep(exercise, seeds)
        except ConfigError as error:
            self.app.notify(f"Can't sweep it: {error}", severity="error", timeout=10)
            return
        self.controller.submit_sweep(SweepJob(
            f"Exercise {exercise.number}, {seeds} seeds per variant", spec))

    def rerun_sweep(self, sweep_id: str) -> None:
        """Run a saved sweep's unfinished trials (failed, killed, interrupted) again."""
        from tui_cnn.core.sweep.store import find_sweep

        try:
            spec = find_sweep(sweep_id, self.config.runs_dir).spec()
        except (ConfigError, RunStoreError) as error:
            self.app.notify(f"Can't re-run it: {error}", severity="error", timeout=10)
            return
        spec = dataclasses.replace(spec, base=spec.base.replace(runs_dir=self.config.runs_dir))
        self.controller.submit_sweep(SweepJob(f"Sweep {sweep_id} (again)", spec))


def exercise_plan(exercise: Exercise, retrain: bool = False,
                  records: Sequence[RunRecord] | None = None) -> Plan:
    """The exercise's runs as a plan: the finished identical runs found first (among
    ``records``, else the runs dir's), as ended (unless ``retrain``), then the configs
    left to train, in the exercise's order."""
    configs = list(exercise.configs)
    if not retrain and records is None:
        records = saved_runs(configs[0])
    found = {} if retrain else {i: r for i, cfg in enumerate(configs)
                                if (r := reusable_run(cfg, records)) is not None}
    order = sorted(range(len(configs)), key=lambda i: i not in found)
    plan = Plan(f"Exercise {exercise.number}", [configs[i] for i in order], kind="exercise",
                exercise=exercise, reused=tuple(reuse_line(found[i]) for i in order
                                                if i in found))
    plan.ended.extend(saved_end(found[i]) for i in order if i in found)
    return plan


def saved_runs(cfg: TrainConfig) -> list[RunRecord]:
    """The runs saved where ``cfg`` saves its own (none when it saves nowhere)."""
    return [] if cfg.runs_dir == "" else list_runs(cfg.runs_dir)


def reuse_lines(found: Sequence[Exercise]) -> dict[int, tuple[str, ...]]:
    """For each exercise, a line per run it would reuse rather than train."""
    records = saved_runs(found[0].configs[0]) if found else []
    return {exercise.number: exercise_plan(exercise, records=records).reused
            for exercise in found}


def plan_heading(message: RunStarting) -> str | None:
    """What the run starting is part of: ``Exercise 2 · run 2 of 2``; None for a plain run."""
    plan = message.plan
    if plan.kind == "run":
        return None
    count = len(plan.configs)
    return f"{plan.title} · run {message.number + 1} of {count}" if count > 1 else plan.title


def epochs_done(record: RunRecord) -> int:
    saved = record.status.get("epochs_done")
    return max(len(record.epochs), saved if isinstance(saved, int) else 0)


def exercise_commands(run_action: Callable[[str], object],
                      titles: dict[int, str]) -> Iterator[SystemCommand]:
    """One command palette entry per exercise."""
    from textual.app import SystemCommand

    for number, title in titles.items():
        yield SystemCommand(f"Exercise {number}: {title}",
                            "train the runs one after another, then compare them",
                            partial(run_action, f"exercise({number})"))


def edge_lines(run_dir: Path) -> list[str]:
    """How edge-like the layer-1 filters were before training, after the first and the last
    epoch (epoch-0.npy holds the initial weights), then any file that could not be used."""
    from tui_cnn.core.inference import stored_filters  # imports torch: on need

    found, problems = stored_filters(run_dir)
    epochs = sorted(found)
    lines = []
    for epoch in dict.fromkeys(epochs[:2] + epochs[-1:]):
        when = "before training" if epoch == 0 else f"after epoch {epoch}"
        scores = edge_scores_or_none(found[epoch])
        lines.append(f"{when}: " + (edge_summary(scores) if scores is not None
                                    else no_edge_scores(found[epoch])))
    return lines + problems or ["no filter snapshots were saved, so no edge scores"]


def note_text(exercise: Exercise, state: str, results: Sequence[str] = (),
              reused: Sequence[str] = ()) -> Text:
    """The exercise's title and state, the chapter's question, what to look for, results,
    and the runs reused rather than trained."""
    text = Text.assemble((f"Exercise {exercise.number} · {exercise.title}", "bold"),
                         f" · {state}\n", (exercise.question, "italic"), "\n",
                         exercise.look_for)
    for line in results:
        text.append("\n" + line, style="bold")
    for line in reused:
        text.append(f"\nNot trained again: {line}, with the same settings (e, then r, "
                    "trains it again).", style="dim")
    return text


def exercise_note(plan: Plan) -> Text | None:
    """What the Runs view says under an exercise's comparison once its runs are done."""
    exercise = plan.exercise
    if exercise is None:
        return None
    if not plan.complete:
        finished = sum(run.status == "finished" for run in plan.ended)
        return note_text(exercise, f"cut short: {finished} of {len(exercise.configs)} "
                         "run(s) finished", reused=plan.reused)
    if not exercise.shows_filters:
        return note_text(exercise, "done", [
            "The chart and the table above set the runs side by side: parameters, "
            "mult-adds, images/s and accuracy."], plan.reused)
    return note_text(exercise, "done", edge_lines(Path(plan.ended[0].run_dir or "")),
                     plan.reused)
