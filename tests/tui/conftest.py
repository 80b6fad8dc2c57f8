"""Fixtures: an app factory over a fake (or the real) training loop, and worker clean-up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui_cnn.core.config import TrainConfig
from tui_cnn.tui.app import TuiCnnApp
from tui_cnn.tui.session import Runner

from .fakes import FIXED_DEVICES, FakeRunner

AppFactory = Callable[..., TuiCnnApp]


@pytest.fixture
def config(tmp_path: Path) -> TrainConfig:
    """Small and fast: synth-digits, 1,000/500 images, one torch thread, tmp folders."""
    return TrainConfig(dataset="synth-digits", epochs=2, batch_size=64, log_every=2,
                       threads=1, train_size=1000, test_size=500, download=False,
                       runs_dir=str(tmp_path / "runs"), data_dir=str(tmp_path / "data"))


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


@pytest.fixture
def make_app(config: TrainConfig, runner: FakeRunner) -> Iterator[AppFactory]:
    """``make_app(**changes, runner=...)``: the app over ``config`` with changes, the fake
    runner and a fixed device list. Any run still going at the end is stopped and joined
    (run_test does not wait for thread workers)."""
    apps: list[TuiCnnApp] = []

    def factory(runner_: Runner | None = runner, **changes: object) -> TuiCnnApp:
        app = TuiCnnApp(config.replace(**changes), runner=runner_, devices=FIXED_DEVICES)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        if app.session is not None:
            app.session.stop.set()
            app.session.pause.clear()
            assert app.session.done.wait(60), "the training thread did not stop"
