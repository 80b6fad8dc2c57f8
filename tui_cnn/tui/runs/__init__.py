"""The Runs view: saved runs listed, overlaid and compared."""
