"""The Training view: progress, loss and accuracy charts."""
