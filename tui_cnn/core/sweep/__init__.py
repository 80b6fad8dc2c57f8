"""Sweeps: a grid of trials (variants x seeds) run in worker processes or on Ray, each an
ordinary run folder, reported per group of seeds with honest intervals."""
