"""core.batch_split: the batch shared between CPU threads gives the full batch's step."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tui_cnn.core import devices
from tui_cnn.core.batch_split import BatchSplitter, default_threads, share_count, threads_for
from tui_cnn.core.config import PRESETS, TrainConfig
from tui_cnn.core.events import EpochMetrics, RunEnded, RunStarted
from tui_cnn.core.models import build_model, pool_then_relu
from tui_cnn.core.train import run
from tui_cnn.core.train_step import MetricWindow, optimise_batch

CPU = torch.device("cpu")


def _chapter_cnn(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return build_model(PRESETS["cnn"], (1, 28, 28), 10).to(memory_format=torch.channels_last)


def _batch(n: int, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 28, 28, generator=g).contiguous(memory_format=torch.channels_last)
    return x, torch.randint(0, 10, (n,), generator=g)


@pytest.fixture
def splitter() -> BatchSplitter:
    before = torch.get_num_threads()
    made = BatchSplitter(2, threads=before)
    yield made
    made.close()
    assert torch.get_num_threads() == before  # the run's count is back after close


@pytest.mark.parametrize(("mode", "device", "threads", "batch", "arch", "expected"), [
    ("auto", "cpu", 2, 32, "cnn", 2),
    ("auto", "cpu", 4, 32, "cnn", 4),
    ("auto", "cpu", 8, 32, "cnn", 4),  # shares of at least 8 images
    ("auto", "cpu", 2, 15, "cnn", 1),
    ("auto", "cpu", 1, 32, "cnn", 1),
    ("off", "cpu", 2, 32, "cnn", 1),
    ("auto", "meta", 2, 32, "cnn", 1),  # not a CPU
    ("auto", "cpu", 2, 32, "cnn-bn", 1),  # batch norm and dropout: unsplit
    ("auto", "cpu", 2, 32, "mlp", 2),
])
def test_share_count(mode: str, device: str, threads: int, batch: int, arch: str,
                     expected: int) -> None:
    model = build_model(PRESETS[arch], (1, 28, 28), 10)
    assert share_count(mode, torch.device(device), model, threads, batch) == expected


@pytest.mark.parametrize("batch", [32, 33, 21])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_a_split_step_is_the_full_batch_step(splitter: BatchSplitter, batch: int,
                                             label_smoothing: float) -> None:
    """Same weights after three SGD steps (SGD: an update linear in the gradient, so float
    rounding stays rounding), same summed loss and correct count, unequal shares (33 = 17 +
    16) weighted by their size."""
    whole, shared = _chapter_cnn(), _chapter_cnn()
    x, y = _batch(batch)
    results = []
    for model, step in ((whole, optimise_batch), (shared, splitter.optimise)):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        window = MetricWindow.zeros(CPU)
        for _ in range(3):
            step(pool_then_relu(model), optimizer, x, y, window, bf16=False,
                 label_smoothing=label_smoothing)
        results.append(window)
    for a, b in zip(whole.parameters(), shared.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(results[0].loss, results[1].loss, rtol=1e-5, atol=1e-5)
    assert int(results[0].correct) == int(results[1].correct)
    assert (results[1].images, results[1].steps) == (3 * batch, 3)
    assert not torch.equal(next(whole.parameters()), next(_chapter_cnn().parameters()))


def test_the_gradient_is_the_mean_over_the_batch(splitter: BatchSplitter) -> None:
    """A hand-checkable case: one linear unit, squared error would differ per share; with
    cross-entropy on a 2-class linear model the summed gradient equals the full batch's."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    reference = copy.deepcopy(model)
    x, y = torch.randn(16, 1, 2, 2), torch.tensor([0, 1] * 8)
    sgd = torch.optim.SGD(model.parameters(), lr=0.0)
    splitter.optimise(model, sgd, x, y, MetricWindow.zeros(CPU), bf16=False,
                      label_smoothing=0.0)
    F.cross_entropy(reference(x), y).backward()
    for got, want in zip(model.parameters(), reference.parameters(), strict=True):
        assert got.grad is not None and want.grad is not None
        torch.testing.assert_close(got.grad, want.grad, rtol=1e-6, atol=1e-7)


