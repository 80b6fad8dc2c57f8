"""Steering: a learning-rate change reaches a real optimizer at the next step and the
schedule continues from the new value; requests cross threads once each."""

from __future__ import annotations

import threading

import pytest
import torch

from tui_cnn.core.config import ConfigError
from tui_cnn.core.optim import lr_factor
from tui_cnn.core.steer import Steering, apply_lr_change, rescaled_base


def test_one_cycle_continues_from_the_new_value() -> None:
    total, step = 100, 40  # warm-up is 15 steps; at 40 the factor is 60/85
    assert lr_factor(step, total, "onecycle") == pytest.approx(60 / 85)
    new_base = rescaled_base(1e-3, step, total, "onecycle")
    assert new_base * lr_factor(step, total, "onecycle") == pytest.approx(1e-3)
    later = new_base * lr_factor(70, total, "onecycle")  # still decaying linearly to 0
    assert later == pytest.approx(1e-3 * 30 / 60)
    assert rescaled_base(1e-3, step, total, "constant") == 1e-3
    assert rescaled_base(1e-3, total, total, "onecycle") == 1e-3  # factor 0 at the end


def test_lr_change_reaches_a_torch_optimizer_and_its_scheduler() -> None:
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0 / (1 + s))
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 / 4)
    apply_lr_change(optimizer, 0.05, scheduler)
    assert optimizer.param_groups[0]["lr"] == 0.05
    optimizer.step()
    scheduler.step()  # step 4: the same 1/(1+s) shape, from 0.05 at step 3
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05 * 4 / 5)


def test_requests_are_validated_and_taken_once_across_threads() -> None:
    steering = Steering(target_acc=0.9)
    with pytest.raises(ConfigError, match="learning rate"):
        steering.request_lr("-1")
    with pytest.raises(ConfigError, match="learning rate"):
        steering.request_lr("fast")
    worker = threading.Thread(target=steering.request_lr, args=("2e-3",))
    worker.start()
    worker.join()
    assert steering.take_lr() == 2e-3 and steering.take_lr() is None
    assert not steering.reached_target(0.89) and steering.reached_target(0.9)
    steering.request_extra_epoch()
    steering.request_extra_epoch()
    assert steering.take_extra_epochs() == 2 and steering.take_extra_epochs() == 0
    with pytest.raises(ConfigError, match="target accuracy"):
        steering.request_target(1.5)
