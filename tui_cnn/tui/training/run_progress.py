"""One line saying where the run is (epoch, step, images/s, ETA) over a progress bar."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.widgets import ProgressBar, Static

from tui_cnn.core.events import (
    DataProgress,
    EpochMetrics,
    Event,
    RunEnded,
    RunStarted,
    StepMetrics,
)
from tui_cnn.fmt import undated_run_id

IDLE_TEXT = "No run yet: choose a setup on the left, then press t to train."


def duration(seconds: float) -> str:
    """``1:02:03`` or ``2:03``; ``-`` for an unknown time."""
    if not seconds >= 0 or seconds == float("inf"):
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def rows(text: str, width: int) -> int:
    """Lines ``text`` takes at ``width`` cells, wrapped (near enough: words wrap early)."""
    return sum(max(1, -(-cell_len(line) // width)) for line in text.split("\n"))


def step_text(event: StepMetrics, epochs: int, width: int = 0) -> str:
    """Where the run is, in the longest wording that fits one line of ``width`` cells (0:
    the longest): without "step", then without img/s, then without "epoch"; the ETA
    stays (issue 20, item 9: at 80 columns it wrapped onto a second line)."""
    epoch, steps = f"{event.epoch}/{epochs}", f"{event.step:,}/{event.total_steps:,}"
    speed, eta = f"{event.images_per_s:,.0f} img/s", f"ETA {duration(event.eta_s)}"
    wordings = ((f"epoch {epoch}", f"step {steps}", speed, eta),
                (f"epoch {epoch}", steps, speed, eta), (f"epoch {epoch}", steps, eta),
                (epoch, steps, eta))
    lines = [" · ".join(parts) for parts in wordings]
    return next((line for line in lines if width <= 0 or cell_len(line) <= width), lines[-1])


def ended_text(event: RunEnded) -> str:
    text = f"Run {event.status} after {event.epochs_done} epoch(s), {event.steps_done:,} steps"
    if event.final_test_acc is not None:
        text += f" · test acc {100 * event.final_test_acc:.2f}%"
    if event.status not in ("finished", "stopped") and event.reason:
        text += f" · {event.reason}"
    return text


class EventProgressBar(ProgressBar):
    """A ProgressBar moved only by events. Textual's own wakes the UI thread every second
    to redraw an ETA, which this one does not show (the line above it does)."""

    def _on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # the base classes' handlers: ProgressBar.on_mount's timer
        self.update()


def run_heading(plan: str | None, event: RunStarted, width: int) -> str:
    """Which run trains: ``Exercise 2 · run 2 of 2 · cnn-stride2 on mnist, seed 0 · <id>``.
    Where that would wrap at ``width``: without the arch and dataset words when the id
    spells them, then with the id's date left out (the rest is a suffix the CLI accepts)."""
    cfg = event.config
    start = f"{plan} · " if plan else ""
    words = f"{cfg.arch.name} on {cfg.dataset}, seed {cfg.seed}"
    spelled = f"-{cfg.arch.name}-{cfg.dataset}-" in event.run_id
    undated = undated_run_id(event.run_id)
    candidates = [f"{start}{words} · {event.run_id}"]
    if spelled:
        candidates.append(f"{start}seed {cfg.seed} · {event.run_id}")
    candidates.append(f"{start}{words} · {undated}")
    if spelled:
        candidates.append(f"{start}seed {cfg.seed} · {undated}")
    return next((c for c in candidates if cell_len(c) <= width), candidates[0])


class RunProgress(VerticalGroup):
    """Shows the latest of each kind of event under a line naming the run; the app feeds
    it through TrainingView."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.epochs = 1
        self.shown = IDLE_TEXT
        self.plan: str | None = None  # e.g. "Exercise 2 · run 2 of 2"

    def compose(self) -> ComposeResult:
        yield Static("", id="progress-run")
        yield Static(IDLE_TEXT, id="progress-text")
        yield EventProgressBar(total=1, show_eta=False, id="progress-bar")

    def show(self, event: Event) -> None:
        bar = self.query_one("#progress-bar", ProgressBar)
        if isinstance(event, DataProgress):
            counts = f" ({event.done:,}/{event.total:,})" if event.total else ""
            self.note(f"Preparing data: {event.message}{counts}")
        elif isinstance(event, RunStarted):
            self.epochs = event.config.epochs
            width = self.query_one("#progress-text", Static).content_size.width
            self.heading(run_heading(self.plan, event, width or 80))
            bar.update(total=event.total_steps, progress=0)
            self.note(f"Training {event.run_id} on {event.device}: "
                      f"{event.train_size:,} images, {event.params:,} parameters")
        elif isinstance(event, StepMetrics):
            bar.update(total=event.total_steps, progress=event.step)
            width = self.query_one("#progress-text", Static).content_size.width
            self.note(step_text(event, self.epochs, width))
        elif isinstance(event, EpochMetrics):
            bar.update(progress=event.step)
            self.note(f"epoch {event.epoch}/{event.epochs} done · test acc "
                      f"{100 * event.test_acc:.2f}% · train acc {100 * event.train_acc:.2f}%")
        elif isinstance(event, RunEnded):
            self.note(ended_text(event))

    def heading(self, text: str) -> None:
        """The line naming the run (hidden while there is none)."""
        line = self.query_one("#progress-run", Static)
        line.update(text)
        line.display = bool(text)

    def note(self, message: str) -> None:
        """Show ``message`` (an event's line, or stopping, paused, failed). The screen is
        laid out again only if the line's height may change: a layout arranges every
        widget (~25 ms here), and the step line changes several times a second."""
        text = self.query_one("#progress-text", Static)
        width = text.content_size.width
        layout = width > 0 and rows(message, width) != rows(self.shown, width)
        self.shown = message
        text.update(message, layout=layout)

    def reset(self, plan: str | None = None) -> None:
        """A run starts; ``plan`` names what it is part of (an exercise, a fork)."""
        self.plan = plan
        self.heading(f"{plan} · starting…" if plan else "")
        self.query_one("#progress-bar", ProgressBar).update(total=1, progress=0)
        self.note("Starting…")
