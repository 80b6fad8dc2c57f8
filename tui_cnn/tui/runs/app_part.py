"""The App's part for the runs: what a plan's end shows, and the Runs view's intents (fork,
carry on, an exercise, inspect), turned into dialogs and plans. A mixin of TuiCnnApp (see
tui/host.py)."""

from __future__ import annotations

from pathlib import Path

from tui_cnn.tui.controller import PlanEnded
from tui_cnn.tui.draw.draw_view import DrawView
from tui_cnn.tui.filters.filters_view import FiltersView
from tui_cnn.tui.host import AppHost
from tui_cnn.tui.inside.inside_view import InsideView
from tui_cnn.tui.messages import (
    ExerciseRequested,
    ForkRequested,
    InspectRequested,
    ResumeRequested,
)
from tui_cnn.tui.runs.runs_view import RunsView


class RunsPart:
    def on_plan_ended(self: AppHost, message: PlanEnded) -> None:
        plan = message.plan
        if plan.kind in ("run", "attach"):  # the Training view shows how it ended
            return
        runs = self.main_view(RunsView)
        runs.show_plan(plan)
        if plan.kind == "resume":
            return
        self.action_show_view("runs")
        if plan.exercise is not None and plan.exercise.shows_filters and plan.complete:
            self.post_message(InspectRequested(Path(plan.ended[0].run_dir or "")))
        elif plan.ended and len(plan.reused) == len(plan.ended):  # nothing trained: the
            self.main_view(FiltersView).show_run(plan.ended[-1].run_dir or "")  # last run

    def on_fork_requested(self: AppHost, message: ForkRequested) -> None:
        if not self.controller.refused("you fork another"):
            self.dialogs.fork(message.record)

    def on_resume_requested(self: AppHost, message: ResumeRequested) -> None:
        if not self.controller.refused("you carry on another"):
            self.dialogs.resume(message.record)

    def on_exercise_requested(self: AppHost, message: ExerciseRequested) -> None:
        dialogs = self.dialogs
        if message.number is None:
            dialogs.choose_exercise()
        else:
            dialogs.start_exercise(message.number, message.seeds)

    def on_inspect_requested(self: AppHost, message: InspectRequested) -> None:
        self.action_show_view("filters")
        self.main_view(FiltersView).show_run(str(message.run_dir))
        self.main_view(InsideView).show_run(str(message.run_dir))
        self.main_view(DrawView).note_inspected(str(message.run_dir))
