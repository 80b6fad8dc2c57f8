"""Property: whatever is done to one file of a saved run, no command tracebacks and the
other runs stay listed (issue 18, fault classes 1 and 2).

Each example copies two real saved runs, damages one file of the first (a wrong type or
range or a non-finite number in a field, a truncation, garbage bytes, a folder, FIFO or
symlink to /dev/zero in its place) and runs ``runs``, ``filters``, ``compare``, ``export``
(CSV and PNG), ``report`` and ``train --resume`` in-process: each must exit 0 or 2 with at
most one line on stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_cnn.cli import main

FILES = ("config.json", "status.json", "steps.jsonl", "epochs.jsonl", "layers.jsonl",
         "resume.pt", "model.pt", "filters/epoch-1.npy", "checkpoints/epoch-1.pt")
TINY = ["--arch", "cnn-small", "--dataset", "synth-digits", "--epochs", "1",
        "--train-size", "64", "--test-size", "32", "--batch-size", "32", "--threads", "1",
        "--log-every", "1", "--quiet"]


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A runs dir with two finished runs: (dir, the run to damage, the other)."""
    root = tmp_path_factory.mktemp("runs")
    for _ in range(2):
        code, _, err = run_cli(["train", *TINY, "--runs-dir", str(root)])
        assert code == 0, err
    first, second = sorted(p.name for p in root.iterdir())
    return root, first, second


# ---- mutations ------------------------------------------------------------------------

