"""--dataset folder: an ImageFolder of PNGs the test writes, decoded once, trained on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.imagefolder import SHAPES, write_folder
from tui_cnn.core import folder_data
from tui_cnn.core.config import ConfigError, TrainConfig, preset
from tui_cnn.core.datafiles import DataError
from tui_cnn.core.datasets import ENV_CACHE_DIR, FolderOptions, config_info, load_arrays
from tui_cnn.core.events import DataProgress, EpochMetrics, RunStarted, TestPredictions
from tui_cnn.core.inspect import confusion_matrix
from tui_cnn.core.parse import parse_field
from tui_cnn.core.train import run


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = folder_data.decode_image

    def counting(path: Path, size: int, channels: int) -> np.ndarray:
        calls.append(path)
        return real(path, size, channels)

    monkeypatch.setattr(folder_data, "decode_image", counting)
    return calls


def test_decoded_once_then_read_from_the_cache(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_folder(tmp_path / "shapes", per_class=10)
    calls = _count_decodes(monkeypatch)
    seen: list[tuple[str, int, int]] = []
    first = load_arrays("folder", root, progress=lambda s, m, d, t: seen.append((s, d, t)))
    assert len(calls) == 30 and ("decode", 30, 30) in seen
    assert first.info.classes == SHAPES and first.info.shape == (1, 28, 28)
    assert first.x_train.shape == (24, 1, 28, 28) and first.x_test.shape == (6, 1, 28, 28)
    assert np.bincount(first.y_test).tolist() == [2, 2, 2]  # 0.2 of each class
    second = load_arrays("folder", root)
    assert len(calls) == 30  # nothing decoded the second time
    assert np.array_equal(first.x_train, second.x_train)
    assert np.array_equal(first.y_test, second.y_test)
    os.utime(root / "disc" / "000.png", ns=(1, 1))  # a changed file: decoded again
    load_arrays("folder", root)
    assert len(calls) == 60


def test_rgb_32_and_explicit_train_test_split(tmp_path: Path) -> None:
    write_folder(tmp_path / "d" / "train", per_class=6, colour=True)
    write_folder(tmp_path / "d" / "test", per_class=2, colour=True, classes=SHAPES[:2])
    arrays = load_arrays("folder", tmp_path / "d",
                         folder_options=FolderOptions(image_size=32, channels=3))
    assert arrays.x_train.shape == (18, 3, 32, 32) and arrays.x_test.shape == (4, 3, 32, 32)
    assert sorted(arrays.y_test.tolist()) == [0, 0, 1, 1]
    assert arrays.x_train[:, 1].max() <= 60 < arrays.x_train[:, 2].max()  # the colour kept
    cfg = TrainConfig(dataset="folder", data_dir=str(tmp_path / "d"), image_size=32, channels=3)
    assert config_info(cfg).classes == SHAPES and config_info(cfg).shape == (3, 32, 32)


def _message(root: Path, **options: object) -> str:
    with pytest.raises(DataError) as caught:
        load_arrays("folder", root, folder_options=FolderOptions(**options))  # type: ignore[arg-type]
    return str(caught.value)


def test_each_bad_folder_says_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "empty folder" in _message(tmp_path / "empty")
    assert "no such folder" in _message(tmp_path / "nowhere")
    root = write_folder(tmp_path / "a", per_class=3)
    (root / "cat").mkdir()
    assert f"{root / 'cat'}: class 'cat' has no images" in _message(root)
    (root / "cat").rmdir()
    (root / "hbar" / "notes.txt").write_text("not a picture")
    assert f"{root / 'hbar' / 'notes.txt'}: not an image" in _message(root)
    assert "--skip-bad" in _message(root)
    (root / "vbar" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    skipped = load_arrays("folder", root, folder_options=FolderOptions(skip_bad=True))
    assert len(skipped.y_train) + len(skipped.y_test) == 9  # the 2 bad files left out
    write_folder(tmp_path / "b" / "train", per_class=3, classes=("x", "y"))
    write_folder(tmp_path / "b" / "test", per_class=2, classes=("x", "y", "z"))
    assert "test: has classes the training split lacks: z" in _message(tmp_path / "b")
    write_folder(tmp_path / "c", per_class=3, classes=("only",))
    assert "at least 2 class" in _message(tmp_path / "c")
    with pytest.raises(DataError, match="needs --data-dir"):
        load_arrays("folder", None)
    write_folder(tmp_path / "d" / "train", per_class=3, classes=("x", "y"))
    assert f"{tmp_path / 'd'}: has train/ but no test/ beside it" in _message(tmp_path / "d")
    (tmp_path / "afile").write_text("")
    assert "afile: a file, not a folder" in _message(tmp_path / "afile")
    # a class that happens to be called train (its images in it) is a class as any other
    write_folder(tmp_path / "e", per_class=3, classes=("train", "other"))
    assert load_arrays("folder", tmp_path / "e").info.classes == ("other", "train")


def test_all_bad_class_is_refused_even_with_skip_bad(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "a", per_class=3, classes=("x", "y"))
    (root / "z").mkdir()
    (root / "z" / "a.png").write_text("text")
    assert "class 'z' has no readable images (1 skipped)" in _message(root, skip_bad=True)


def test_folder_fields_are_validated_and_parsed() -> None:
    assert parse_field("image-size", "32") == 32 and parse_field("channels", "3") == 3
    assert parse_field("test_fraction", "0.25") == 0.25 and parse_field("skip-bad", "yes")
    for name, text in (("image_size", "30"), ("channels", "2"), ("test_fraction", "1")):
        with pytest.raises(ConfigError):
            parse_field(name, text)
    assert TrainConfig.from_dict(TrainConfig(channels=3).to_dict()).channels == 3


def test_trains_on_the_folder_with_its_class_names(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "shapes", per_class=50)
    cfg = TrainConfig(arch=preset("cnn-small"), dataset="folder", data_dir=str(root),
                      epochs=2, batch_size=16, threads=1, log_every=5, seed=1,
                      runs_dir=str(tmp_path / "runs"))
    events = list(run(cfg))
    assert any(isinstance(e, DataProgress) and e.stage == "decode" for e in events)
    started = next(e for e in events if isinstance(e, RunStarted))
    assert started.classes == SHAPES and started.input_shape == (1, 28, 28)
    last = [e for e in events if isinstance(e, EpochMetrics)][-1]
    assert last.test_acc > 0.8  # chance is 1/3
    predictions = [e for e in events if isinstance(e, TestPredictions)][-1]
    matrix = confusion_matrix(predictions.labels, predictions.predicted, 3)
    per_class = dict(zip(started.classes, matrix.diagonal() / matrix.sum(axis=1), strict=True))
    assert set(per_class) == {"disc", "hbar", "vbar"} and min(per_class.values()) > 0.5
    record = json.loads((Path(started.run_dir or "") / "config.json").read_text())
    assert record["classes"] == list(SHAPES) and record["dataset"] == "folder"


def test_png_written_by_test_is_decoded_as_drawn(tmp_path: Path) -> None:
    pixels = np.zeros((28, 28), np.uint8)
    pixels[5:9, 10:20] = 200
    for name in ("a", "b"):
        (tmp_path / "f" / name).mkdir(parents=True)
        Image.fromarray(pixels).save(tmp_path / "f" / name / "1.png")
    found = folder_data.read_folder(tmp_path / "f")
    assert np.array_equal(found.images[0, 0], pixels) and found.decoded == 2


def test_resume_after_the_folder_gained_a_class_names_the_classes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tui_cnn.cli import main

    root = write_folder(tmp_path / "shapes", per_class=6, classes=("x", "y"))
    runs = tmp_path / "runs"
    assert main(["train", "--dataset", "folder", "--data-dir", str(root), "--arch",
                 "cnn-small", "--epochs", "1", "--batch-size", "4", "--quiet",
                 "--runs-dir", str(runs)]) == 0
    [run_dir] = runs.iterdir()
    before = (run_dir / "epochs.jsonl").read_bytes()
    write_folder(root, per_class=6, classes=("x", "y", "z"))
    capsys.readouterr()
    assert main(["train", "--resume", run_dir.name, "--epochs", "2", "--quiet",
                 "--runs-dir", str(runs)]) == 2
    err = capsys.readouterr().err
    assert f"run {run_dir.name} was trained on 2 classes (x, y) and its data now has 3 " \
           "(x, y, z)" in err and "architecture" not in err  # it blamed the architecture
    assert (run_dir / "epochs.jsonl").read_bytes() == before
