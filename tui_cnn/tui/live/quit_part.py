"""The App's part for quitting: q while a run trains (or a sweep runs) in its own process
asks whether to stop it and save it or leave it going; SIGINT and SIGTERM stop and save it
(interrupted); SIGHUP (an SSH drop) leaves it going. A mixin of TuiCnnApp (see
tui/host.py)."""

from __future__ import annotations

from functools import partial

from tui_cnn.exits import EXIT_INTERRUPTED
from tui_cnn.tui import signals
from tui_cnn.tui.host import AppHost
from tui_cnn.tui.live.quit_dialog import LEAVE, STOP, QuitScreen

QUIT_WAIT_S = 15.0
"""Quitting during a run waits this long for the run to stop and be saved."""


class QuitPart:
    exit_code: int = 0  # 130 after a signal
    signal_received: int | None = None
    farewell: str = ""  # printed to the terminal once the app has closed (run_app)

    async def action_quit(self: AppHost) -> None:
        if not self.training or self.quitting:
            self.exit(0)
        elif self.controller.detachable:
            self.ask_quit()  # stop it, or leave it training
        else:
            self.stop_then_quit()

    def stop_then_quit(self: AppHost) -> None:
        self.quitting = True
        self.action_stop()
        self.notify("Stopping the run (or every trial of the sweep) and saving it before "
                    "quitting (q again: quit now).")
        self.set_timer(QUIT_WAIT_S, partial(self.exit, 0))

    def quit_for_signal(self: AppHost, signum: int) -> None:
        """SIGINT/SIGTERM: save a run going as interrupted, then exit with 130. SIGHUP:
        a run in its own process trains on; exit 130 at once."""
        self.exit_code = EXIT_INTERRUPTED
        self.signal_received = signum
        hangup_leaves = signals.is_hangup(signum) and self.controller.detachable
        if not self.training or self.quitting or hangup_leaves:
            self.leave()
            return
        self.quitting = True
        self.action_stop(interrupt=True)
        self.set_timer(QUIT_WAIT_S, self.leave)

    def leave(self: AppHost) -> None:
        """Exit once the run is saved. After a signal the exit cannot hang: a hang-up leaves
        at once (the terminal is gone), others get a watchdog."""
        if self.signal_received is not None:
            if signals.is_hangup(self.signal_received):
                signals.exit_now(self.exit_code)
            signals.exit_within(5.0, self.exit_code)
        self.exit(return_code=self.exit_code)

    def ask_quit(self: AppHost) -> None:
        """q while a run trains in its own process: the dialog, then its answer."""
        if any(isinstance(screen, QuitScreen) for screen in self.screen_stack):
            return  # asked already
        sweep, session = self.controller.sweep, self.controller.session
        run_id = (sweep.sweep_id if sweep is not None
                  else session.started.run_id if session is not None and session.started
                  else "the run")

        def answer(choice: str | None) -> None:
            if choice == STOP:
                self.stop_then_quit()
            elif choice == LEAVE:
                self.leave_training()

        self.push_screen(QuitScreen(run_id, sweep=sweep is not None), answer)

    def leave_training(self: AppHost) -> None:
        """Stop following the run (or sweep) and quit; it goes on."""
        sweep, session = self.controller.sweep, self.controller.session
        if not self.controller.detach():
            self.stop_then_quit()
            return
        self.quitting = True
        if sweep is not None:
            self.farewell = (f"Sweep {sweep.sweep_id} keeps running: `tui-cnn attach "
                             f"sweep-{sweep.sweep_id}` (or 4, then a on the sweeps list) "
                             "follows it again.")
        else:
            run_id = session.started.run_id if session is not None and session.started else ""
            self.farewell = (f"{run_id or 'The run'} keeps training: `tui-cnn attach "
                             f"{run_id}`".rstrip() + " (or 4, then a) follows it again.")
        self.notify(self.farewell)
