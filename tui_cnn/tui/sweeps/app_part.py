"""The App's part for sweeps: the controller's news about a sweep and the sweep view's
intents. A mixin of TuiCnnApp (see tui/host.py)."""

from __future__ import annotations

from tui_cnn.tui.host import AppHost
from tui_cnn.tui.runs.runs_view import RunsView
from tui_cnn.tui.sweeps.view import SweepRerunRequested, SweepStopRequested
from tui_cnn.tui.sweeps.work import SweepEnded, SweepProgressed, SweepStarting


class SweepsPart:
    def on_sweep_starting(self: AppHost, message: SweepStarting) -> None:
        self.refresh_bindings()
        self.main_view(RunsView).sweep_started(message.job.sweep_id)
        self.action_show_view("runs")
        self.notify(f"{message.job.title}: sweep {message.job.sweep_id} starts; x stops "
                    "every trial.", timeout=6)

    def on_sweep_progressed(self: AppHost, message: SweepProgressed) -> None:
        if self.is_running:
            self.main_view(RunsView).sweep_progress(message.progress)

    def on_sweep_ended(self: AppHost, message: SweepEnded) -> None:
        if self.quitting:
            self.leave()
            return
        self.refresh_bindings()
        self.main_view(RunsView).sweep_ended(message.job.sweep_id)
        progress = message.job.progress
        if progress is not None:
            counts = ", ".join(f"{n} {s}" for s, n in sorted(progress.counts().items()))
            self.notify(f"Sweep {progress.sweep_id} ended: {counts}.", timeout=10)

    def on_sweep_rerun_requested(self: AppHost, message: SweepRerunRequested) -> None:
        if not self.controller.refused("you re-run a sweep"):
            self.dialogs.rerun_sweep(message.sweep_id)

    def on_sweep_stop_requested(self: AppHost, message: SweepStopRequested) -> None:
        self.action_stop()
