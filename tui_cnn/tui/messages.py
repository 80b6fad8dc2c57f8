"""Messages that carry core events, setup changes and the views' intents to the app, and
the listener hook.

The training worker posts :class:`CoreEvents` (the one thread-safe call is
``post_message``); the app hands every event, in order, to each :class:`RunListener`
on the main screen. The setup panel posts :class:`SetupChanged`, which the app hands
to the same listeners. A view that wants something done beyond itself (train, fork,
carry on, inspect, an exercise) posts an intent; the App handles it, through its run
controller when a run is to start. Views never call the App or one another.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from textual.dom import DOMNode
from textual.message import Message

from tui_cnn.core.config import ArchSpec
from tui_cnn.core.events import Event
from tui_cnn.core.runs import RunRecord


@dataclass(frozen=True)
class Setup:
    """What the setup panel shows now (not necessarily what a running run uses)."""

    arch: ArchSpec  # the last valid spec
    arch_problem: str | None  # why the fields do not make a network that fits, if so
    dataset: str
    device: str
    data_dir: str | None
    runs_dir: str | None


@dataclass
class CoreEvents(Message):
    """A batch of events from ``core.train.run``, in the order it yielded them."""

    events: tuple[Event, ...]


@dataclass
class SetupChanged(Message):
    """The architecture, dataset or device in the setup panel changed."""

    setup: Setup


@dataclass
class ForkRequested(Message):
    """Fork this saved run: change one setting and train the variant."""

    record: RunRecord


@dataclass
class ResumeRequested(Message):
    """Carry this saved run on for more epochs."""

    record: RunRecord


@dataclass
class InspectRequested(Message):
    """Show this saved run's filters, feature maps and confusion matrix."""

    run_dir: Path


@dataclass
class DrawRequested(Message):
    """Classify drawings with this saved run (the Draw view's saved source)."""

    run_dir: Path


@dataclass
class OneMoreEpochRequested(Message):
    """Carry this saved run on by one epoch (like R with 1, without the dialog)."""

    run_dir: Path


@dataclass
class AttachRequested(Message):
    """Follow this run, which trains in a process of its own (the Runs view's a)."""

    run_dir: Path


@dataclass
class ExerciseRequested(Message):
    """Train one of the chapter's exercises (``number``), or choose one (None); with
    ``seeds``, as a sweep of that many seeds per variant."""

    number: int | None = None
    seeds: int | None = None


class RunListener:
    """Mix into a widget (before the widget class) to receive training events.

    Both methods run on the main thread; keep them short (store, mark dirty, redraw on
    a timer) because the trainer shares the GIL.
    """

    def on_run_event(self, event: Event) -> None:
        """Every event of every run: DataProgress, RunStarted, StepMetrics, EpochMetrics,
        FilterSnapshot, RunEnded. A new run starts with DataProgress or RunStarted."""

    def on_setup(self, setup: Setup) -> None:
        """The setup panel changed (also sent once when the app starts)."""


def listeners(root: DOMNode) -> Iterator[RunListener]:
    """Every RunListener below ``root``, in DOM order."""
    for node in root.walk_children(with_self=False):
        if isinstance(node, RunListener):
            yield node
