"""Make the README's screenshots: the real app, real training on the built-in synth-digits.

    python assets/make_screenshots.py [--out assets]

Opens the app headless at 120x40, trains the chapter's CNN (6,000 images, 3 epochs), then
saves the Training, Filters and Parameters views, and runs exercise 2 (MaxPool vs stride 2)
for the Runs view. About a minute on two CPU cores; no network.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.pilot import Pilot  # noqa: E402

from tui_cnn.core.config import TrainConfig  # noqa: E402
from tui_cnn.tui.app import TuiCnnApp  # noqa: E402
from tui_cnn.tui.runs.runs_view import RunsView  # noqa: E402

SIZE = (120, 40)


async def until(pilot: Pilot[Any], condition: Callable[[], object], what: str,
                timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await pilot.pause(0.2)


def idle(app: TuiCnnApp) -> bool:
    return (app.session is not None and not app.session.running
            and not app.controller.busy)


async def shoot(pilot: Pilot[Any], out: Path, name: str) -> None:
    pilot.app.clear_notifications()
    await pilot.pause(1.5)  # redraw timers and the inspect worker
    pilot.app.save_screenshot(f"{name}.svg", str(out))
    print(f"wrote {out / name}.svg")


async def make(out: Path, runs_dir: Path) -> None:
    config = TrainConfig(dataset="synth-digits", epochs=3, train_size=6000, test_size=1000,
                         runs_dir=str(runs_dir))
    app = TuiCnnApp(config)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-dark"
        await pilot.press("escape", "t")
        await until(pilot, lambda: idle(app), "the run")
        await shoot(pilot, out, "training")
        await pilot.press("2")
        await shoot(pilot, out, "filters")
        await pilot.press("3")
        await shoot(pilot, out, "parameters")
        await pilot.press("e", "2")
        view = app.query_one(RunsView)
        await until(pilot, lambda: idle(app) and len(view.selected) == 2, "exercise 2")
        await shoot(pilot, out, "runs-exercise-2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as runs_dir:
        asyncio.run(make(args.out, Path(runs_dir)))


if __name__ == "__main__":
    main()
