"""Section 3: what the app costs. Driven headless with ``App.run_test()``.

Headless Textual skips turning each screen update into terminal text; ``_TimedApp`` does
that work anyway (``render_segments``, as a real terminal's update does, minus the write)
so the UI thread's cost is counted. Measured:

- training throughput inside the app (RunEnded.images_per_s: training time only; the app
  trains each run in a process of its own, core/live, and follows it) vs
  ``core.train.run`` headless with the same config and thread count, runs alternated; and
  the UI thread's CPU time over the run's wall time (``ui_thread_cpu_share`` in the JSON);
- key-press to screen update while training: a key is handed to the driver as a terminal's
  input thread would, and the time runs until the first frame written after the key's
  action ran. Two keys: space (pause/resume: the status line changes) and "2"/"1" (switch
  between the Filters and Training views: the whole view is drawn anew), each pressed a
  fixed number of times every 0.1-0.3 s, in a fresh process per key as a user's session;
- time to first frame: a fresh Python process that imports and opens the app, from just
  before the process starts to its first frame.
"""

from __future__ import annotations

import os

# As `tui-cnn` (tui_cnn/cli.py main) sets it before torch loads: idle OpenMP threads sleep.
# Without it the Filters view's inspections (torch in the app's process, after each epoch)
# left OpenMP threads spinning on the core the UI thread needs, and the benchmark measured
# an app no user runs.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from textual import constants, events
from textual._compositor import CompositorUpdate
from textual.screen import Screen

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.events import RunEnded
from tui_cnn.tui.app import TuiCnnApp

SIZE = (120, 40)
KEYS = {"pause": ("space", "space"), "view": ("2", "1")}  # name: keys pressed in turn


class _TimedApp(TuiCnnApp):
    """The app, recording when frames are written and when a key's action ran."""

    def __init__(self, config: TrainConfig, in_process: bool = False) -> None:
        runner = None
        if in_process:  # the loop in the app's own process, as before core/live
            from tui_cnn.core.train import run as runner
        super().__init__(config, runner=runner, devices=[("cpu", "cpu")])
        self.frames: list[float] = []
        self.acted: list[float] = []

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        if renderable is not None and self.is_headless:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)
            self.frames.append(time.perf_counter())
        super()._display(screen, renderable)

    def action_show_view(self, view: str) -> None:
        super().action_show_view(view)
        self.acted.append(time.perf_counter())

    def action_pause(self) -> None:
        super().action_pause()
        self.acted.append(time.perf_counter())


async def _until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.02)


async def press_key(app: _TimedApp, key: str) -> float:
    """Seconds from handing ``key`` to the driver to the first frame after its action."""
    assert app._driver is not None
    seen = len(app.acted)
    event = events.Key(key, " " if key == "space" else key)
    event.set_sender(app)
    sent = time.perf_counter()
    app._driver.send_message(event)
    await _until(lambda: len(app.acted) > seen, 10, f"the action of {key!r}")
    acted = app.acted[seen]
    await _until(lambda: app.frames and app.frames[-1] >= acted, 10, "a frame")
    frame = next(t for t in app.frames if t >= acted)
    return frame - sent


