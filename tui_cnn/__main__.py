"""``python -m tui_cnn`` runs the command line."""

from tui_cnn.cli import main

raise SystemExit(main())
