"""The core never imports Textual; the app and the CLI's parser do not import torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "tui_cnn" / "core"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_textual_or_rich_ui() -> None:
    offenders = [p.name for p in CORE.glob("*.py") if {"textual", "textual_plotext",
                                                      "plotext"} & _imports(p)]
    assert offenders == []


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(','.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(out.strip().split(","))


def test_app_import_does_not_import_torch() -> None:
    loaded = _modules_after("import tui_cnn.tui.app")
    assert "textual" in loaded
    assert "torch" not in loaded


def test_cli_help_does_not_import_torch() -> None:
    loaded = _modules_after("from tui_cnn.cli import build_parser; build_parser()")
    assert "torch" not in loaded
    assert "textual" not in loaded
