"""Which run the Draw view classifies with, and how it says so. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LIVE, SAVED = "live", "saved"


@dataclass
class Sources:
    """The live run (the one the app trains, or trained last) and a saved run (sent from
    the Runs view, or the last one inspected); ``kind`` says which classifies."""

    live: str | None = None
    live_epochs: int = 0  # epochs the live run has finished in this app
    live_training: bool = False
    saved: str | None = None
    kind: str = LIVE

    @property
    def run_dir(self) -> str | None:
        return self.live if self.kind == LIVE else self.saved

    def toggle(self) -> str | None:
        """Switch to the other source; the reason it cannot be, if it has no run."""
        other = SAVED if self.kind == LIVE else LIVE
        if (self.saved if other == SAVED else self.live) is None:
            return ("no saved run chosen yet: press d on a run in the Runs view (4), or "
                    "inspect one" if other == SAVED else "no run has trained in this app yet")
        self.kind = other
        return None

    def use_saved(self, run_dir: str) -> None:
        self.saved, self.kind = run_dir, SAVED

    def describe(self) -> str:
        """One line: which weights classify the drawing."""
        run_dir = self.run_dir
        if run_dir is None:
            return ("No model yet: train a run (t), or choose a saved one in the Runs view "
                    "with d. Draw meanwhile.")
        name = Path(run_dir).name
        if self.kind == SAVED:
            return f"Saved run {name}: its model.pt (o: the live run)"
        if not self.live_epochs:
            state = "its first epoch has not ended yet" if self.live_training else "no epoch"
            return f"Live run {name}: {state} (its checkpoint after each epoch is used)"
        going = "training; reloaded after each epoch" if self.live_training else "done"
        return (f"Live run {name}: its checkpoint after epoch {self.live_epochs} "
                f"(model.pt, {going}) · o: saved run")
