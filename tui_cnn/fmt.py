"""Small text formatters shared by the command line and the app. No torch, no Textual."""

from __future__ import annotations

import json
import math
import re


def duration(seconds: float | None) -> str:
    """``75.2`` -> ``1:15``; ``3725`` -> ``1:02:05``; unknown -> ``--:--``."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "--:--"
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(fraction: float | None, digits: int = 2) -> str:
    return "-" if fraction is None else f"{100 * fraction:.{digits}f}%"


def count(value: float | int | None) -> str:
    """``421642`` -> ``421,642``; ``4.5e6`` -> ``4.50M`` for large non-integers."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.0f}"


def si(value: float) -> str:
    """``4241152`` -> ``4.24M``."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.2f}{suffix}"
    return f"{value:.0f}"


def bar(fraction: float, width: int) -> str:
    fraction = min(1.0, max(0.0, fraction))
    filled = int(round(fraction * width))
    return "█" * filled + "░" * (width - filled)


def table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """A plain aligned text table; columns in ``right`` are right-aligned."""
    right = right or set()
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _finite_json(value: object) -> object:
    """NaN and infinities as None, recursively (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_json(v) for v in value]
    return value


def json_text(value: object) -> str:
    """``value`` as strict JSON text: a NaN or infinity becomes null, never bare NaN."""
    return json.dumps(_finite_json(value), allow_nan=False)


ASCII_GLYPHS = {"█": "#", "▉": "#", "▊": "#", "▋": "#", "▌": "#", "▍": "|", "▎": "|",
                "▏": "|", "▁": "_", "▂": ".", "▃": ":", "▄": "=", "▅": "+", "▆": "*",
                "▇": "%", "░": ".", "▒": ":", "▓": "%", "▀": "^", "─": "-", "━": "-",
                "│": "|", "┃": "|", "·": ".", "•": "*", "…": "...", "→": "->", "←": "<-",
                "↑": "^", "↓": "v", "↗": "/", "↖": "\\", "↙": "/", "↘": "\\", "°": " deg",
                "×": "x", "±": "+/-", "✓": "v", "✗": "x", "‖": "||", "↯": "!", "—": "-",
                "–": "-", "’": "'", "“": '"', "”": '"', "▶": ">", "■": "#", "□": "o"}


def _ascii_glyphs(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(ASCII_GLYPHS.get(ch, "?") for ch in bad), error.end


def ascii_fallback(stream: object) -> None:
    """On a stream whose encoding cannot write the bars and arrows (PYTHONIOENCODING=ascii,
    LANG=C), write ASCII stand-ins for them instead of raising UnicodeEncodeError."""
    import codecs

    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "█→".encode(encoding)
        return
    except (UnicodeError, LookupError):
        pass
    codecs.register_error("tui-cnn-ascii", _ascii_glyphs)
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="tui-cnn-ascii")


def undated_run_id(run_id: str) -> str:
    """``20261201-113423-cnn-mnist-ab12`` -> ``cnn-mnist-ab12``: a suffix the CLI accepts."""
    return re.sub(r"^\d{8}-\d{6}-", "", run_id)


def fit_run_id(run_id: str, room: int) -> str:
    """``run_id`` in ``room`` cells: whole, else without its date and time (a suffix the
    CLI accepts as the run), else its last characters after an ellipsis."""
    undated = undated_run_id(run_id)
    for candidate in (run_id, undated):
        if len(candidate) <= room:
            return candidate
    return "…" + undated[-max(8, room - 1):]
