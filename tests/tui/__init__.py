"""Tests of the Textual app (Pilot, snapshots) and its pure helpers."""
