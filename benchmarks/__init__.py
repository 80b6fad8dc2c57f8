"""Benchmarks that print ratios (never timed tests): ``python -m benchmarks.run``."""
