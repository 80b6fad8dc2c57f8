"""The Textual app. Importing it does not load torch.

Importing it sets TEXTUAL_FPS to 120 unless the user set it: after any change Textual
waits one frame period before drawing, so at its default of 60 every key press waits
about 17 ms for its frame; at 120, 8 ms (benchmarks/README.md has the measured effect).
Textual reads the variable once, when it is first imported, so this package must be
imported first (tui-cnn's entry point does).
"""

import os

os.environ.setdefault("TEXTUAL_FPS", "120")
