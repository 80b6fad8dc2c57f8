"""The App's part for runs that outlive the terminal: attaching to a live run (the Runs
view's a, ``tui-cnn attach``), the notice of live runs at start, and what the training
process said of its control commands (quitting is quit_part.py). A mixin of TuiCnnApp
(see tui/host.py)."""

from __future__ import annotations

from pathlib import Path

from tui_cnn.core.events import ControlNote
from tui_cnn.core.live.paths import live_dir_of_run
from tui_cnn.core.live.registry import LiveRun, find_live, live_run, live_runs
from tui_cnn.core.live.spawn import read_spec
from tui_cnn.core.live.sweep_follow import live_sweeps
from tui_cnn.core.runs import RunStoreError
from tui_cnn.tui.host import AppHost
from tui_cnn.tui.messages import AttachRequested
from tui_cnn.tui.sweeps.app_part import attach_sweep


class LivePart:
    def on_attach_requested(self: AppHost, message: AttachRequested) -> None:
        run = live_run(live_dir_of_run(Path(message.run_dir)))
        if run is None or not run.live:
            state = run.liveness if run is not None else "not trained in a process"
            self.notify(f"Run {Path(message.run_dir).name} is not training ({state}): "
                        "nothing to attach to.", severity="warning")
            return
        attach_to(self, run)

    def attach_at_start(self: AppHost, ref: str | None, runs_dir: str | None) -> None:
        try:
            run = find_live(ref, runs_dir)
        except RunStoreError as error:
            self.notify(f"Can't attach: {error}", severity="error", timeout=15)
            return
        if run.state.kind == "sweep":
            attach_sweep(self, run)
        else:
            attach_to(self, run)

    def announce_live_runs(self: AppHost, runs_dir: str | None) -> None:
        for kind, found, how in (
                ("run(s) training", live_runs(runs_dir), "the one under the cursor"),
                ("sweep(s) running", live_sweeps(runs_dir), "one, on the sweeps list")):
            if not found:
                continue
            names = ", ".join(run.state.run_id for run in found[:3])
            more = f" and {len(found) - 3} more" if len(found) > 3 else ""
            self.notify(f"{len(found)} {kind} in the background: {names}{more}. "
                        f"4 then a attaches to {how}.", timeout=15)

    def control_noted(self: AppHost, note: ControlNote) -> None:
        """What the training process did with a command (this app's, another's, ctl's).
        Notes from before this app attached only set the pause state: no notices."""
        if note.replayed:
            if note.applied and note.command in ("pause", "resume"):
                self.status.paused = note.command == "pause"
                self.refresh_bindings()
            return
        if not note.applied:
            self.notify(note.message, severity="warning", timeout=8)
        elif note.command in ("pause", "resume"):
            self.status.paused = note.command == "pause"
            self.refresh_bindings()
        elif note.command in ("lr", "target"):
            self.notify(f"The run took it: {note.message}.", timeout=4)


def attach_to(app: AppHost, run: LiveRun) -> None:
    try:
        _, config = read_spec(run.folder)
    except RunStoreError as error:
        app.notify(f"Can't attach to {run.run_id}: {error}", severity="error")
        return
    if app.controller.attach(run.folder, config, f"attached to {run.run_id}"):
        app.notify(f"Attached to {run.run_id} ({run.liveness}, "
                   f"{run.state.fraction:.0%}): q leaves it training or stops it.")
