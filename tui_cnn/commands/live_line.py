"""A line on stderr redrawn in place on a terminal (one line each otherwise): the
progress of ``train`` and ``sweep`` (a helper module, not a subcommand)."""

from __future__ import annotations

from typing import TextIO


class LiveLine:
    def __init__(self, stream: TextIO, enabled: bool = True) -> None:
        self.stream, self.enabled = stream, enabled
        self.tty = stream.isatty()
        self._width = 0

    def _write(self, text: str, final: bool) -> None:
        """``text`` as the live line (not final: only on a terminal) or as a kept line."""
        if not self.enabled or (not final and not self.tty):
            return
        if self.tty:
            pad = " " * max(0, self._width - len(text))
            self.stream.write(f"\r{text}{pad}" + ("\n" if final else ""))
            self._width = 0 if final else len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled and self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
