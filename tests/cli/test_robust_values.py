"""Values that cannot work, output that cannot be written, messages that mislead (issue 18,
fault classes 6, 7 and 8): one line, the right exit code, checked before allocating."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.cli.test_damaged_runs import TINY, run_cli
from tests.fakedata import cifar_batch, write_cifar10, write_idx_mnist
from tui_cnn.commands.filter_png import check_png_size
from tui_cnn.core.config import MAX_SEED, TrainConfig, preset
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.datasets import load_arrays, load_config_arrays
from tui_cnn.core.session import Session
from tui_cnn.exits import UsageError

ROOT = Path(__file__).resolve().parents[2]


def _cli(*argv: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "tui_cnn", *argv], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("runs")
    code, _, err = run_cli(["train", *TINY, "--runs-dir", str(root)])
    assert code == 0, err
    return root, next(root.iterdir()).name


def _one_line(code: int, err: str, expect: int = 2) -> str:
    assert code == expect and len(err.strip().splitlines()) == 1, (code, err)
    return err


# ---- 6: values accepted that cannot work -----------------------------------------------


def test_the_largest_seed_trains_and_one_more_is_refused(tmp_path: Path) -> None:
    """seed * 100_003 + epoch must stay within torch's generator seeds (2**64 - 1)."""
    cfg = TrainConfig(arch=preset("cnn-small"), epochs=1000, seed=MAX_SEED, train_size=32,
                      test_size=10, threads=1, runs_dir="")
    session = Session.create(cfg, load_config_arrays(cfg))
    for epoch in (1, 1000):
        next(iter(session.batches(epoch)))  # both generators seeded without overflow
    err = _one_line(*run_cli(["train", "--seed", str(MAX_SEED + 1), "--quiet"])[::2])
    assert f"seed must be between 0 and {MAX_SEED:,}" in err
    err = _one_line(*run_cli(["train", "--seed", str(2**63 - 1)])[::2])


@pytest.mark.parametrize("flag", ["--runs-dir", "--data-dir"])
def test_an_empty_folder_flag_is_refused(flag: str) -> None:
    for argv in (["train", flag, ""], ["runs", "--runs-dir", ""], [flag, "", "runs"]):
        if flag == "--data-dir" and argv[0] == "runs":
            continue
        err = _one_line(*run_cli(argv)[::2])
        assert f"{flag} is empty" in err