async def app_run(cfg: TrainConfig, keys: tuple[str, ...] = (), presses: int = 0,
                  timeout: float = 600, in_process: bool = False) -> dict[str, Any]:
    """One run in the app: its RunEnded's images/s, and with ``keys``, the latencies
    (seconds) of ``presses`` key presses, ``keys`` in turn every 0.1-0.3 s while it trains;
    the run is then stopped."""
    app = _TimedApp(cfg, in_process)
    latencies: list[float] = []
    rng = random.Random(0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await _until(lambda: app.session is not None and app.session.started, timeout,
                     "training to start")
        wall, ui_cpu = time.perf_counter(), time.thread_time()  # this thread runs the UI
        while len(latencies) < presses and app.session is not None and not app.session.ended:
            await asyncio.sleep(rng.uniform(0.1, 0.3))
            if app.session.ended is None:
                latencies.append(await press_key(app, keys[len(latencies) % len(keys)]))
        ui_share = (time.thread_time() - ui_cpu) / (time.perf_counter() - wall)
        if presses and app.session is not None:
            app.session.stop.set()  # enough presses: the rest of the run is not needed
            app.session.pause.clear()
        await _until(lambda: app.session is not None and app.session.ended, timeout,
                     "the run to end")
        if not presses:
            ui_share = (time.thread_time() - ui_cpu) / (time.perf_counter() - wall)
    assert app.session is not None and app.session.ended is not None
    ended = app.session.ended
    if ended.status not in (("finished", "stopped") if presses else ("finished",)):
        raise RuntimeError(f"the app's run ended {ended.status}: {ended.reason}")
    if len(latencies) < presses:
        raise RuntimeError(f"the run ended after {len(latencies)} of {presses} key presses")
    return {"images_per_s": ended.images_per_s, "latencies": latencies,
            "ui_thread_cpu_share": ui_share}


def headless_run(cfg: TrainConfig) -> float:
    from tui_cnn.core.train import run

    ended = [e for e in run(cfg) if isinstance(e, RunEnded)][-1]
    return ended.images_per_s


def throughput(cfg: TrainConfig, repeats: int) -> dict[str, Any]:
    """App vs headless images/s, alternated; then one app run with key presses."""
    runs: dict[str, list[float]] = {"app": [], "headless": []}
    ui_share: list[float] = []
    for _ in range(repeats):
        in_app = asyncio.run(app_run(cfg))
        runs["app"].append(in_app["images_per_s"])
        ui_share.append(in_app["ui_thread_cpu_share"])
        runs["headless"].append(headless_run(cfg))
    med = {name: statistics.median(values) for name, values in runs.items()}
    pairs = [a / h for a, h in zip(runs["app"], runs["headless"], strict=True)]
    return {"threads": cfg.threads, "images_per_s": med, "runs": runs,
            "ratio": med["app"] / med["headless"], "pair_ratios": pairs,
            "median_pair_ratio": statistics.median(pairs), "ui_thread_cpu_share": ui_share}


def key_latency(cfg: TrainConfig, keys: tuple[str, ...], presses: int,
                in_process: bool = False) -> dict[str, Any]:
    """Median, p95 and max key-press to frame (ms) of ``presses`` presses while ``cfg``
    trains in the app (given epochs enough to last that long, then stopped). Measured in a
    fresh process, as a user's session is: one app per process (apps opened earlier in the
    same process leave objects behind that lengthen garbage collections)."""
    job = json.dumps({"config": cfg.to_dict(), "keys": keys, "presses": presses,
                      "in_process": in_process})
    out = subprocess.run([sys.executable, "-m", "benchmarks.ui", "--keys", job],
                         capture_output=True, text=True, check=True, timeout=900,
                         cwd=Path(__file__).resolve().parent.parent)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    ms = sorted(1000 * t for t in result["latencies"])
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))] if ms else None
    return {"keys": keys, "presses": len(ms), "textual_fps": result["textual_fps"],
            "median_ms": statistics.median(ms) if ms else None,
            "p95_ms": p95, "max_ms": max(ms, default=None), "all_ms": ms,
            "images_per_s_while_pressing": result["images_per_s"],
            "ui_thread_cpu_share": result["ui_thread_cpu_share"]}


def _key_latency_child(job: str) -> None:
    """In the child: one app run with key presses; its result as JSON on the last line."""
    spec = json.loads(job)
    cfg = TrainConfig.from_dict(spec["config"])
    cfg = cfg.replace(epochs=max(cfg.epochs, 50))
    result = asyncio.run(app_run(cfg, tuple(spec["keys"]), spec["presses"],
                                 in_process=spec.get("in_process", False)))
    print(json.dumps({**result, "textual_fps": constants.MAX_FPS}), flush=True)


# -- time to first frame (a child process) ---------------------------------------------
def _first_frame_child(runs_dir: str) -> None:
    """In the child: open the app as ``tui-cnn`` does, print the wall time of frame one."""
    from tui_cnn.tui.startup import initial_config

    class FirstFrame(TuiCnnApp):
        def _display(self, screen: Screen[Any], renderable: Any) -> None:
            if renderable is not None and not getattr(self, "_shown", False):
                if isinstance(renderable, CompositorUpdate):
                    renderable.render_segments(self.console)
                self._shown = True
                print(f"FIRST_FRAME {time.time()!r}", flush=True)
                self.exit(0)
            super()._display(screen, renderable)

    config, notices = initial_config(arch=None, dataset=None, epochs=None, device=None,
                                     data_dir=None, runs_dir=runs_dir)
    FirstFrame(config, notices=notices).run(headless=True, size=SIZE)


def first_frame(runs_dir: Path, repeats: int) -> dict[str, Any]:
    """Seconds from just before starting ``python`` to the app's first frame (median)."""
    times: list[float] = []
    for _ in range(repeats):
        started = time.time()
        out = subprocess.run([sys.executable, "-m", "benchmarks.ui", "--first-frame",
                              str(runs_dir)], capture_output=True, text=True, check=True,
                             timeout=120, cwd=Path(__file__).resolve().parent.parent)
        line = next(s for s in out.stdout.splitlines() if s.startswith("FIRST_FRAME"))
        times.append(float(line.split()[1]) - started)
    return {"median_s": statistics.median(times), "runs_s": times}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--first-frame":
        _first_frame_child(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--keys":
        _key_latency_child(sys.argv[2])
