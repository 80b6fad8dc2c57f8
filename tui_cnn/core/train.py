"""The training loop: ``run(cfg, stop, pause, steering)`` yields events and never prints.

``steering`` (core.steer.Steering) carries requests from another thread: a new learning rate
(taken before the next step, yielded as LrChanged) and a target accuracy (checked after each
epoch's test; reaching it ends the run "finished").

Preparation problems (bad config, missing data, missing device, unwritable runs dir) raise
before RunStarted: ConfigError, DataError, RunStoreError. Once RunStarted is out, the run ends
with exactly one RunEnded, whatever happens, and its folder is saved.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import torch

from tui_cnn.core import devices
from tui_cnn.core.config import TrainConfig
from tui_cnn.core.datasets import ArrayData, config_info, load_config_arrays
from tui_cnn.core.events import DataProgress, EpochMetrics, Event, TestPredictions
from tui_cnn.core.layers import check_params, layer_table
from tui_cnn.core.session import Session
from tui_cnn.core.steer import Steering, steering_for, target_reason

_DONE = object()


def run(cfg: TrainConfig, stop: threading.Event | None = None,
        pause: threading.Event | None = None,
        steering: Steering | None = None, *, run_id: str | None = None) -> Iterator[Event]:
    """Train ``cfg``; yield DataProgress*, RunStarted, then metrics, then one RunEnded.
    ``run_id``: the new run folder's name, when the caller chose it (core/live/child.py)."""
    stop = stop or threading.Event()
    steering = steering_for(cfg.target_acc, steering)
    info = config_info(cfg)
    check_params(layer_table(cfg.arch, info.shape, info.num_classes))  # before any download
    device = devices.resolve(cfg.device)  # the device exists, before any download
    arrays: ArrayData | None = None
    for item in _load_in_background(cfg, stop):
        if isinstance(item, DataProgress):
            yield item
        elif isinstance(item, ArrayData):
            arrays = item
    if arrays is None:  # stopped while the data was loading
        return
    yield DataProgress("device", "moving data to the device")
    session = Session.create(cfg, arrays, device, run_id=run_id)
    yield session.started_event()
    if session.start_epoch == 1:  # the initial weights: epoch 0, to watch filters form
        session.save_filters(0)
        yield session.filter_snapshot(epoch_end=True)
    yield from _train(session, stop, pause, steering)


def _load_in_background(cfg: TrainConfig, stop: threading.Event) -> Iterator[object]:
    """Load the arrays in a thread so download progress can be yielded as it comes."""
    box: queue.Queue[object] = queue.Queue()

    def report(stage: str, message: str, done: int, total: int) -> None:
        box.put(DataProgress(stage, message, done, total))

    def work() -> None:
        try:
            box.put(load_config_arrays(cfg, progress=report))
        except BaseException as exc:  # re-raised in the caller's thread
            box.put(exc)
        box.put(_DONE)

    threading.Thread(target=work, name="tui-cnn-data", daemon=True).start()
    while not stop.is_set():
        try:
            item = box.get(timeout=0.1)
        except queue.Empty:
            continue
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def _train(session: Session, stop: threading.Event, pause: threading.Event | None,
           steering: Steering) -> Iterator[Event]:
    try:
        for epoch in range(session.start_epoch, session.cfg.epochs + 1):
            yield from _epoch(session, epoch, stop, pause, steering)
            if session.ended is not None:
                break
        else:
            session.end("finished", "all epochs done")
    except torch.OutOfMemoryError:
        session.end("failed", f"out of memory on {session.device} at batch size "
                    f"{session.cfg.batch_size}; try a smaller batch size")
    except Exception as exc:  # the run is saved and reported, never lost
        session.end("failed", f"{type(exc).__name__}: {exc}")
    except BaseException:  # KeyboardInterrupt, or the consumer closed the generator
        session.end("interrupted", "interrupted")
        session.finish()  # saved; nothing more can be yielded
        raise
    yield session.finish()


def _epoch(session: Session, epoch: int, stop: threading.Event,
           pause: threading.Event | None, steering: Steering) -> Iterator[Event]:
    session.begin_epoch(epoch)
    for x_u8, labels in session.batches(epoch):
        if pause is not None and pause.is_set():
            session.wait_while_paused(pause, stop)
        if stop.is_set():
            reason = getattr(stop, "reason", "stopped")
            session.end(reason, "stopped by the user" if reason == "stopped"
                        else "interrupted by a signal")
            return
        change = session.take_lr_change(steering)
        if change is not None:
            yield change
        session.step(x_u8, labels)
        if session.step_in_epoch % session.cfg.log_every == 0:
            metrics = session.report()
            if metrics is None:
                return  # diverged: session.ended is set
            yield session.layer_report()
            yield metrics
            if session.report_count % 5 == 0:
                yield session.filter_snapshot(epoch_end=False)
    yield from _end_epoch(session, epoch, steering)


def _end_epoch(session: Session, epoch: int, steering: Steering) -> Iterator[Event]:
    if session.step_in_epoch % session.cfg.log_every:
        metrics = session.report()
        if metrics is None:
            return
        yield session.layer_report()
        yield metrics
    train_loss, train_acc = session.tally.epoch_train_metrics()
    started = time.perf_counter()
    test = session.test_pass()
    result = EpochMetrics(
        epoch=epoch, epochs=session.cfg.epochs, step=session.global_step,
        train_loss=train_loss, train_acc=train_acc, test_loss=test.loss,
        test_acc=test.accuracy,
        seconds=session.tally.epoch_seconds(), eval_seconds=time.perf_counter() - started,
        images_per_s=session.tally.epoch_images / max(session.tally.epoch_seconds(), 1e-9),
        elapsed_s=session.tally.elapsed(),
    )
    session.record_epoch(result)
    reached = target_reason(steering, test.accuracy, epoch)
    if reached is not None:
        session.end("finished", reached)
    yield result
    yield session.filter_snapshot(epoch_end=True)
    yield TestPredictions(epoch, session.arrays.y_test.copy(), test.predicted)


