"""``tui-cnn export RUN --inside DIR``: the PNGs' sizes, their pixels against the core's
arrays, an MLP, a missing epoch (exit 2); and the grid layout on hand-made tiles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tui_cnn.cli import main
from tui_cnn.render.pictures import BORDER_RGB, grid_rgb, grid_size, patches_rgb, scatter_rgb

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.tui.inside_runs import train
    from tui_cnn.core.config import PRESETS

    root = tmp_path_factory.mktemp("export-inside")
    return {"cnn": train(root, "cnn-run"),
            "mlp": train(root, "mlp-run", arch=PRESETS["mlp"], epochs=1)}


def read(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.slow
def test_export_inside_writes_patches_attribution_and_embedding(
        runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from tui_cnn.core.inside.runview import run_top_patches

    out = tmp_path / "pictures"
    assert main(["export", str(runs["cnn"]), "--inside", str(out), "--image", "3",
                 "--epoch", "1"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["attribution-image3-gradcam.png", "attribution-image3-occlusion.png",
                     "attribution-image3-saliency.png", "embedding.png",
                     "patches-conv1.png", "patches-conv2.png"]
    # conv1 of cnn-small: 8 channels x top 9 tiles of 3x3 pixels at 48 // 3 = 16
    conv1 = read(out / "patches-conv1.png")
    assert conv1.shape == (16 * (8 * 4 + 1), 16 * (9 * 4 + 1), 3)
    p = run_top_patches(runs["cnn"], 1, 1).patches
    # channel 2's 5th tile starts at (16 * (1 + 2 * 4), 16 * (1 + 4 * 4)); one pixel a square
    top, left = 16 * 9, 16 * 17
    tile = conv1[top:top + 48:16, left:left + 48:16, 0]
    assert np.array_equal(tile, p.tiles[2, 4, 0])
    assert tuple(conv1[0, 0]) == BORDER_RGB
    # a 28x28 image and one or two maps at scale 8
    saliency = read(out / "attribution-image3-saliency.png")
    assert saliency.shape[0] == 8 * 30 and saliency.shape[1] in (8 * 59, 8 * 88)
    assert read(out / "embedding.png").shape == (480, 480, 3)
    assert "wrote" in capsys.readouterr().out


@pytest.mark.slow
def test_export_inside_of_an_mlp_and_of_a_missing_epoch(
        runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "mlp"
    assert main(["export", str(runs["mlp"]), "--inside", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "attribution-image0-occlusion.png", "attribution-image0-saliency.png",
        "embedding.png"]
    assert "this model is an MLP" in capsys.readouterr().out
    assert main(["export", str(runs["mlp"]), "--inside", str(out), "--epoch", "5"]) == 2
    assert "has no checkpoint for epoch 5" in capsys.readouterr().err
    fresh = tmp_path / "fresh"  # a bad --image or --epoch writes nothing, not even DIR
    for bad in (["--image", "99999"], ["--image", "-1"], ["--epoch", "5"]):
        assert main(["export", str(runs["cnn"]), "--inside", str(fresh), *bad]) == 2
        assert not fresh.exists(), bad
    assert "image 99999 does not exist" in capsys.readouterr().err


def test_the_grid_layout_on_hand_made_tiles() -> None:
    tiles = np.zeros((2, 3, 1, 2, 2), np.uint8)
    tiles[1, 2, 0] = [[10, 20], [30, 40]]
    picture = patches_rgb(tiles, scale=2)
    assert picture.shape == (2 * (2 * 3 + 1), 2 * (3 * 3 + 1), 3)
    assert grid_size(2, 3, 2, 2, 2) == (20, 14)
    # row 1, column 2 starts at (2 * (1 + 3), 2 * (1 + 2 * 3)) = (8, 14)
    assert picture[8:12:2, 14:18:2, 1].tolist() == [[10, 20], [30, 40]]
    assert tuple(picture[7, 14]) == BORDER_RGB
    with pytest.raises(ValueError):
        grid_rgb([], 1)
    dots = scatter_rgb(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]), size=100, dot=1)
    assert tuple(dots[95, 4]) == (230, 25, 75) and tuple(dots[4, 95]) == (60, 180, 75)
