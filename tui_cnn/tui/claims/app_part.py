"""The App's part for the claims lab: the Claims view's intent becomes a Job for the run
controller; the job's news goes to the view. A mixin of TuiCnnApp (see tui/host.py)."""

from __future__ import annotations

from tui_cnn.tui.claims.claims_view import ClaimsRequested, ClaimsView
from tui_cnn.tui.claims.lab_job import ClaimProgress, ClaimResult, LabChoice, claims_job
from tui_cnn.tui.controller import JobEnded
from tui_cnn.tui.host import AppHost


class ClaimsPart:
    def on_claims_requested(self: AppHost, message: ClaimsRequested) -> None:
        choice = LabChoice(message.ids, message.quick, 3, self.config.data_dir,
                           self.config.runs_dir, self.setup_device())
        if self.controller.submit_job(claims_job(choice)):
            self.refresh_bindings()
            self.status.starting()
            self.main_view(ClaimsView).started(message.ids)

    def on_claim_progress(self: AppHost, message: ClaimProgress) -> None:
        self.main_view(ClaimsView).progress(message.text)

    def on_claim_result(self: AppHost, message: ClaimResult) -> None:
        self.main_view(ClaimsView).result(message.result)

    def on_job_ended(self: AppHost, message: JobEnded) -> None:
        self.refresh_bindings()
        self.status.state = "failed" if message.error else (
            "stopped" if message.job.stop.is_set() else "idle")
        self.status.paused = self.status.stopping = False
        if message.error:
            self.notify(f"The claims lab failed: {message.error}", severity="error",
                        timeout=15)
        self.main_view(ClaimsView).ended(message.error, stopped=message.job.stop.is_set())
        if self.quitting:
            self.leave()

    def action_claims(self: AppHost, command: str) -> None:
        """The Claims view's keys (keys.KEYS, view "claims")."""
        self.main_view(ClaimsView).command(command)
