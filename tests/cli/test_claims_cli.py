"""tui-cnn claims: verdicts from the command line, kept, reported; bad input exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tui_cnn.cli import main


def cuda_available() -> bool:
    return torch.cuda.is_available()


def test_computed_claims_as_json_and_kept(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["claims", "--only", "6.1", "--only", "6.4-count", "--json",
                 "--runs-dir", str(tmp_path)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    states = {c["id"]: c["verdict"]["state"] for c in data["claims"]}
    assert states == {"6.1-dense": "holds", "6.4-count": "holds with a correction"}
    assert "421,642" in data["claims"][1]["verdict"]["sentence"]
    assert (tmp_path / "claims" / "6.4-count.json").is_file()
    assert main(["claims", "--list", "--runs-dir", str(tmp_path)]) == 0
    listed = capsys.readouterr().out
    assert "6.4-count" in listed and "holds with a correction" in listed and "not run" in listed
    assert main(["runs", "--runs-dir", str(tmp_path)]) == 0  # the lab folder is not a run
    assert "damaged" not in capsys.readouterr().out


def test_markdown_report(tmp_path: Path) -> None:
    report = tmp_path / "claims.md"
    assert main(["claims", "--only", "6.2-sharing", "--markdown", str(report),
                 "--runs-dir", str(tmp_path)]) == 0
    text = report.read_text()
    assert "## 6.2-sharing" in text and "| conv1 | 320 | 250,880 |" in text
    assert "Reproduce: `tui-cnn claims --seeds 3 --only 6.2-sharing`" in text


@pytest.mark.parametrize(("argv", "says"), [
    (["--only", "7.1"], "unknown claim '7.1'"),
    (["--seeds", "0"], "--seeds must be between 1 and 20"),
    (["--dataset", "cifar10"], "--dataset must be"),
    (["--device", "tpu"], "unknown device 'tpu'"),
    (["--markdown", "/nonexistent-folder/x.md"], "no folder /nonexistent-folder"),
    (["--markdown", "/tmp"], "cannot write /tmp: it is a folder"),
    pytest.param(["--device", "cuda"], "device 'cuda' is not available: no CUDA GPU",
                 marks=pytest.mark.skipif(cuda_available(), reason="this machine has CUDA")),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, argv: list[str], says: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims", *argv, "--runs-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0]


@pytest.mark.slow
def test_a_trained_claim_reuses_its_runs(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["claims", "--only", "6.5-edges", "--quick", "--seeds", "2", "--json",
            "--runs-dir", str(tmp_path)]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)["claims"][0]
    assert first["verdict"]["state"] in ("holds", "does not hold")
    assert len(list((tmp_path / "claims" / "runs").iterdir())) == 2
    assert main(argv) == 0  # found again: nothing new trained
    assert len(list((tmp_path / "claims" / "runs").iterdir())) == 2
    again = json.loads(capsys.readouterr().out)["claims"][0]
    assert again["verdict"]["rows"] == first["verdict"]["rows"]
