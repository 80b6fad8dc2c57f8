"""The run controller: the app's one training worker and the queue of planned runs.

Owned by the App. Views never start runs: they post intents (messages.StartRequested,
ForkRequested, ...), the App turns each into a :class:`Plan` and submits it here. The
controller trains a plan's runs one after another in one thread worker, moves on when a
worker ends (never by polling), handles every worker's failure in one place, and tells the
App what happened through messages (RunStarting, RunFailed, WorkerEnded, PlanEnded: in
tui/work_items.py with Plan and Job, and importable from here).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.live.runner import ProcessRunner
from tui_cnn.core.runs import RunStoreError
from tui_cnn.tui.session import Runner, TrainingSession, freeze_after_first_step, pump
from tui_cnn.tui.sweeps.work import SweepEnded, SweepJob, SweepStarting, sweep_work
from tui_cnn.tui.work_items import Job as Job
from tui_cnn.tui.work_items import JobEnded as JobEnded
from tui_cnn.tui.work_items import Plan as Plan
from tui_cnn.tui.work_items import PlanEnded as PlanEnded
from tui_cnn.tui.work_items import Post as Post
from tui_cnn.tui.work_items import RunFailed as RunFailed
from tui_cnn.tui.work_items import RunStarting as RunStarting
from tui_cnn.tui.work_items import WorkerEnded as WorkerEnded

if TYPE_CHECKING:
    from textual.app import App


PREPARATION_ERRORS = (ConfigError, DataError, RunStoreError)
"""What run() raises before training when the setup cannot work: said plainly."""

GROUP = "train"
JOB_GROUP = "job"
SWEEP_GROUP = "sweep"


def core_runner() -> ProcessRunner:
    """The default runner: each run in a process of its own (core/live/runner.py), which
    a hang-up of the terminal does not reach and the app can leave training."""
    return ProcessRunner()


class RunController:
    def __init__(self, app: App[int], runner: Runner | None = None) -> None:
        self.app = app
        self.runner: Runner = runner if runner is not None else core_runner()
        self.session: TrainingSession | None = None
        self.plan: Plan | None = None
        self.worker: Worker[None] | None = None
        self.job: Job | None = None
        self.reserve_core_for_ui = True
        self.sweep: SweepJob | None = None  # the sweep going, until its worker has ended

    @property
    def training(self) -> bool:
        """A run (or a job, which trains too) is going."""
        return (self.session is not None and self.session.running) or (
            self.job is not None and self.job.running)

    def submit_job(self, job: Job) -> bool:
        """Run ``job`` in the one background worker; False (and a notice) if a run or
        another job is going."""
        if self.refused("starting another"):
            return False
        self.job = job

        def work() -> None:
            try:
                job.work(job.stop, self.app.post_message)
            finally:
                job.done.set()

        self.app.run_worker(work, thread=True, exclusive=True, group=JOB_GROUP,
                            exit_on_error=False, name=job.title)
        return True

    def job_changed(self, event: Worker.StateChanged) -> None:
        """Called by the App for every state change of the job worker."""
        if self.job is None or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR,
                                                   WorkerState.CANCELLED):
            return
        error = event.worker.error if event.state == WorkerState.ERROR else None
        self.app.post_message(JobEnded(self.job, None if error is None
                                       else f"{type(error).__name__}: {error}"))

    @property
    def busy(self) -> bool:
        """A plan is going (a run is training, or the next of its runs is about to)."""
        return self.plan is not None

    @property
    def sweeping(self) -> bool:
        """A sweep is going (its trials train in worker processes)."""
        return self.sweep is not None

    def refused(self, before: str) -> bool:
        """True, with a notice, if a run or a sweep is going: a new one cannot start
        ``before`` it is stopped (e.g. "starting another")."""
        if self.training or self.busy or self.sweeping:
            self.app.notify(f"A run is already going: stop it with x before {before}.",
                            severity="warning")
            return True
        return False

    def submit(self, plan: Plan) -> bool:
        """Start ``plan``'s first run not yet in ``plan.ended``; False (and a notice) if a
        run is going."""
        if self.refused("starting another"):
            return False
        if len(plan.ended) == len(plan.configs):  # every run was reused: nothing to train
            self.app.post_message(PlanEnded(plan))
            return True
        self.plan = plan
        self._start_next()
        return True

    def submit_sweep(self, job: SweepJob) -> bool:
        """Run ``job``'s unfinished trials in worker processes (never beside a run); False
        (and a notice) if a run or a sweep is going."""
        if self.refused("starting a sweep"):
            return False
        self.sweep = job
        self.app.post_message(SweepStarting(job))
        self.app.run_worker(sweep_work(job, self.app.post_message), thread=True,
                            exclusive=True, group=SWEEP_GROUP, exit_on_error=False,
                            name=f"sweep {job.sweep_id}")
        return True

    def _start_next(self) -> None:
        plan = self.plan
        assert plan is not None
        number = len(plan.ended)
        cfg = plan.configs[number]
        if number and len(plan.configs) > 1:
            self.app.notify(f"{plan.title}: run {number + 1} of {len(plan.configs)} starts.")
        self.session = TrainingSession(cfg)
        self.app.post_message(RunStarting(cfg, plan, number))
        self.worker = self.app.run_worker(
            self._train_in_thread(self.session), thread=True, exclusive=True, group=GROUP,
            exit_on_error=False, name=f"train {cfg.arch.name} on {cfg.dataset}")

    def _train_in_thread(self, session: TrainingSession) -> Callable[[], None]:
        runner, reserve = self.runner, self.reserve_core_for_ui
        post = self.app.post_message
        follow = self.plan.follow if self.plan is not None else None

        def work() -> None:
            try:
                run = runner
                cfg = session.config
                if follow is not None and isinstance(runner, ProcessRunner):
                    run = runner.attach(follow)
                elif cfg.threads is None:
                    from tui_cnn.core.batch_split import threads_for

                    cfg = cfg.replace(threads=threads_for(cfg, reserve_for_ui=reserve))
                events = run(cfg, session.stop, session.pause, session.steering)
                pump(freeze_after_first_step(events), post)
            finally:
                session.done.set()

        return work

    # The one place a training worker's end is handled -------------------------------------

    def worker_changed(self, event: Worker.StateChanged) -> None:
        """Called by the App for every worker state change of the training group."""
        if event.state == WorkerState.ERROR:
            self.app.post_message(RunFailed(describe_failure(event.worker.error)))
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            session = self.session
            if session is not None:
                self.app.post_message(WorkerEnded(session))

    def sweep_worker_changed(self, event: Worker.StateChanged) -> None:
        """Called by the App for every state change of the sweep worker."""
        if event.state == WorkerState.ERROR:
            self.app.post_message(RunFailed(describe_failure(event.worker.error)))
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            job, self.sweep = self.sweep, None
            if job is not None:
                self.app.post_message(SweepEnded(job))

    def run_ended(self, session: TrainingSession) -> None:
        """After WorkerEnded has been shown: the plan's next run, or the plan's end."""
        plan = self.plan
        if plan is None or session is not self.session:
            return
        if session.ended is not None:
            plan.ended.append(session.ended)
        finished = session.ended is not None and session.ended.status == "finished"
        if finished and len(plan.ended) < len(plan.configs):
            self._start_next()
            return
        self.plan = None
        if plan.ended:  # a run that failed to start has already said why
            self.app.post_message(PlanEnded(plan))

    @property
    def detachable(self) -> bool:
        """The run (or sweep) going is in a process of its own: the app can leave it."""
        if self.sweep is not None:
            return not self.sweep.stop.is_set()
        session = self.session
        return (isinstance(self.runner, ProcessRunner) and session is not None
                and session.running and not session.stop.is_set())

    def detach(self) -> bool:
        """Stop following the run (or sweep) going and leave it going (the rest of a
        run's plan is dropped); False when no such run is going."""
        if self.sweep is not None and self.detachable:
            self.sweep.detached.set()
            return True
        if not self.detachable or not isinstance(self.runner, ProcessRunner):
            return False
        plan = self.plan
        if plan is not None:
            plan.configs = plan.configs[:len(plan.ended) + 1]
        self.runner.detach()
        return True

    def attach(self, folder: Path, config: TrainConfig, title: str) -> bool:
        """Follow the run training in live folder ``folder`` (replayed from its start);
        False (and a notice) if a run is going here, or runs are not in processes."""
        if not isinstance(self.runner, ProcessRunner):
            self.app.notify("This app trains in-process: it cannot attach.",
                            severity="warning")
            return False
        return self.submit(Plan(title, [config], kind="attach", follow=folder))

    # Controls -----------------------------------------------------------------------------

    def toggle_pause(self) -> bool | None:
        """Pause or resume between batches; the new state (None: nothing to pause)."""
        session = self.session
        if session is None or not session.running or session.stop.is_set():
            return None
        if session.pause.is_set():
            session.pause.clear()
        else:
            session.pause.set()
        return session.pause.is_set()

    def steer(self, name: str, value: object, run_id: str) -> bool:
        """Ask run ``run_id``, if it is the run going, for a new learning rate ("lr") or
        target accuracy ("target_acc"), taken at its next step or epoch end; False when it
        is not going (ended, or a planned run has taken its place: the dialog that asked
        named that run, and the next must not be changed in its stead)."""
        session = self.session
        if session is None or not session.running or session.stop.is_set():
            return False
        if session.started is None or session.started.run_id != run_id:
            return False
        if name == "lr":
            session.steering.request_lr(str(value))
        else:
            session.steering.request_target(value if isinstance(value, float) else None)
        return True

    def stop(self, *, interrupt: bool = False) -> bool:
        """Stop the run at the next batch (saved as stopped, or interrupted); the rest of
        its plan is dropped when it ends. A sweep: every trial stops, each saved as
        interrupted; a job (the claims lab) stops too. False when nothing is going."""
        job = self.job
        if job is not None and job.running:
            if interrupt:
                job.stop.interrupt()
            job.stop.set()
            return True
        if self.sweep is not None:
            self.sweep.stop.set()
            return True
        session = self.session
        if session is None or not session.running:
            return False
        if interrupt:
            session.stop.interrupt()
        session.stop.set()
        session.pause.clear()
        return True


def describe_failure(error: BaseException | None) -> str:
    if isinstance(error, PREPARATION_ERRORS):
        return f"Can't train: {error}"
    return f"Training failed: {type(error).__name__}: {error}"
