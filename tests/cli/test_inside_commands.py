"""``tui-cnn inside / explain / embed`` on real tiny runs, in-process; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui_cnn.cli import main
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.events import RunEnded
from tui_cnn.core.train import run


def _train(root: Path, arch: str, dataset: str = "synth-digits", epochs: int = 2) -> str:
    """A run; each epoch's checkpoint saved as the session's glue will (keep all)."""
    cfg = TrainConfig(arch=preset(arch), dataset=dataset, epochs=epochs, train_size=600,
                      test_size=120, threads=1, device="cpu", runs_dir=str(root),
                      keep_checkpoints="all")
    events = run(cfg)
    ended = None
    for event in events:  # the loop keeps every epoch's checkpoint (keep_checkpoints all)
        if isinstance(event, RunEnded):
            ended = event
    assert ended is not None and ended.status == "finished"
    return ended.run_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("runs")
    return {"root": str(root), "cnn": _train(root, "cnn-small"),
            "mlp": _train(root, "mlp", epochs=1),
            "shapes": _train(root, "cnn-small", "synth-shapes", epochs=1)}


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR", "COLORTERM", "TUI_CNN_RUNS_DIR"):
        monkeypatch.delenv(name, raising=False)


def cli(runs: dict[str, str], *argv: str) -> int:
    return main([*argv, "--runs-dir", runs["root"]])


def test_inside_draws_every_channel_and_the_summary(runs: dict[str, str],
                                                    capsys: pytest.CaptureFixture) -> None:
    assert cli(runs, "inside", runs["cnn"], "--layer", "2") == 0
    out = capsys.readouterr().out
    assert "conv2 after epoch 2, 16 channels" in out and "8x8 input window" in out
    assert "ch 15:" in out and "ch 16:" not in out
    assert "conv2: " in out and "of 16 channels' top-9 patches share one orientation" in out
    assert cli(runs, "inside", runs["cnn"], "--layer", "2") == 0
    assert "(cached)" in capsys.readouterr().out
    assert (Path(runs["root"]) / runs["cnn"] / "inside" / "patches-layer2-epoch2.npz").is_file()


def test_inside_json_for_one_channel_of_a_past_epoch(runs: dict[str, str],
                                                     capsys: pytest.CaptureFixture) -> None:
    assert cli(runs, "inside", runs["cnn"], "--layer", "1", "--channel", "3", "--epoch", "1",
               "--top", "4", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["epoch"] == 1 and data["receptive_field"] == 3 and data["k"] == 4
    (channel,) = data["channels"]
    values = [p["value"] for p in channel["patches"]]
    assert channel["channel"] == 3 and values == sorted(values, reverse=True)
    for patch in channel["patches"]:
        assert patch["window"] == [patch["y"] - 1, patch["x"] - 1, 3]
        assert len(patch["tile"]) == 1 and len(patch["tile"][0]) == 3


def test_explain_every_method_on_grey_and_colour_runs(runs: dict[str, str],
                                                      capsys: pytest.CaptureFixture) -> None:
    for ref, size in ((runs["cnn"], 28), (runs["shapes"], 32)):
        for method in ("saliency", "occlusion", "gradcam"):
            assert cli(runs, "explain", ref, "--image", "3", "--method", method) == 0
            out = capsys.readouterr().out
            assert "test image 3 after epoch" in out and f"{method}:" in out
            assert cli(runs, "explain", ref, "--image", "3", "--method", method,
                       "--json") == 0
            data = json.loads(capsys.readouterr().out)
            assert len(data["for_predicted"]["map"]) == size
            assert sum(data["probabilities"]) == pytest.approx(1.0, abs=1e-4)


def test_embed_plots_every_class_and_its_accuracy(runs: dict[str, str],
                                                  capsys: pytest.CaptureFixture) -> None:
    assert cli(runs, "embed", runs["cnn"]) == 0
    out = capsys.readouterr().out
    assert "120 test images" in out and "PCA" in out and "key: 0 = 0" in out
    assert cli(runs, "embed", runs["cnn"], "--epoch", "1", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["epoch"] == 1 and len(data["points"]) == 120
    assert sum(c["images"] for c in data["classes"]) == 120
    right = sum(round(c["accuracy"] * c["images"]) for c in data["classes"] if c["images"])
    assert right / 120 == pytest.approx(data["accuracy"])


def test_an_mlp_gets_what_applies(runs: dict[str, str], capsys: pytest.CaptureFixture) -> None:
    assert cli(runs, "inside", runs["mlp"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "MLP (no conv layers)" in err and "tui-cnn explain" in err
    assert cli(runs, "explain", runs["mlp"], "--image", "0", "--method", "gradcam") == 2
    assert "saliency and occlusion work" in capsys.readouterr().err
    assert cli(runs, "explain", runs["mlp"], "--image", "0") == 0
    assert cli(runs, "embed", runs["mlp"]) == 0


@pytest.mark.parametrize(("argv", "message"), [
    (("inside", "{cnn}", "--layer", "3"), "layer 3 does not exist: the model has 2 conv "
                                          "layer(s), 1 to 2"),
    (("inside", "{cnn}", "--channel", "8"), "channel 8 does not exist: conv1 has 8 channels, "
                                            "0 to 7"),
    (("inside", "{cnn}", "--epoch", "5"), "no checkpoint for epoch 5 (epochs with one: 1, 2)"),
    (("explain", "{cnn}", "--image", "120"), "image 120 does not exist: the test set has 120"),
    (("embed", "{cnn}", "--epoch", "0"), "no checkpoint for epoch 0"),
    (("embed", "nosuchrun"), "no run 'nosuchrun'"),
])
def test_bad_input_is_one_line_and_exit_2(runs: dict[str, str], capsys: pytest.CaptureFixture,
                                          argv: tuple[str, ...], message: str) -> None:
    assert cli(runs, *(a.format(**runs) for a in argv)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_a_damaged_cache_is_rebuilt(runs: dict[str, str], capsys: pytest.CaptureFixture) -> None:
    assert cli(runs, "inside", runs["cnn"], "--json") == 0
    first = json.loads(capsys.readouterr().out)
    cache = Path(runs["root"]) / runs["cnn"] / "inside" / "patches-layer1-epoch2.npz"
    cache.write_bytes(b"PK\x03\x04 damaged")
    assert cli(runs, "inside", runs["cnn"], "--json") == 0
    again = json.loads(capsys.readouterr().out)
    assert not again["cached"] and again["channels"] == first["channels"]
