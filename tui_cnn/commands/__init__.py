"""Headless subcommands. Each module imports torch only when its command runs."""
