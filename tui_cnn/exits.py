"""Exit codes and the usage error, shared by ``cli`` and every subcommand.

0 done, 1 failure at run time, 2 bad usage or input (one line, no traceback),
130 interrupted.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit 2."""