def test_shares_run_on_one_core_each_and_the_test_pass_on_all(splitter: BatchSplitter) -> None:
    seen: list[tuple[str, int]] = []
    model = _chapter_cnn()
    forward = pool_then_relu(model)

    def recording(x: torch.Tensor) -> torch.Tensor:
        seen.append((threading.current_thread().name, torch.get_num_threads()))
        return forward(x)

    x, y = _batch(32)
    optimizer = torch.optim.Adam(model.parameters())
    splitter.optimise(recording, optimizer, x, y, MetricWindow.zeros(CPU), bf16=False,
                      label_smoothing=0.0)
    assert len(seen) == 2 and len({name for name, _ in seen}) == 2
    assert [count for _, count in seen] == [1, 1]
    assert torch.get_num_threads() == 1  # the caller's ops between shares too
    with splitter.all_threads():
        assert torch.get_num_threads() == splitter.threads
    assert torch.get_num_threads() == 1


def test_an_error_in_a_share_reaches_the_caller(splitter: BatchSplitter) -> None:
    model = _chapter_cnn()

    def failing(x: torch.Tensor) -> torch.Tensor:
        if threading.current_thread().name.startswith("tui-cnn-share"):
            raise RuntimeError("share broke")
        return pool_then_relu(model)(x)

    x, y = _batch(32)
    with pytest.raises(RuntimeError, match="share broke"):
        splitter.optimise(failing, torch.optim.Adam(model.parameters()), x, y,
                          MetricWindow.zeros(CPU), bf16=False, label_smoothing=0.0)


def test_a_small_last_batch_trains_unsplit(splitter: BatchSplitter) -> None:
    calls: list[int] = []
    model = _chapter_cnn()
    forward = pool_then_relu(model)

    def counting(x: torch.Tensor) -> torch.Tensor:
        calls.append(len(x))
        return forward(x)

    x, y = _batch(12)
    window = MetricWindow.zeros(CPU)
    splitter.optimise(counting, torch.optim.Adam(model.parameters()), x, y, window,
                      bf16=False, label_smoothing=0.0)
    assert calls == [12] and window.images == 12


def _train(tmp_path: Path, split: str, name: str) -> tuple[list[object], Path]:
    cfg = TrainConfig(dataset="synth-digits", epochs=2, batch_size=32, train_size=640,
                      test_size=256, threads=2, batch_split=split, seed=3,
                      runs_dir=str(tmp_path / name))
    events = list(run(cfg))
    ended = events[-1]
    assert isinstance(ended, RunEnded) and ended.status == "finished"
    assert ended.run_dir is not None
    return events, Path(ended.run_dir)


def test_a_run_at_two_threads_splits_learns_and_says_so(tmp_path: Path) -> None:
    events, run_dir = _train(tmp_path, "auto", "a")
    started = next(e for e in events if isinstance(e, RunStarted))
    assert started.batch_shares == 2
    assert started.shares_note == "each on half of every batch"
    epochs = [e for e in events if isinstance(e, EpochMetrics)]
    assert epochs[1].train_loss < epochs[0].train_loss
    assert json.loads((run_dir / "config.json").read_text())["batch_shares"] == 2
    again, again_dir = _train(tmp_path, "auto", "b")  # reproducible: the same weights
    first = torch.load(run_dir / "model.pt", weights_only=True)
    second = torch.load(again_dir / "model.pt", weights_only=True)
    assert all(torch.equal(first[k], second[k]) for k in first)
    _, off_dir = _train(tmp_path, "off", "c")
    assert json.loads((off_dir / "config.json").read_text())["batch_shares"] == 1


