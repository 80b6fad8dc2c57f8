"""The timing and image counts of one training run: what ``Session.report`` adds up.

Training seconds and images (for the whole run and this epoch), the epoch's summed loss and
correct predictions, the wall-clock time since the run started less the time spent paused,
and what a resumed run carried over from its checkpoint.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from tui_cnn.core.train_step import MetricWindow


@dataclass
class RunTally:
    train_seconds: float = 0.0
    train_images: int = 0
    epoch_images: int = 0
    _resumed_train_seconds: float = 0.0  # carried over by resume, not timed by this process
    _epoch_loss: float = 0.0
    _epoch_correct: int = 0
    _epoch_train_s: float = 0.0
    _paused_s: float = 0.0
    _started: float = field(default_factory=time.perf_counter)

    def resume(self, train_seconds: float, train_images: int) -> None:
        """Carry on from a checkpoint's totals (its seconds are not this process's)."""
        self.train_seconds = self._resumed_train_seconds = train_seconds
        self.train_images = train_images

    def begin_epoch(self) -> None:
        self.epoch_images = 0
        self._epoch_loss, self._epoch_correct, self._epoch_train_s = 0.0, 0, 0.0

    def add_window(self, window: MetricWindow) -> tuple[float, float, float]:
        """Read a reported window back (one host sync) and count it: its mean loss per
        image, accuracy and images per second."""
        images = window.images
        loss = float(window.loss.item()) / max(1, images)
        seconds = max(time.perf_counter() - window.started, 1e-9)
        correct = int(window.correct.item())
        self._epoch_train_s += seconds
        self.train_seconds += seconds
        self.epoch_images += images
        self.train_images += images
        self._epoch_loss += loss * images
        self._epoch_correct += correct
        return loss, correct / max(1, images), images / seconds

    def wait_while_paused(self, pause: threading.Event, stop: threading.Event) -> float:
        """Sleep until ``pause`` is cleared or ``stop`` set; the seconds paused are left out
        of ``elapsed`` and returned."""
        started = time.perf_counter()
        while pause.is_set() and not stop.is_set():
            time.sleep(0.05)
        paused = time.perf_counter() - started
        self._paused_s += paused
        return paused

    def train_seconds_this_run(self) -> float:
        return max(1e-9, self.train_seconds - self._resumed_train_seconds)

    def epoch_train_metrics(self) -> tuple[float, float]:
        """This epoch's mean training loss and accuracy."""
        images = max(1, self.epoch_images)
        return self._epoch_loss / images, self._epoch_correct / images

    def epoch_seconds(self) -> float:
        return max(self._epoch_train_s, 1e-9)

    def elapsed(self) -> float:
        return time.perf_counter() - self._started - self._paused_s

    def images_per_s(self) -> float:
        return self.train_images / self.train_seconds if self.train_seconds else 0.0