def test_a_data_dir_or_cache_that_is_a_file_is_named(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    a_file = tmp_path / "data"
    a_file.write_text("not a folder")
    with pytest.raises(DataError, match=r"the data dir .*data is a file, not a folder"):
        load_arrays("mnist", a_file, download=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(a_file))
    with pytest.raises(DataError, match=r"cannot be made: .*data is a file"):
        load_arrays("mnist", None, download=False)
    monkeypatch.setenv("TUI_CNN_CACHE_DIR", str(a_file))
    images = tmp_path / "images"
    with pytest.raises(DataError, match="folder cache .* is a file"):
        load_arrays("folder", images)


def test_a_cifar_label_of_ten_to_the_thirty_is_one_line(tmp_path: Path) -> None:
    write_cifar10(tmp_path, 4, 4, seed=0)
    batch = cifar_batch(np.zeros((2, 3, 32, 32), np.uint8), np.zeros(2, np.int64), "x")
    batch["labels"] = [0, 10**30]
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(pickle.dumps(batch))
    with pytest.raises(DataError, match=r"test_batch: 'labels' are not whole numbers 0\.\.9"):
        load_arrays("cifar10", tmp_path, download=False)


def test_an_empty_test_set_is_refused_before_training(tmp_path: Path) -> None:
    write_idx_mnist(tmp_path / "data", 64, 0, seed=0)
    code, _, err = run_cli(["train", "--dataset", "mnist", "--data-dir", str(tmp_path / "data"),
                            "--offline", "--quiet", "--runs-dir", str(tmp_path / "runs")])
    assert "the test set has no images" in _one_line(code, err)
    assert not (tmp_path / "runs").exists()  # no "finished" run at 0.00%


def test_a_network_above_the_parameter_limit_is_refused_with_its_count(
        saved: tuple[Path, str], tmp_path: Path) -> None:
    root, run_id = saved
    config = root / run_id / "config.json"
    original = config.read_text()
    data = json.loads(original)
    data["arch"].update(conv_channels=[1024] * 6, kernel_size=7, downsample="none",
                        hidden=[16384] * 6)
    del data["params"], data["macs"]
    try:
        config.write_text(json.dumps(data))
        for argv in (["filters", run_id], ["export", run_id, "--filters",
                                            str(tmp_path / "f.png")]):
            err = _one_line(*run_cli([*argv, "--runs-dir", str(root)])[::2])
            assert "the network has 14,752,734,218 parameters" in err
    finally:
        config.write_text(original)


def test_export_refuses_an_empty_name_and_a_huge_png(saved: tuple[Path, str],
                                                     tmp_path: Path) -> None:
    root, run_id = saved
    dirs = ["--runs-dir", str(root)]
    err = _one_line(*run_cli(["export", run_id, "--filters", "", *dirs])[::2])
    assert "--filters is empty" in err
    err = _one_line(*run_cli(["export", run_id, "--format", "csv", "-o", "", *dirs])[::2])
    assert "--output is empty" in err
    # the MLP's 128 templates of 28x28 at --scale 256: 25.7 GiB, refused before allocating
    with pytest.raises(UsageError, match=r"the PNG would be 59,648x119,040 pixels \(19\.8 GiB"):
        check_png_size(128, 28, 28, 256, 8)
    check_png_size(8, 3, 3, 256, 8)  # the cnn-small's filters at the largest scale: fine


# ---- 7: output that cannot be written ----------------------------------------------------


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(saved: tuple[Path, str]) -> None:
    root, run_id = saved
    for argv in (["filters", run_id], ["runs"], ["report", run_id]):
        shell = (f"{sys.executable} -m tui_cnn {' '.join(argv)} --runs-dir {root} | head -c1 "
                 ">/dev/null; exit ${PIPESTATUS[0]}")
        done = subprocess.run(["bash", "-c", shell], cwd=ROOT, capture_output=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
        assert done.returncode == 0 and done.stderr == b"", (argv, done.stderr)


@pytest.mark.slow
def test_ascii_stdout_falls_back_and_a_full_disk_is_one_line(saved: tuple[Path, str]) -> None:
    root, run_id = saved
    for argv in (["summary"], ["filters", run_id, "--runs-dir", str(root)]):
        done = _cli(*argv, PYTHONIOENCODING="ascii")
        assert done.returncode == 0 and done.stderr == b"", done.stderr
        done.stdout.decode("ascii")  # plain ASCII, bars drawn with # . : and friends
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "tui_cnn", "summary"], cwd=ROOT,
                              stdout=full, stderr=subprocess.PIPE, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1
    assert done.stderr.decode().strip().splitlines() == [
        "tui-cnn: error: cannot write the output: No space left on device"]


# ---- 8: messages that mislead --------------------------------------------------------------


def test_json_output_never_holds_a_bare_nan(saved: tuple[Path, str], tmp_path: Path) -> None:
    root, run_id = saved
    epochs = root / run_id / "epochs.jsonl"
    original = epochs.read_text()
    row = json.loads(original.splitlines()[0])
    try:
        epochs.write_text(json.dumps({**row, "test_loss": float("nan")}) + "\n")
        for argv in (["runs", "--json"], ["export", run_id, "--format", "json"]):
            code, out, _ = run_cli([*argv, "--runs-dir", str(root)])
            assert code == 0 and "NaN" not in out
            json.loads(out)
    finally:
        epochs.write_text(original)


def test_a_deleted_model_is_not_blamed_on_no_epoch(saved: tuple[Path, str],
                                                   tmp_path: Path) -> None:
    root, run_id = saved
    model = root / run_id / "model.pt"
    kept = model.read_bytes()
    model.unlink()
    try:
        err = _one_line(*run_cli(["filters", run_id, "--runs-dir", str(root)])[::2])
        assert "1 epoch(s) finished but the file is gone" in err and "no epoch" not in err
    finally:
        model.write_bytes(kept)


def test_a_state_dict_mismatch_says_which_keys(saved: tuple[Path, str]) -> None:
    root, run_id = saved
    model = root / run_id / "model.pt"
    kept = model.read_bytes()
    weights = torch.load(model, weights_only=True)
    del weights["conv1.bias"]
    torch.save(weights, model)
    try:
        err = _one_line(*run_cli(["filters", run_id, "--runs-dir", str(root)])[::2])
        assert 'Missing key(s) in state_dict: "conv1.bias"' in err
    finally:
        model.write_bytes(kept)


def test_a_runs_dir_that_is_a_file_is_not_no_runs(tmp_path: Path) -> None:
    a_file = tmp_path / "runs"
    a_file.write_text("x")
    err = _one_line(*run_cli(["runs", "--runs-dir", str(a_file)])[::2])
    assert "is a file, not a folder" in err


def test_a_failed_download_leaves_no_empty_folders(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torchvision")

    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    data = tmp_path / "data"
    with pytest.raises(DataError, match="could not download"):
        load_arrays("mnist", data)
    assert not data.exists()  # neither data/ nor MNIST/raw left behind