@pytest.mark.parametrize(("free", "step_macs", "expected"), [
    (2, 136_000_000, 2), (4, 20_000_000, 4), (4, 19_999_999, 1), (2, 3_500_000, 1),
    (1, 136_000_000, 1)])
def test_a_small_step_defaults_to_one_thread(free: int, step_macs: int, expected: int) -> None:
    assert default_threads(free, step_macs) == expected


@pytest.mark.parametrize(("arch", "asked", "threads", "note"), [
    ("mlp", None, 1, "a step this small trains fastest on one"),  # 109,184 x 32 multiply-adds
    ("mlp", 2, 2, ""),  # asked for: kept
    ("cnn", None, 2, "")])  # 4,241,152 x 32
def test_the_run_picks_its_threads_from_its_step(monkeypatch: pytest.MonkeyPatch, arch: str,
                                                 asked: int | None, threads: int,
                                                 note: str) -> None:
    measured: list[bool] = []

    def free(reserve_for_ui: bool) -> int:
        measured.append(reserve_for_ui)
        return 2

    monkeypatch.setattr(devices, "default_threads", free)
    cfg = TrainConfig(arch=PRESETS[arch], dataset="synth-digits", epochs=1, train_size=64,
                      test_size=32, threads=asked, runs_dir="")
    started = next(e for e in run(cfg) if isinstance(e, RunStarted))
    assert measured == ([] if asked else [False])  # the 0.1 s measure only when needed
    assert (started.threads, started.threads_note, started.config.threads) == \
        (threads, note, threads)
    assert started.batch_shares == (2 if threads == 2 else 1)


def test_more_threads_than_cores_are_kept_and_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """--threads 1000 on 2 cores trained at 2 img/s with nothing said."""
    import tui_cnn.core.session as session_module

    monkeypatch.setattr(session_module.os, "cpu_count", lambda: 2)
    cfg = TrainConfig(arch=PRESETS["mlp"], dataset="synth-digits", epochs=1, train_size=64,
                      test_size=32, threads=3, runs_dir="")
    started = next(e for e in run(cfg) if isinstance(e, RunStarted))
    assert started.threads == 3
    assert started.threads_note == ("more than this machine's 2 cores, so the threads take "
                                    "turns: expect it far slower than one per core")


def test_the_app_picks_the_same_threads_before_its_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """threads_for: what the app's run controller fills in (a core kept for the UI)."""
    reserved: list[bool] = []

    def free(reserve_for_ui: bool) -> int:
        reserved.append(reserve_for_ui)
        return 3

    monkeypatch.setattr(devices, "default_threads", free)
    assert threads_for(TrainConfig(arch=PRESETS["mlp"]), reserve_for_ui=True) == 1
    assert threads_for(TrainConfig(arch=PRESETS["cnn"]), reserve_for_ui=True) == 3
    no_folder = TrainConfig(dataset="folder", data_dir="/nonexistent/images")
    assert threads_for(no_folder, reserve_for_ui=False) == 3  # the run says what is wrong
    assert reserved == [True, True, False]


def test_with_more_threads_than_shares_each_share_gets_several() -> None:
    """8 threads, batch 16: 2 shares (at least 8 images each) of 4 threads each."""
    before = torch.get_num_threads()
    splitter = BatchSplitter(2, threads=8)
    seen: list[int] = []
    model = _chapter_cnn()
    forward = pool_then_relu(model)

    def recording(x: torch.Tensor) -> torch.Tensor:
        seen.append(torch.get_num_threads())
        return forward(x)

    try:
        x, y = _batch(16)
        splitter.optimise(recording, torch.optim.Adam(model.parameters()), x, y,
                          MetricWindow.zeros(CPU), bf16=False, label_smoothing=0.0)
        assert seen == [4, 4]
        with splitter.all_threads():
            assert torch.get_num_threads() == 8
    finally:
        splitter.close()
        torch.set_num_threads(before)
