"""Bad input and failing runs end in a message, never a crash; valid values are kept."""

from __future__ import annotations

from collections.abc import Iterator

from textual.widgets import Input, Static

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.events import Event

from .conftest import AppFactory
from .helpers import notifications, wait_for

SIZE = (120, 40)


async def test_invalid_batch_size_is_explained_and_start_refused(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        field = app.panel.hyper.query_one("#batch-size")
        field.query_one(Input).focus()
        await pilot.press("end", "a")  # "64a"
        await pilot.pause()
        error = field.query_one(".field-error", Static)
        assert "batch size must be a whole number, got '64a'" in str(error.render())
        assert "t waits for a fix (esc: back to 64)" in str(error.render())
        assert field.has_class("-invalid")
        assert app.panel.hyper.values()["batch_size"] == 64
        app.query_one("#presets").focus()  # left some way other than esc (a click)
        await pilot.press("t")
        assert app.session is None
        assert any("Can't start: batch size" in text and "t waits for a fix" in text
                   for text in notifications(app))
        field.query_one(Input).focus()
        await pilot.press("escape")  # esc undoes text that does not parse
        await pilot.pause()
        assert field.query_one(Input).value == "64" and not field.has_class("-invalid")
        field.query_one(Input).focus()
        await pilot.press("end", "backspace", "backspace", *"128", "escape", "t")
        await wait_for(pilot, lambda: app.session is not None, what="the run to start")
        assert app.session is not None and app.session.config.batch_size == 128


async def test_out_of_range_value_names_the_limit(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        field = app.panel.hyper.query_one("#epochs")
        field.query_one(Input).value = "0"
        await pilot.pause()
        assert "epochs must be between 1 and 1,000, got 0" in str(
            field.query_one(".field-error", Static).render())
        assert app.panel.hyper.values()["epochs"] == 2


async def test_spec_that_does_not_fit_says_which_layer(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.panel.arch.query_one("#conv").query_one(Input).value = "8,8,8,8,8,8"
        await pilot.pause()
        summary = str(app.panel.arch.query_one("#arch-summary", Static).render())
        assert "pool5" in summary and "too small to pool" in summary
        assert app.panel.arch.problem is not None
        await pilot.press("escape", "t")
        assert app.session is None
        assert any("Can't start" in text and "pool5" in text for text in notifications(app))


async def test_unavailable_device_fails_with_the_reason(make_app: AppFactory) -> None:
    app = make_app(device="cuda:7")
    async with app.run_test(size=SIZE) as pilot:
        note = str(app.query_one("#device-note", Static).render())
        assert "cuda:7 is not on this machine" in note
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.status.shown_state == "failed", what="failure")
        assert any("cuda:7" in text and "not available" in text
                   for text in notifications(app))
        assert app.is_running


async def test_mnist_missing_offline_fails_with_the_reason(make_app: AppFactory) -> None:
    app = make_app(dataset="mnist", download=False)
    async with app.run_test(size=SIZE) as pilot:
        info = str(app.query_one("#dataset-info", Static).render())
        assert "not downloaded, and downloading is off" in info
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.status.shown_state == "failed", what="failure")
        assert any("mnist" in text.lower() for text in notifications(app))


async def test_any_exception_in_the_worker_is_shown(make_app: AppFactory) -> None:
    calls: list[TrainConfig] = []

    def exploding_runner(cfg: TrainConfig, stop: object, pause: object,
                         steering: object = None) -> Iterator[Event]:
        calls.append(cfg)
        raise RuntimeError("the GPU caught fire")

    app = make_app(runner_=exploding_runner)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.status.shown_state == "failed", what="failure")
        assert any("RuntimeError: the GPU caught fire" in text for text in notifications(app))
        await wait_for(pilot, lambda: app.session is not None and not app.session.running,
                       what="the worker to end")
        await pilot.press("t")  # a new run may start after a failure
        await wait_for(pilot, lambda: len(calls) == 2, what="a second run")
        assert app.is_running
