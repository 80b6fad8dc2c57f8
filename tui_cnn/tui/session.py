"""One training run as the app sees it, and the pump that carries its events across threads.

Runs on the worker thread: :func:`pump`. Everything else here belongs to the main thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from textual.message import Message

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.control import StopFlag
from tui_cnn.core.events import (
    DataProgress,
    Event,
    LayerStatsReport,
    RunEnded,
    RunStarted,
    StepMetrics,
)
from tui_cnn.core.live.runner import Runner as Runner
from tui_cnn.core.perf import freeze_imported_objects
from tui_cnn.core.steer import Steering
from tui_cnn.tui.messages import CoreEvents

POST_INTERVAL_S = 0.5
"""Step and data-progress events are posted together at most this often. Each post wakes
the UI thread several times (the app, then each widget it updates), and each wake-up takes
the GIL from the trainer (see tui/redraw.py for what that costs)."""


@dataclass
class TrainingSession:
    """The controls and the main thread's view of one run."""

    config: TrainConfig
    stop: StopFlag = field(default_factory=StopFlag)
    pause: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)  # the worker thread ended
    steering: Steering = field(default_factory=Steering)  # the app's requests to the loop
    started: RunStarted | None = None
    ended: RunEnded | None = None
    lr: float | None = None  # the learning rate at the last step shown

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    def note(self, event: Event) -> None:
        """Remember the events the app's state depends on (main thread)."""
        if isinstance(event, RunStarted):
            self.started = event
            self.lr = event.config.lr
        elif isinstance(event, StepMetrics):
            self.lr = event.lr
        elif isinstance(event, RunEnded):
            self.ended = event
            self.pause.clear()


def freeze_after_first_step(events: Iterable[Event]) -> Iterator[Event]:
    """``events`` unchanged; after the first step, what the run imported is frozen out of
    the cycle collector's way (core.perf.freeze_imported_objects), keeping its full
    collections, which stall the UI thread too, short."""
    froze = False
    for event in events:
        if not froze and isinstance(event, StepMetrics):
            froze = True
            freeze_imported_objects()
        yield event


THROTTLED = (StepMetrics, DataProgress, LayerStatsReport)
"""Events posted at most every POST_INTERVAL_S (with whatever came before them)."""


def pump(events: Iterable[Event], post: Callable[[Message], object],
         interval: float = POST_INTERVAL_S,
         clock: Callable[[], float] = time.monotonic) -> None:
    """Post ``events`` in order as CoreEvents batches (worker thread).

    Step metrics, layer statistics and data progress wait until ``interval`` has passed
    since the last post; any other event is posted at once with whatever waited before
    it. No event is dropped: the charts downsample, not the pump.
    """
    pending: list[Event] = []
    last = -float("inf")
    for event in events:
        pending.append(event)
        now = clock()
        if isinstance(event, THROTTLED) and now - last < interval:
            continue
        post(CoreEvents(tuple(pending)))
        pending = []
        last = now
    if pending:
        post(CoreEvents(tuple(pending)))

