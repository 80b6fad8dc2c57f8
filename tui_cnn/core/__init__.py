"""Training core: configs, data, models, the training loop. Never imports Textual."""
