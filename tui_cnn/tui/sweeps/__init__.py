"""The app's sweep view: a grid of trials with live status and the group table with the
verdict. Self-contained widgets fed plain data from ``core.sweep`` (no torch, no App calls)."""
