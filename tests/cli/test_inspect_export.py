"""``tui-cnn filters / compare / export / report`` on two real (tiny) runs, in-process."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tui_cnn import fmt
from tui_cnn.cli import main
from tui_cnn.commands.filter_png import png_size
from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.events import RunEnded
from tui_cnn.core.layers import LayerTable, layer_table
from tui_cnn.core.train import run

SUMMARY = "of 32 filters are edge-like (|r| > 0.8)"


def _table(arch: str) -> LayerTable:
    info = dataset_info("synth-digits")
    return layer_table(preset(arch), info.shape, info.num_classes)


def _train(root: Path, arch: str) -> str:
    cfg = TrainConfig(arch=preset(arch), dataset="synth-digits", epochs=2, train_size=1000,
                      test_size=300, threads=1, device="cpu", runs_dir=str(root))
    ended = [e for e in run(cfg) if isinstance(e, RunEnded)][0]
    assert ended.status == "finished"
    return ended.run_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("runs")
    return root, _train(root, "cnn"), _train(root, "cnn-stride2")


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR", "COLORTERM", "TUI_CNN_RUNS_DIR"):
        monkeypatch.delenv(name, raising=False)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- filters ------------------------------------------------------------------------------


def test_filters_prints_grid_edge_table_and_summary(runs: tuple[Path, str, str],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, _ = runs
    code, out, err = cli(capsys, "filters", cnn, "--runs-dir", str(root))
    assert (code, err) == (0, "")
    assert "conv1, 32 filters of 1x3x3" in out
    assert "filter  best angle      r  edge-like" in out
    assert out.rstrip().splitlines()[-1].endswith(SUMMARY)
    assert "\x1b" not in out  # not a terminal: shades, no colour codes
    assert "no colour: shade = size (|value|)" in out


def test_filters_layer_two_and_one_channel(runs: tuple[Path, str, str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, _ = runs
    code, out, _ = cli(capsys, "filters", cnn[-4:], "--layer", "2", "--runs-dir", str(root))
    assert code == 0 and "conv2, 64 filters of 32x3x3" in out and "mean over 32 input" in out
    assert out.rstrip().endswith("of 64 filters are edge-like (|r| > 0.8)")
    code, out, _ = cli(capsys, "filters", cnn, "--layer", "2", "--channel", "5",
                       "--runs-dir", str(root), "--columns", "4")
    assert code == 0 and "output channel 5" in out
    assert out.rstrip().endswith(SUMMARY)  # one tile per input channel: 32


def test_filters_in_colour_only_when_forced_and_never_with_no_color(
        runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root, cnn, _ = runs
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert "\x1b[38;2;" in cli(capsys, "filters", cnn, "--runs-dir", str(root))[1]
    monkeypatch.setenv("NO_COLOR", "1")
    out = cli(capsys, "filters", cnn, "--runs-dir", str(root))[1]
    assert "\x1b[38" not in out and "no colour: shade = size (|value|)" in out


def test_filters_of_each_epoch_are_stored_and_shown(runs: tuple[Path, str, str],
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, _ = runs
    assert sorted(p.name for p in (root / cnn / "filters").iterdir()) == [
        "epoch-0.npy", "epoch-1.npy", "epoch-2.npy"]  # 0: the initial weights
    code, out, _ = cli(capsys, "filters", cnn, "--epoch", "1", "--runs-dir", str(root))
    assert code == 0 and "after epoch 1" in out
    code, _, err = cli(capsys, "filters", cnn, "--epoch", "5", "--runs-dir", str(root))
    assert code == 2 and err.count("\n") == 1
    assert "no filters stored for epoch 5 (epochs done: 1, 2)" in err
    copy = tmp_path / cnn
    shutil.copytree(root / cnn, copy)
    np.save(copy / "filters" / "epoch-1.npy", np.eye(3, dtype=np.float32)[None, None]
            .repeat(32, axis=0))
    code, out, _ = cli(capsys, "filters", str(copy), "--epoch", "1")
    assert code == 0 and "after epoch 1" in out and SUMMARY in out


@pytest.mark.parametrize("argv, message", [
    (["filters", "no-such-run"], "no run 'no-such-run'"),
    (["filters", "{cnn}", "--layer", "3"], "layer 3 does not exist"),
    (["filters", "{cnn}", "--layer", "2", "--channel", "64"], "--channel must be between"),
    (["compare", "{cnn}"], "at least two runs"),
    (["export", "{cnn}", "{stride}", "--filters", "x.png"], "exactly one RUN"),
])
def test_bad_input_exits_2_with_one_line(runs: tuple[Path, str, str], argv: list[str],
                                         message: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, stride = runs
    args = [a.format(cnn=cnn, stride=stride) for a in argv]
    code, out, err = cli(capsys, *args, "--runs-dir", str(root))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("tui-cnn: error: ") and message in err


@pytest.mark.parametrize("argv", [["filters"], ["export", "--filters", "{tmp}/f.png"],
                                  ["export", "--format", "csv"]])
def test_corrupt_model_pt_exits_2_naming_the_file(runs: tuple[Path, str, str], tmp_path: Path,
                                                 argv: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, _ = runs
    copy = tmp_path / cnn
    shutil.copytree(root / cnn, copy)
    (copy / "model.pt").write_bytes(b"\x80\x02 not a zip file")
    args = [argv[0], str(copy), *(a.format(tmp=tmp_path) for a in argv[1:])]
    code, _, err = cli(capsys, *args)
    if argv[-1] == "csv":  # metrics need no weights: still exported
        assert code == 0
        return
    assert code == 2 and err.count("\n") == 1
    assert f"{copy / 'model.pt'} cannot be read" in err


# ---- compare ------------------------------------------------------------------------------


def test_compare_shows_the_differing_arch_with_params_and_macs(
        runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, stride = runs
    code, out, _ = cli(capsys, "compare", cnn, stride, "--runs-dir", str(root))
    assert code == 0
    lines = out.splitlines()
    arch = next(line for line in lines if line.startswith("arch.name"))
    assert arch.split()[1:] == ["cnn", "cnn-stride2"]
    assert any(line.split()[:2] == ["arch.downsample", "maxpool"] for line in lines)
    cnn_t, stride_t = _table("cnn"), _table("cnn-stride2")
    params = next(line for line in lines if line.startswith("parameters"))
    assert params.split()[1:3] == [f"{cnn_t.params:,}", f"{stride_t.params:,}"]
    macs = next(line for line in lines if line.startswith("mult-adds"))
    ratio = stride_t.macs / cnn_t.macs
    assert macs.split()[1:] == [fmt.si(cnn_t.macs), fmt.si(stride_t.macs), f"({ratio:.2f}x)"]
    for label in ("best test acc", "final test acc", "train seconds", "images/s", "status"):
        assert any(line.startswith(label) for line in lines)


def test_compare_json(runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, stride = runs
    code, out, _ = cli(capsys, "compare", cnn, stride, "--json", "--runs-dir", str(root))
    data = json.loads(out)
    assert code == 0
    assert data["differences"]["arch.name"] == {cnn: "cnn", stride: "cnn-stride2"}
    first, second = data["runs"]
    assert (first["params"], first["macs"]) == (_table("cnn").params, _table("cnn").macs)
    assert second["macs"] == _table("cnn-stride2").macs
    assert first["epochs_done"] == 2 and first["status"] == "finished"
    assert 0 < first["best_test_acc"] <= 1 and first["images_per_s"] > 0


# ---- export and report --------------------------------------------------------------------


def test_export_csv_has_one_row_per_epoch_per_run(runs: tuple[Path, str, str], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, stride = runs
    code, out, _ = cli(capsys, "export", cnn, stride, "--format", "csv", "--runs-dir",
                       str(root))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [(r["run_id"], r["epoch"]) for r in rows] == \
        [(cnn, "1"), (cnn, "2"), (stride, "1"), (stride, "2")]
    assert all(0 <= float(r["test_acc"]) <= 1 and float(r["train_loss"]) > 0 for r in rows)
    target = tmp_path / "m.csv"
    code, out, err = cli(capsys, "export", cnn, "--format", "csv", "-o", str(target),
                         "--runs-dir", str(root))
    assert code == 0 and out == "" and err == f"wrote {target}: 3 lines\n"
    assert len(list(csv.DictReader(target.open()))) == 2
    err = cli(capsys, "export", cnn, "--format", "csv", "-o", str(target), "--runs-dir",
              str(root))[2]
    assert err == f"wrote {target} (replaced the file that was there): 3 lines\n"


def test_export_json_parses(runs: tuple[Path, str, str],
                            capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, stride = runs
    code, out, _ = cli(capsys, "export", cnn, stride, "--format", "json", "--runs-dir",
                       str(root))
    data = json.loads(out)
    assert code == 0 and list(data) == [cnn, stride]
    assert data[stride]["config"]["arch"]["name"] == "cnn-stride2"
    assert [e["epoch"] for e in data[cnn]["epochs"]] == [1, 2]
    assert data[cnn]["steps"] and data[cnn]["steps"][-1]["step"] == 64


@pytest.mark.parametrize("extra, size", [([], (528, 272)), (["--scale", "4", "--columns", "5"],
                                                             (4 * (5 * 4 + 1), 4 * (7 * 4 + 1)))])
def test_export_filters_png_has_the_documented_size(runs: tuple[Path, str, str], tmp_path: Path,
                                                    extra: list[str], size: tuple[int, int],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, _ = runs
    target = tmp_path / "filters.png"
    code, out, _ = cli(capsys, "export", cnn, "--filters", str(target), *extra,
                       "--runs-dir", str(root))
    assert code == 0 and str(target) in out
    scale = int(extra[1]) if extra else 16
    columns = int(extra[3]) if extra else 8
    assert png_size(32, 3, 3, scale, columns) == size
    with Image.open(target) as image:
        assert image.format == "PNG" and image.mode == "RGB" and image.size == size
        pixels = np.asarray(image)
    assert tuple(pixels[0, 0]) == (40, 40, 40)  # the border
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 10  # the filters are drawn


def test_report_is_markdown_without_ansi(runs: tuple[Path, str, str], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root, cnn, stride = runs
    monkeypatch.setenv("FORCE_COLOR", "1")  # a report never carries colour codes
    code, md, _ = cli(capsys, "report", cnn, stride, "--runs-dir", str(root))
    assert code == 0 and "\x1b" not in md
    for heading in ("# tui-cnn report", "## Settings", "## Results", "## Curves",
                    "### Training loss", "### Test accuracy (%)", f"## Run `{cnn}`",
                    f"## Run `{stride}`"):
        assert f"\n{heading}\n" in f"\n{md}"
    assert "| **arch** | cnn | cnn-stride2 |" in md
    table = _table("cnn-stride2")
    assert f"| `{stride}` | cnn-stride2 | {table.params:,} | {fmt.si(table.macs)} | 2 |" in md
    assert md.count(SUMMARY) == 2 and md.count("```") % 2 == 0
    target = tmp_path / "report.md"
    assert cli(capsys, "report", cnn, "-o", str(target), "--runs-dir", str(root))[0] == 0
    assert target.read_text().startswith("# tui-cnn report\n")


def test_runs_dir_may_come_before_the_command(runs: tuple[Path, str, str],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root, cnn, stride = runs
    code, out, _ = cli(capsys, "--runs-dir", str(root), "compare", cnn, stride)
    assert code == 0 and "cnn-stride2" in out


def test_colour_filters_of_a_three_channel_run(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cfg = TrainConfig(arch=preset("cnn-small"), dataset="synth-shapes", epochs=1,
                      train_size=500, test_size=100, threads=1, device="cpu",
                      runs_dir=str(tmp_path))
    run_id = [e for e in run(cfg) if isinstance(e, RunEnded)][0].run_id
    code, out, _ = cli(capsys, "filters", run_id, "--runs-dir", str(tmp_path))
    assert code == 0 and "8 filters of 3x3x3" in out and "shade = brightness" in out
    assert out.rstrip().endswith("of 8 filters are edge-like (|r| > 0.8)")
    target = tmp_path / "rgb.png"
    assert cli(capsys, "export", run_id, "--filters", str(target), "--runs-dir",
               str(tmp_path))[0] == 0
    with Image.open(target) as image:
        assert image.size == png_size(8, 3, 3, 16) == (528, 80)


def test_an_edge_score_near_the_threshold_shows_which_side_it_is() -> None:
    from tui_cnn.commands.inspect_cmd import score_text

    assert score_text(0.8004) == "0.8004"  # 0.800 beside "yes" under |r| > 0.8
    assert score_text(0.79996) == "0.79996"
    assert score_text(-0.80001) == "-0.80001"
    assert score_text(0.55) == "0.550"
