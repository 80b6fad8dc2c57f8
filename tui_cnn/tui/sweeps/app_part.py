"""The App's part for sweeps: the controller's news about a sweep (shown in the Runs view
and the status line), the sweep view's intents, x during a sweep, and attaching to a sweep
going in a process of its own (the sweeps list's a, ``tui-cnn attach sweep-ID``). Several
apps may follow one sweep: a stop from any of them (or ``tui-cnn ctl``) is said in the
others, and x there is refused once the sweep is stopping. A mixin of TuiCnnApp (see
tui/host.py)."""

from __future__ import annotations

from dataclasses import replace

from tui_cnn.core.live.registry import LiveRun
from tui_cnn.core.live.sweep_follow import KILLED, live_sweep
from tui_cnn.core.live.sweep_spawn import read_sweep_spec
from tui_cnn.core.runs import RunStoreError
from tui_cnn.tui.host import AppHost
from tui_cnn.tui.runs.runs_view import RunsView
from tui_cnn.tui.sweeps.state import SweepStatus, trials_done
from tui_cnn.tui.sweeps.view import (
    SweepAttachRequested,
    SweepRerunRequested,
    SweepStopRequested,
)
from tui_cnn.tui.sweeps.work import (
    SweepEnded,
    SweepJob,
    SweepNoted,
    SweepProgressed,
    SweepStarting,
)


class SweepsPart:
    def on_sweep_starting(self: AppHost, message: SweepStarting) -> None:
        self.refresh_bindings()
        job = message.job
        self.status.sweep = SweepStatus(job.sweep_id, job.spec.base.device)
        self.main_view(RunsView).sweep_started(message.job.sweep_id)
        self.action_show_view("runs")
        if message.job.follow is None:
            self.notify(f"{message.job.title}: sweep {message.job.sweep_id} starts; x stops "
                        "every trial.", timeout=6)

    def on_sweep_progressed(self: AppHost, message: SweepProgressed) -> None:
        if not self.is_running:
            return
        self.main_view(RunsView).sweep_progress(message.progress)
        shown = self.status.sweep
        if shown is not None and shown.sweep_id == message.progress.sweep_id:
            self.status.sweep = shown.moved(message.progress)

    def on_sweep_noted(self: AppHost, message: SweepNoted) -> None:
        """What the sweep's process did with a command: this app's, another's, ctl's."""
        note, job = message.note, message.job
        if note.applied and note.command == "stop":
            job.stopping = True
            if self.status.sweep is not None:
                self.status.sweep = replace(self.status.sweep, stopping=True)
        if note.replayed or not self.is_running:
            return  # said before this app attached: the status line shows it
        if not note.applied:
            self.notify(f"Sweep {job.sweep_id}: {note.message}.", severity="warning",
                        timeout=8)
        elif note.command == "stop" and not message.ours:
            self.notify(f"Sweep {job.sweep_id}: {note.message}, asked by another app "
                        "(or tui-cnn ctl).", severity="warning", timeout=10)

    def stop_sweep(self: AppHost) -> None:
        """x during a sweep: stop every trial, unless it is stopping already."""
        job = self.controller.sweep
        if job is not None and job.stopping and not job.stop.is_set():
            self.notify(f"Sweep {job.sweep_id} is stopping already (asked by another app or "
                        "tui-cnn ctl): each trial is saved as interrupted.",
                        severity="warning")
            return
        if self.controller.stop():
            self.notify("Stopping every trial of the sweep; each is saved as interrupted…")

    def on_sweep_ended(self: AppHost, message: SweepEnded) -> None:
        if self.quitting:
            self.leave()
            return
        self.refresh_bindings()
        self.status.sweep = None  # back to the last run's state
        self.main_view(RunsView).sweep_ended(message.job.sweep_id)
        progress = message.job.progress
        if progress is None:
            return
        counts = ", ".join(f"{n} {s}" for s, n in sorted(progress.counts().items()))
        if message.job.outcome == KILLED:
            self.notify(f"Sweep {progress.sweep_id}: its process died (killed?): {counts}. "
                        "r on the sweep runs the unfinished trials again.",
                        severity="error", timeout=15)
        else:
            self.notify(f"Sweep {progress.sweep_id} ended: {counts}.", timeout=10)

    def on_sweep_rerun_requested(self: AppHost, message: SweepRerunRequested) -> None:
        if not self.controller.refused("you re-run a sweep"):
            self.dialogs.rerun_sweep(message.sweep_id)

    def on_sweep_stop_requested(self: AppHost, message: SweepStopRequested) -> None:
        self.action_stop()

    def on_sweep_attach_requested(self: AppHost, message: SweepAttachRequested) -> None:
        live = live_sweep(self.config.runs_dir, message.sweep_id)
        if live is None:
            self.notify(f"Sweep {message.sweep_id} is not running in the background: "
                        "nothing to attach to (r runs its unfinished trials).",
                        severity="warning")
            return
        attach_sweep(self, live)


def attach_sweep(app: AppHost, live: LiveRun) -> None:
    """Follow the sweep of ``live`` (a sweep's live folder), replayed from its start."""
    try:
        spec, _ = read_sweep_spec(live.folder)
    except RunStoreError as error:
        app.notify(f"Can't attach to {live.run_id}: {error}", severity="error")
        return
    job = SweepJob(f"attached to sweep {spec.sweep_id()}", spec, follow=live.folder)
    if app.controller.submit_sweep(job):
        done = trials_done(live.state.status, live.state.step, live.state.total_steps)
        app.notify(f"Attached to sweep {spec.sweep_id()} ({done}): x stops every trial, "
                   "q leaves it running.", timeout=8)
