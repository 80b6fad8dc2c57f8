"""The Filters view: layer-1 filters, feature maps, confusion matrix of a run."""
