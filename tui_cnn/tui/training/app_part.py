"""The App's part for one run's life: its start, pause and stop keys, the controller's
news (a run starting, failing to start, its worker ended) and the notice when it ends.
A mixin of TuiCnnApp (see tui/host.py's TrainingHost)."""

from __future__ import annotations

from pathlib import Path

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.events import RunEnded
from tui_cnn.core.runs import short_id
from tui_cnn.tui.controller import Plan, RunFailed, RunStarting, WorkerEnded
from tui_cnn.tui.host import TrainingHost
from tui_cnn.tui.plans import plan_heading

PLAN_NOUNS = {"exercise": "exercise's", "fork": "fork's", "resume": "carried-on run's",
              "attach": "attached run's"}


def replaced_notice(plan: Plan, replaced: list[str]) -> str | None:
    """The notice naming the values set by hand that the setup panel no longer shows."""
    if not replaced:
        return None
    noun = PLAN_NOUNS.get(plan.kind, "run's")
    return (f"The setup panel shows the {noun} settings while it trains: they replaced "
            f"what you had set ({', '.join(replaced)}).")


class TrainingPart:
    # The controller's news -------------------------------------------------------------

    def on_run_starting(self: TrainingHost, message: RunStarting) -> None:
        self.refresh_bindings()  # the footer's keys for a run going
        self.make_room()
        self.training_view.reset(message.config.epochs, plan_heading(message))
        if message.plan.kind != "run":  # the panel shows what trains (issue 20, item 6)
            notice = replaced_notice(message.plan, self.panel.show_config(message.config))
            if notice is not None:
                self.notify(notice, timeout=15)
        if message.plan.history_from is not None:
            self.training_view.load_history(message.plan.history_from)
        self.status.starting()
        self.action_show_view("training")
        self.focus_view()

    def on_run_failed(self: TrainingHost, message: RunFailed) -> None:
        self.notify(message.reason, severity="error", timeout=15)
        self.status.state = "failed"
        self.training_view.progress.note(message.reason)

    def on_worker_ended(self: TrainingHost, message: WorkerEnded) -> None:
        self.refresh_bindings()  # the footer's keys for no run going
        session = message.session
        if session.ended is None and self.status.state != "failed":
            stopped = session.stop.is_set()  # run() returns quietly if stopped while loading
            self.status.state = "stopped" if stopped else "idle"
            self.status.paused = self.status.stopping = False
            self.training_view.progress.note(
                "Stopped before training began: nothing saved." if stopped
                else "The run ended without a result.")
        if self.quitting:
            self.leave()
            return
        self.controller.run_ended(session)

    # The run's end, told -------------------------------------------------------------

    def _announce(self: TrainingHost, event: RunEnded) -> None:
        # The run by its short id: a full id does not fit a notice's line at 80 columns and
        # was broken mid-word.
        saved = (f" Saved as run {short_id(event.run_dir)} in {Path(event.run_dir).parent}."
                 if event.run_dir else "")
        if event.status == "finished":
            acc = event.final_test_acc
            result = f"test accuracy {100 * acc:.2f}%." if acc is not None else "done."
            self.notify(f"Training finished: {result}{saved}", timeout=10)
        elif event.status == "stopped":
            self.notify(f"Stopped after {event.epochs_done} epoch(s).{saved}")
        else:
            self.notify(f"Run {event.status}: {event.reason}{saved}", timeout=15,
                        severity="error" if event.status == "failed" else "warning")

    # Actions -------------------------------------------------------------------------

    def action_start(self: TrainingHost) -> None:
        try:
            cfg = self.panel.build_config()
        except ConfigError as error:
            self.notify(f"Can't start: {error}", severity="error", timeout=10)
            return
        self.start_run(cfg)

    def start_run(self: TrainingHost, cfg: TrainConfig) -> bool:
        """Train ``cfg`` now, shown in the Training view; False, with a notice, if a run is
        going."""
        return self.controller.submit(Plan(f"{cfg.arch.name} on {cfg.dataset}", [cfg]))

    def action_pause(self: TrainingHost) -> None:
        if self.controller.sweeping:
            self.notify("A sweep does not pause: x stops every trial (each saved as "
                        "interrupted); r on the sweep later runs them again.",
                        severity="warning")
            return
        paused = self.controller.toggle_pause()
        if paused is None:
            self.nothing_to("pause")
            return
        self.training_view.progress.note("Paused between batches: space resumes." if paused
                                         else "Resuming…")
        self.status.paused = paused
        self.refresh_bindings()  # the footer's space: Resume / Pause

    def nothing_to(self: TrainingHost, verb: str) -> None:
        self.notify(f"Nothing to {verb}: no run is going (press t to start one).",
                    severity="warning")

    def action_stop(self: TrainingHost, interrupt: bool = False) -> None:
        if self.controller.sweeping:
            self.stop_sweep()  # tui/sweeps/app_part.py
            return
        job = self.controller.job
        stopping_a_job = job is not None and job.running  # the claims lab: its view says it
        if not self.controller.stop(interrupt=interrupt):
            self.nothing_to("stop")
            return
        self.status.stopping = True
        self.status.paused = False
        if not stopping_a_job:  # the Training view shows a run (maybe one ended long ago)
            self.training_view.progress.note("Stopping at the next batch…")

    def footer_labels(self: TrainingHost) -> dict[str, str]:
        """space says Resume while the run is paused (issue 20, item 10)."""
        session = self.controller.session
        paused = session is not None and session.running and session.pause.is_set()
        return {"pause": "Resume"} if paused else {}
