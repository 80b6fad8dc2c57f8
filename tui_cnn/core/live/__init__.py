"""Runs that outlive the terminal: a run trained in a process of its own (child.py), its
live-state file (state.py), its event stream (codec.py, stream.py), its control channel
(control.py), and the parent's side that starts or attaches to one (runner.py).

Every live file of run ``ID`` is in ``<runs dir>/.live/ID/`` (paths.py), beside the run
folder, which is written exactly as an in-process run writes it. No Textual.
"""
