"""The App's part for the Draw view and for steering a run: the view's intents, its keys,
the learning-rate and target-accuracy dialogs, one more epoch. A mixin of TuiCnnApp (see
tui/host.py)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tui_cnn.tui.dialogs.steer import SteerScreen
from tui_cnn.tui.draw.draw_view import DrawView
from tui_cnn.tui.host import AppHost
from tui_cnn.tui.messages import DrawRequested, OneMoreEpochRequested


class DrawPart:
    def on_draw_requested(self: AppHost, message: DrawRequested) -> None:
        self.action_show_view("draw")
        self.main_view(DrawView).use_saved(str(message.run_dir))

    def on_one_more_epoch_requested(self: AppHost, message: OneMoreEpochRequested) -> None:
        if not self.controller.refused("you carry on another"):
            self.dialogs.one_more_epoch(message.run_dir)

    def action_draw(self: AppHost, command: str) -> None:
        """The Draw view's keys (keys.KEYS, view "draw")."""
        self.main_view(DrawView).command(command)

    def action_steer(self: AppHost, name: str) -> None:
        """L / T: a new learning rate or target accuracy for the run going."""
        session = self.controller.session
        if session is None or not self.training:
            self.nothing_to("steer")
            return
        if session.started is None:
            self.notify("The run is still starting: press it again once its first steps "
                        "show.", severity="warning")
            return
        current = session.lr if name == "lr" else session.steering.target_acc
        run_id = session.started.run_id
        self.push_screen(SteerScreen(name, run_id, current), partial(_steered, self, run_id))

    def action_one_more_epoch(self: AppHost) -> None:
        """m in the Training view: the run shown, carried on by one epoch."""
        session = self.controller.session
        ended = session.ended if session is not None else None
        if ended is None or ended.run_dir is None:
            self.notify("No run has ended here yet: m carries the last run on by one epoch "
                        "(or press m on a run in the Runs view).", severity="warning")
            return
        self.post_message(OneMoreEpochRequested(Path(ended.run_dir)))


def _steered(app: AppHost, run_id: str, answer: tuple[str, object] | None) -> None:
    if answer is None:
        return
    name, value = answer
    if not app.controller.steer(name, value, run_id):
        app.notify(f"Run {run_id} ended before the change could be made: nothing changed.",
                   severity="warning")
    elif name == "lr":
        app.notify(f"Learning rate {value:g} from the next step." if isinstance(
            value, float) else "Learning rate changed.")
    else:
        app.notify(f"The run stops at the first epoch with {100 * value:g}% test accuracy."
                    if isinstance(value, float) else "No target accuracy now.")
