"""Classifying your own images: core.predict and ``tui-cnn predict`` on PNGs the test writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.imagefolder import SHAPES, draw_shape, write_folder
from tui_cnn.cli import main
from tui_cnn.core import synth
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.datasets import ENV_CACHE_DIR
from tui_cnn.core.events import RunStarted
from tui_cnn.core.predict import load_predictor
from tui_cnn.core.runs import RunStoreError
from tui_cnn.core.train import run


def _train(cfg: TrainConfig) -> Path:
    started = next(e for e in list(run(cfg)) if isinstance(e, RunStarted))
    return Path(started.run_dir or "")


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    cfg = TrainConfig(arch=preset("cnn-small"), dataset="synth-digits", epochs=1,
                      train_size=512, test_size=128, threads=1, runs_dir=str(runs))
    return _train(cfg)


@pytest.fixture(scope="module")
def shapes_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("data")
    mp = pytest.MonkeyPatch()
    mp.setenv(ENV_CACHE_DIR, str(root / "cache"))
    folder = write_folder(root / "shapes", per_class=50)
    cfg = TrainConfig(arch=preset("cnn-small"), dataset="folder", data_dir=str(folder),
                      epochs=2, batch_size=16, threads=1, seed=1, runs_dir=str(root / "runs"))
    yield _train(cfg)
    mp.undo()


def _write_shapes(folder: Path, seed: int = 7) -> list[tuple[Path, str]]:
    rng = np.random.default_rng(seed)
    written = []
    for i in range(12):
        shape = SHAPES[i % 3]
        path = folder / f"{i}-{shape}.png"
        draw_shape(shape, rng).save(path)
        written.append((path, shape))
    return written


def test_folder_run_names_its_own_classes(shapes_run: Path, tmp_path: Path) -> None:
    predictor = load_predictor(shapes_run)
    assert predictor.classes == SHAPES and predictor.input_shape == (1, 28, 28)
    written = _write_shapes(tmp_path)
    from tui_cnn.core.predict import read_image

    images = np.stack([predictor.prepare(read_image(p, 1)) for p, _ in written])
    results = predictor.predict(images, top=3)
    right = sum(r.top[0][0] == shape for r, (_, shape) in zip(results, written, strict=True))
    assert right >= 10  # of 12; chance is 4
    first = results[0]
    assert [name for name, _ in first.top] == sorted(SHAPES, key=lambda n: -dict(first.top)[n])
    assert first.probabilities.sum() == pytest.approx(1.0)
    assert first.feature_maps is not None and first.feature_maps.shape == (8, 28, 28)
    assert first.feature_maps.min() >= 0.0  # after the first ReLU


def test_predict_command_prints_top_k(digits_run: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    images, labels = synth.sample("synth-digits", 1)
    paths = []
    for image, label in zip(images[:3], labels[:3], strict=True):
        paths.append(str(tmp_path / f"digit{label}.png"))
        Image.fromarray(image[0]).save(paths[-1])
    assert main(["predict", str(digits_run), *paths, "--top", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [item["path"] for item in out["images"]] == paths
    for item in out["images"]:
        probs = [t["probability"] for t in item["top"]]
        assert len(probs) == 2 and probs[0] >= probs[1] and sum(probs) <= 1.0 + 1e-9
        assert all(t["class"] in tuple("0123456789") for t in item["top"])
    predictor = load_predictor(digits_run)
    from tui_cnn.core.predict import read_image

    direct = predictor.predict(predictor.prepare(read_image(paths[0], 1)), top=2)[0]
    assert out["images"][0]["top"][0]["class"] == direct.top[0][0]
    assert main(["predict", str(digits_run), paths[0]]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0] == f"{paths[0]}:" and len(text) == 4 and "%" in text[1]


def test_bad_inputs_give_one_line_and_exit_2(digits_run: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "ok.png"
    Image.new("L", (28, 28)).save(good)
    bad = tmp_path / "bad.png"
    bad.write_text("not a png")
    cases = [
        ([str(digits_run), str(bad)], f"{bad}: not an image"),
        ([str(digits_run), str(tmp_path / "gone.png")], "no such image file"),
        (["no-such-run", str(good), "--runs-dir", str(tmp_path)], "no run 'no-such-run'"),
    ]
    empty = tmp_path / "norun"
    empty.mkdir()
    (empty / "config.json").write_text((digits_run / "config.json").read_text())
    cases.append(([str(empty), str(good)], "model.pt is missing"))
    for argv, message in cases:
        assert main(["predict", *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    with pytest.raises(RunStoreError, match="no such run folder"):
        load_predictor(tmp_path / "nowhere")


def test_an_image_past_pillows_size_limit_is_one_line(
        digits_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow refuses an image over twice MAX_IMAGE_PIXELS (a "decompression bomb": 20000 x
    20000 at its default); that was a traceback. The limit is lowered so the test's image
    can be small."""
    huge = tmp_path / "huge.png"
    Image.new("L", (100, 100)).save(huge)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert main(["predict", str(digits_run), str(huge)]) == 2
    err = capsys.readouterr().err
    assert f"{huge}: cannot decode the image" in err and "decompression bomb" in err
    assert err.count("\n") == 1, err