ODD = st.one_of(
    st.none(), st.booleans(), st.sampled_from([10**30, -1, 2**63, 1e300, -1e300, 0]),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(),
    st.text(max_size=8), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _set_path(data: dict[str, Any], keys: list[str], value: object) -> None:
    for key in keys[:-1]:
        data = data[key]
    data[keys[-1]] = value


def _paths(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[list[str]]:
    out = []
    for key, value in data.items():
        out.append([*prefix, key])
        if isinstance(value, dict):
            out += _paths(value, (*prefix, key))
    return out


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str, Any]:
    name = draw(st.sampled_from(FILES))
    kinds = ["truncate", "garbage", "folder", "fifo", "devzero", "empty"]
    if name.endswith((".json", ".jsonl")):
        kinds += ["field"] * 6
    if name in ("resume.pt", "model.pt", "checkpoints/epoch-1.pt"):
        kinds += ["torch"] * 4
    if name.endswith(".npy"):
        kinds += ["array"] * 4
    kind = draw(st.sampled_from(kinds))
    if kind == "truncate":
        return name, kind, draw(st.floats(0.0, 0.99))
    if kind == "garbage":
        return name, kind, draw(st.binary(min_size=1, max_size=64))
    if kind in ("field", "torch"):
        return name, kind, (draw(st.integers(0, 10**6)), draw(ODD))
    if kind == "array":
        return name, kind, draw(st.sampled_from(["str", "empty", "scalar", "3d", "bool",
                                                 "nan", "object"]))
    return name, kind, None


def _odd_array(what: str) -> np.ndarray:
    return {"str": np.array([["a"]]), "empty": np.zeros((0, 1, 3, 3), np.float32),
            "scalar": np.array(1.5), "3d": np.ones((2, 3, 3), np.float32),
            "bool": np.ones((1, 1, 3, 3), bool),
            "nan": np.full((8, 1, 3, 3), np.nan, np.float32),
            "object": np.ones((1, 1, 3, 3), np.float64)}[what]


def _mutate_field(path: Path, pick: int, value: object) -> None:
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        keys = _paths(data)
        _set_path(data, keys[pick % len(keys)], value)
        path.write_text(json.dumps(data))
        return
    lines = path.read_text().splitlines()
    row = json.loads(lines[pick % len(lines)])
    keys = _paths(row)
    _set_path(row, keys[pick % len(keys)], value)
    lines[pick % len(lines)] = json.dumps(row)
    path.write_text("\n".join(lines) + "\n")


def _mutate_torch(path: Path, pick: int, value: object) -> None:
    state = torch.load(path, weights_only=True)
    keys = sorted(state)
    state[keys[pick % len(keys)]] = value if not isinstance(value, dict) else {"x": value}
    try:
        torch.save(state, path)
    except Exception:  # a value torch cannot save: garbage bytes instead
        path.write_bytes(b"\x80\x02}q")


def damage(run: Path, name: str, kind: str, arg: Any) -> None:
    path = run / name
    if kind == "truncate":
        raw = path.read_bytes()
        path.write_bytes(raw[:int(len(raw) * arg)])
    elif kind == "garbage":
        path.write_bytes(arg)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind in ("folder", "fifo", "devzero"):
        path.unlink()
        if kind == "folder":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")
    elif kind == "field":
        _mutate_field(path, *arg)
    elif kind == "torch":
        _mutate_torch(path, *arg)
    else:
        np.save(path, _odd_array(arg), allow_pickle=arg == "object")


# ---- the property -------------------------------------------------------------------------


@contextlib.contextmanager
def copied(saved: tuple[Path, str, str]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        shutil.copytree(saved[0], root, symlinks=True)
        yield root


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> float:
        raise AssertionError(f"bare {constant} in --json output")
    return json.loads(text, parse_constant=refuse)


def check_every_command(root: Path, victim: str, other: str, out_dir: Path) -> None:
    dirs = ["--runs-dir", str(root)]
    commands = [["runs", *dirs], ["runs", "--json", *dirs], ["filters", victim, *dirs],
                ["filters", victim, "--epoch", "1", *dirs],
                ["compare", victim, other, "--json", *dirs],
                ["export", victim, "--format", "csv", *dirs],
                ["export", victim, "--format", "json", *dirs],
                ["export", victim, "--filters", str(out_dir / "f.png"), *dirs],
                ["report", victim, other, *dirs],
                ["train", "--resume", victim, "--epochs", "2", "--quiet", "--threads", "1",
                 *dirs]]
    for argv in commands:
        code, out, err = run_cli(argv)
        assert code in (0, 2), (argv, code, err)
        assert len(err.strip().splitlines()) <= 1, (argv, err)
        assert "Traceback" not in err
        if "--json" in argv and code == 0:
            _strict_json(out)
    code, out, err = run_cli(["runs", *dirs])
    assert code == 0 and other in out and victim in out, err


def _example(saved: tuple[Path, str, str], mutation: tuple[str, str, Any]) -> None:
    with copied(saved) as root:
        _, victim, other = saved
        damage(root / victim, *mutation)
        check_every_command(root, victim, other, root.parent)


COMMON = dict(deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])


@settings(max_examples=25, **COMMON)  # type: ignore[arg-type]
@given(mutation=mutations())
def test_a_damaged_run_file_never_breaks_a_command(
        saved: tuple[Path, str, str], mutation: tuple[str, str, Any]) -> None:
    _example(saved, mutation)


@pytest.mark.slow
@settings(max_examples=500, **COMMON)  # type: ignore[arg-type]
@given(mutation=mutations())
def test_a_damaged_run_file_never_breaks_a_command_many(
        saved: tuple[Path, str, str], mutation: tuple[str, str, Any]) -> None:
    _example(saved, mutation)


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("kind", ["fifo", "devzero", "folder"])
def test_not_a_regular_file_in_place_of_each_run_file(
        saved: tuple[Path, str, str], name: str, kind: str) -> None:
    """Every file, every odd kind, without sampling: a FIFO never hangs a reader."""
    _example(saved, (name, kind, None))


def test_the_damaged_file_is_named(saved: tuple[Path, str, str]) -> None:
    with copied(saved) as root:
        _, victim, _ = saved
        damage(root / victim, "config.json", "field", (0, math.nan))
        config = json.loads((root / victim / "config.json").read_text())
        config["arch"] = "cnn-small"
        (root / victim / "config.json").write_text(json.dumps(config))
        wrong = "config.json: arch must be an object"
        for argv in (["filters", victim], ["export", victim, "--filters",
                     str(root.parent / "x.png")], ["train", "--resume", victim, "--epochs", "2"]):
            code, _, err = run_cli([*argv, "--runs-dir", str(root)])
            assert code == 2 and wrong in err, (argv, err)
        for argv in (["runs"], ["report", victim]):  # a listing: the run, marked damaged
            code, out, _ = run_cli([*argv, "--runs-dir", str(root)])
            assert code == 0 and wrong in out, (argv, out)
