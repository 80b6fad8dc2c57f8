"""The setup panel: architecture, dataset, hyperparameters, device."""
