"""The Textual app. Importing it does not import torch."""
