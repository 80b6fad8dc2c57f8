"""The Draw view: draw an input and see a run classify it as you draw."""
