"""The run store reads back whatever a run left, and writes atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tui_cnn.core.atomic import atomic_write_json
from tui_cnn.core.runs import (
    RunStoreError,
    find_run,
    list_runs,
    read_run,
)
from tui_cnn.core.runwriter import RunWriter


def _write_run(root: Path, run_id: str, epochs: int, status: str = "finished") -> RunWriter:
    writer = RunWriter(root, run_id)
    writer.write_json("config.json", {"run_id": run_id, "created": 1000.0 + epochs,
                                      "arch": {"name": "cnn"}, "dataset": "synth-digits"})
    for epoch in range(1, epochs + 1):
        writer.append("epochs.jsonl", {"epoch": epoch, "test_acc": 0.5 + epoch / 10})
    writer.write_json("status.json", {"status": status, "pid": os.getpid()})
    return writer


def test_atomic_write_replaces_whole_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "status.json"
    atomic_write_json(target, {"a": 1})
    atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


def test_torn_last_line_is_skipped_and_reported(tmp_path: Path) -> None:
    writer = _write_run(tmp_path, "r1", epochs=2)
    with open(writer.path / "epochs.jsonl", "ab") as handle:
        handle.write(b'{"epoch": 3, "test_ac')
    record = read_run(writer.path)
    assert [e["epoch"] for e in record.epochs] == [1, 2]
    assert record.damaged
    assert "1 torn or corrupt line" in record.problems[0]


def test_killed_run_is_listed_as_killed_with_recovered_epochs(tmp_path: Path) -> None:
    writer = _write_run(tmp_path, "r1", epochs=2, status="running")
    atomic_write_json(writer.path / "status.json", {"status": "running", "pid": 2**22 + 12345})
    record = read_run(writer.path)
    assert record.state == "killed"
    assert any("recovered 2 epoch(s)" in p for p in record.problems)


def test_list_runs_newest_first_and_survives_garbage(tmp_path: Path) -> None:
    _write_run(tmp_path, "old", epochs=1)
    _write_run(tmp_path, "new", epochs=3)
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "config.json").write_bytes(b"\x00\xff not json")
    records = list_runs(tmp_path)
    ids = [r.run_id for r in records]
    assert ids.index("new") < ids.index("old")  # "broken" has no date: its folder's is used
    broken = next(r for r in records if r.run_id == "broken")
    assert any("config.json: not UTF-8 text" in p for p in broken.problems)
    assert records[ids.index("new")].best_test_acc == pytest.approx(0.8)


def test_find_run_by_unique_prefix_or_suffix(tmp_path: Path) -> None:
    _write_run(tmp_path, "20260101-cnn-abcd", epochs=1)
    _write_run(tmp_path, "20260102-mlp-ef01", epochs=1)
    assert find_run("20260101", tmp_path).name == "20260101-cnn-abcd"
    assert find_run("ef01", tmp_path).name == "20260102-mlp-ef01"
    with pytest.raises(RunStoreError, match="matches 2 runs"):
        find_run("2026", tmp_path)
    with pytest.raises(RunStoreError, match="no run 'zzz'"):
        find_run("zzz", tmp_path)
    for empty in ("", "  "):
        with pytest.raises(RunStoreError, match="empty run id"):
            find_run(empty, tmp_path)


def test_unwritable_runs_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RunStoreError, match="cannot write runs to"):
        RunWriter(blocker / "runs", "r1")
