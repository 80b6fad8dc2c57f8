"""Benchmarks that print ratios (never timed tests): ``python -m benchmarks.run``."""

import tui_cnn.tui  # noqa: F401  (the app's TEXTUAL_FPS, set before anything imports textual)
