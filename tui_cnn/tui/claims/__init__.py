"""The Claims view: the chapter's claims, each an experiment that ends in a verdict."""
