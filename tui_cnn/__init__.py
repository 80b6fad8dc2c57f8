"""tui-cnn: train and look inside small convolutional networks in the terminal."""

__version__ = "0.1.0"
