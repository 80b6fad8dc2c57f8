"""What the Runs view's keys start: fork a run, carry it on, inspect it, run an exercise.

Training goes through the view's RunQueue, so the app's one worker runs it as if started
with t; each plan ends by selecting its runs in the Runs view.
"""

from __future__ import annotations

from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.events import EpochMetrics, RunEnded, StepMetrics
from tui_cnn.core.exercises import Exercise, exercises
from tui_cnn.core.runs import RunRecord, RunStoreError, read_config, read_jsonl
from tui_cnn.tui.exercises import Plan, edge_lines, note_text
from tui_cnn.tui.screens.exercises import ExerciseScreen
from tui_cnn.tui.screens.fork import ForkScreen
from tui_cnn.tui.screens.resume import ResumeScreen

if TYPE_CHECKING:
    from tui_cnn.tui.app import TuiCnnApp
    from tui_cnn.tui.widgets.runs_view import RunsView
    from tui_cnn.tui.widgets.training_view import TrainingView

T = TypeVar("T", StepMetrics, EpochMetrics)


def saved_config(view: RunsView, record: RunRecord) -> TrainConfig | None:
    """The config the run was started with; None (and a notice) if it cannot be read."""
    try:
        cfg = read_config(record.path)
    except RunStoreError as error:
        view.app.notify(f"Can't read the settings of {record.run_id}: {error}",
                        severity="error", timeout=10)
        return None
    return cfg


def submit(view: RunsView, plan: Plan) -> None:
    assert view.queue is not None
    if view.queue.submit(plan):
        view.queue_ticks.wake()


# ---- fork ----------------------------------------------------------------------------


def fork(view: RunsView, record: RunRecord) -> None:
    base = saved_config(view, record)
    if base is not None:
        view.app.push_screen(ForkScreen(base, record.run_id),
                             partial(_start_fork, view, record.run_id))


def _start_fork(view: RunsView, base_id: str, cfg: TrainConfig | None) -> None:
    if cfg is not None:
        submit(view, Plan(f"Fork of {base_id}", [cfg.replace(runs_dir=view.runs_dir)],
                          partial(_fork_done, view, base_id)))


def _fork_done(view: RunsView, base_id: str, ended: list[RunEnded], complete: bool) -> None:
    view.select_runs([base_id, *(run.run_id for run in ended)])


# ---- resume --------------------------------------------------------------------------


def epochs_done(record: RunRecord) -> int:
    saved = record.status.get("epochs_done")
    return max(len(record.epochs), saved if isinstance(saved, int) else 0)


def resume(view: RunsView, record: RunRecord) -> None:
    if not (record.path / "model.pt").exists():
        view.app.notify(f"{record.run_id} has no checkpoint (no epoch finished), so it "
                        "cannot be carried on.", severity="warning")
        return
    base = saved_config(view, record)
    if base is not None:
        done = epochs_done(record)
        view.app.push_screen(ResumeScreen(record.run_id, done),
                             partial(_start_resume, view, record, base, done))


def _start_resume(view: RunsView, record: RunRecord, base: TrainConfig, done: int,
                  more: int | None) -> None:
    if not more:
        return
    try:
        cfg = base.replace(resume_from=str(record.path), epochs=done + more)
    except ConfigError as error:
        view.app.notify(f"Can't carry it on: {error}", severity="error")
        return
    app = view.tui_app
    submit(view, Plan(f"Carrying {record.run_id} on", [cfg],
                      lambda ended, complete: view.reload(),
                      after_start=lambda _: load_history(app.training_view, record.path)))


def _rows(path: Path, kind: type[T]) -> list[T]:
    """The whole rows of a metrics file as events; rows that do not fit are skipped."""
    names = [f.name for f in fields(kind)]
    events = []
    for row in read_jsonl(path, []):
        try:
            events.append(kind(**{name: row[name] for name in names}))
        except (KeyError, TypeError):
            continue
    return events


def load_history(view: TrainingView, run_dir: Path) -> None:
    """Put a saved run's curves into the training charts, so a resumed run carries them on.
    Steps past the last saved epoch are left out: the resumed run does them again."""
    epochs = _rows(run_dir / "epochs.jsonl", EpochMetrics)
    last_step = epochs[-1].step if epochs else 0
    for step in _rows(run_dir / "steps.jsonl", StepMetrics):
        if step.step <= last_step:
            view.loss_chart.add_step(step)
            view.acc_chart.add_step(step)
    for epoch in epochs:
        view.loss_chart.add_epoch(epoch)
        view.acc_chart.add_epoch(epoch)


# ---- inspect -------------------------------------------------------------------------


def inspect_record(view: RunsView, record: RunRecord) -> None:
    inspect(view.tui_app, record.path)


def inspect(app: TuiCnnApp, run_dir: Path) -> None:
    """The run's filters, activations and confusion matrix in the Filters view."""
    from tui_cnn.tui.widgets.filters_view import FiltersView

    filters: Any = app.screen_stack[0].query_one(FiltersView)
    if not hasattr(filters, "show_run"):
        app.notify("The Filters view cannot show a saved run yet.", severity="warning")
        return
    app.action_show_view("filters")
    filters.show_run(str(run_dir))


# ---- exercises -----------------------------------------------------------------------


def current_exercises(view: RunsView) -> tuple[Exercise, ...]:
    app = view.tui_app
    return exercises(app.config.replace(device=app.panel.setup.device))


def choose_exercise(view: RunsView) -> None:
    view.app.push_screen(ExerciseScreen(current_exercises(view)),
                         lambda number: start_exercise(view, number) if number else None)


def start_exercise(view: RunsView, number: int) -> None:
    exercise = current_exercises(view)[number - 1]
    submit(view, Plan(f"Exercise {number}", list(exercise.configs),
                      partial(_exercise_done, view, exercise)))


def _exercise_done(view: RunsView, exercise: Exercise, ended: list[RunEnded],
                   complete: bool) -> None:
    ids = [run.run_id for run in ended]
    view.select_runs(ids)
    if not complete:
        finished = sum(run.status == "finished" for run in ended)
        view.show_note(note_text(exercise, f"cut short: {finished} of "
                                 f"{len(exercise.configs)} run(s) finished"), ids)
        return
    if not exercise.shows_filters:
        view.show_note(note_text(exercise, "done", [
            "The chart and the table above set the runs side by side: parameters, "
            "mult-adds, images/s and accuracy."]), ids)
        return
    run_dir = Path(ended[0].run_dir or "")
    view.show_note(note_text(exercise, "done", edge_lines(run_dir)), ids)
    inspect(view.tui_app, run_dir)
