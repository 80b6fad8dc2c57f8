"""The lines that say what the Runs view shows: the run under the cursor, and the chart's
heading, which names the plotted (marked) runs in their colours."""

from __future__ import annotations

from rich.columns import Columns
from rich.console import Group
from rich.text import Text

from tui_cnn import fmt
from tui_cnn.core.rows import run_row, run_state
from tui_cnn.core.runs import RunRecord
from tui_cnn.tui.runs.compare_data import RunCurves

TITLES = {"accuracy": "test accuracy % by epoch  (v: training loss)",
          "loss": "training loss (smoothed) by epoch  (v: test accuracy)"}


def cursor_line(record: RunRecord, short_id: str) -> Text:
    """``▸ b3c4 cnn on synth-digits, seed 1 · best test acc 85.50% · finished``, then the
    full id on a line of its own, cut short (never broken) where it does not fit."""
    _, arch, dataset, seed, *_ = run_row(record)
    problems = f": {'; '.join(record.problems)}" if record.problems else ""
    state = run_state(record)  # "live 45%" while it trains in the background
    live = " · a attaches" if state != record.state else ""
    return Text.assemble(f"▸ {short_id} {arch} on {dataset}, seed {seed} · best test acc "
                         f"{fmt.percent(record.best_test_acc)} · {state}{live}{problems}\n",
                         (f"  {record.run_id}", "dim"), overflow="ellipsis")


def chart_heading(mode: str, records: list[RunRecord], curves: list[RunCurves]) -> Group:
    """What the chart shows, then each plotted run (its mark, short id, architecture and
    best test accuracy) in its colour; an entry is never split across lines."""
    entries = [Text(f"● {curve.label} (best {fmt.percent(record.best_test_acc)})",
                    style=f"bold {curve.colour.rich}", no_wrap=True)
               for record, curve in zip(records, curves, strict=True)]
    return Group(Text(f"{TITLES[mode]} · plotted:", style="bold"),
                 Columns(entries, padding=(0, 3)))
