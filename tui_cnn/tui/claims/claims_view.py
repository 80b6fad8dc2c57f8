"""The Claims view: every claim of the chapter with its state (not run, running, a
verdict); enter runs the selected one, a runs them all, through the App's run controller;
the result is the experiment's table and its verdict in a sentence, kept and reopened."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from tui_cnn.core.claims.ids import CLAIM_INFO
from tui_cnn.core.claims.lab import load_result
from tui_cnn.core.runs import CLAIMS_DIRNAME, resolve_runs_dir
from tui_cnn.tui.messages import RunListener, Setup

STATE_STYLE = {"holds": "bold green", "holds with a correction": "bold yellow",
               "does not hold": "bold red", "not measured here": "dim",
               "not run": "dim", "running": "bold cyan", "waiting": "cyan",
               "stopped": "yellow"}


class ClaimsRequested(Message):
    """Run these claims (quick: the small lab)."""

    def __init__(self, ids: tuple[str, ...], quick: bool) -> None:
        super().__init__()
        self.ids, self.quick = ids, quick


def verdict_renderable(info_says: str, result: dict[str, Any] | None, state: str) -> Any:
    """The claim's words, then its verdict, table and details (or what to press)."""
    head = Text.assemble((f"“{info_says}”", "italic"), "\n")
    if result is None:
        return Group(head, Text(f"{state}. enter runs this claim; a runs every claim.",
                                style="dim"))
    v = result["verdict"]
    parts: list[Any] = [head, Text.assemble((v["state"], STATE_STYLE.get(v["state"], "")),
                                            ". ", v["sentence"])]
    if v.get("headers"):
        table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False)
        for name in v["headers"]:
            table.add_column(name, no_wrap=True)
        for row in v.get("rows", ()):
            table.add_row(*row)
        parts += [Text(""), table]
    parts += [Text(f"· {line}", style="dim") for line in v.get("details", ())]
    mode = "quick" if result.get("settings", {}).get("quick") else "thorough"
    parts.append(Text(f"data: {v.get('data', '')} · {mode} lab · "
                      f"{result.get('seconds', 0):.1f} s", style="dim"))
    return Group(*parts)


class ClaimsView(RunListener, Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "scroll_detail(1)", "Verdict down", show=False, priority=True),
        Binding("pageup", "scroll_detail(-1)", "Verdict up", show=False, priority=True),
    ]

    def action_scroll_detail(self, pages: int) -> None:
        """Page Down / Up scroll the verdict (the list stays where it is)."""
        box = self.query_one("#claims-detail-box", VerticalScroll)
        box.scroll_relative(y=pages * max(1, box.size.height - 1), animate=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.runs_dir: str | None = None
        self.results: dict[str, dict[str, Any]] = {}
        self.states: dict[str, str] = {}
        self.quick = True

    def compose(self) -> ComposeResult:
        yield Static("", id="claims-mode")
        yield DataTable(id="claims-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="claims-progress")
        # not focusable: hidden while the list has the focus, the list would hand the focus
        # to it, and the tabs would switch back to this view (as the Runs view found)
        with VerticalScroll(id="claims-detail-box", can_focus=False):
            yield Static("", id="claims-detail")

    def on_mount(self) -> None:
        table = self.table
        table.add_column("claim", key="claim")
        table.add_column("verdict", key="verdict")
        table.add_column("key number", key="key")
        for info in CLAIM_INFO:
            table.add_row(info.id, "", "", key=info.id)
        self.reload()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#claims-table", DataTable)

    def on_setup(self, setup: Setup) -> None:
        if setup.runs_dir != self.runs_dir:
            self.runs_dir = setup.runs_dir
            if self.is_mounted:
                self.reload()

    def reload(self) -> None:
        """The verdicts the lab has kept (a finished lab reopens)."""
        root = resolve_runs_dir(self.runs_dir) / CLAIMS_DIRNAME
        for info in CLAIM_INFO:
            found = load_result(Path(root), info.id)
            if found is not None:
                self.results[info.id] = found
            self._show_row(info.id)
        self._show_mode()
        self._show_detail()

    def _state(self, claim_id: str) -> str:
        if claim_id in self.states:
            return self.states[claim_id]
        result = self.results.get(claim_id)
        return result["verdict"]["state"] if result else "not run"

    def _show_row(self, claim_id: str) -> None:
        state = self._state(claim_id)
        result = self.results.get(claim_id)
        key = result["verdict"]["key_number"] if result and claim_id not in self.states else ""
        self.table.update_cell(claim_id, "verdict", Text(state, style=STATE_STYLE.get(state, "")),
                               update_width=True)
        self.table.update_cell(claim_id, "key", key, update_width=True)

    def _show_mode(self) -> None:
        mode = ("quick lab: 2,000 training images, 2 epochs" if self.quick
                else "thorough lab: the whole sets, 3 epochs")
        self.query_one("#claims-mode", Static).update(Text.assemble(
            (mode, "bold"), " · 3 seeds per network · m: switch · enter: run the claim · "
            "a: run all · x: stop · PgDn: more of the verdict"))

    @property
    def current(self) -> str:
        row = self.table.cursor_row
        return CLAIM_INFO[max(0, min(row, len(CLAIM_INFO) - 1))].id

    def _show_detail(self) -> None:
        info = next(i for i in CLAIM_INFO if i.id == self.current)
        self.query_one("#claims-detail", Static).update(
            verdict_renderable(info.says, self.results.get(info.id), self._state(info.id)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.command("run")

    # keys and news ------------------------------------------------------------------------

    def command(self, name: str) -> None:
        if name == "run":
            self.post_message(ClaimsRequested((self.current,), self.quick))
        elif name == "run_all":
            self.post_message(ClaimsRequested(tuple(i.id for i in CLAIM_INFO), self.quick))
        elif name == "mode":
            self.quick = not self.quick
            self._show_mode()

    def started(self, ids: tuple[str, ...]) -> None:
        """The controller took the job: these claims wait, the first one runs."""
        for n, claim_id in enumerate(ids):
            self.states[claim_id] = "running" if n == 0 else "waiting"
            self._show_row(claim_id)
        self._show_detail()

    def progress(self, text: str) -> None:
        self.query_one("#claims-progress", Static).update(Text(text, style="cyan"))

    def result(self, result: dict[str, Any]) -> None:
        claim_id = result["id"]
        self.results[claim_id] = result
        self.states.pop(claim_id, None)
        waiting = [cid for cid, state in self.states.items() if state == "waiting"]
        if waiting:
            self.states[waiting[0]] = "running"
            self._show_row(waiting[0])
        self._show_row(claim_id)
        self._show_detail()

    def ended(self, error: str | None, stopped: bool = False) -> None:
        """The job ended: failed (``error``), stopped by the user, or done. The claim it
        was running when stopped shows "stopped" unless an earlier verdict of it stands."""
        for claim_id, state in list(self.states.items()):
            if state == "stopped":  # from an earlier job: stays until the claim runs again
                continue
            del self.states[claim_id]
            if stopped and state == "running" and claim_id not in self.results:
                self.states[claim_id] = "stopped"
            self._show_row(claim_id)
        self.progress(f"the lab stopped: {error}" if error else
                      "stopped: enter (or a) runs the claims again" if stopped else "")
        self._show_detail()
