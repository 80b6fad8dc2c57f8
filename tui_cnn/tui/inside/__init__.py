"""Inside panels: top patches, attribution, embedding. Self-contained widgets fed plain
numpy arrays through ``show_*`` methods; keys are bound by the view that holds them."""
