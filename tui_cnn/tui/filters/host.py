"""What the Filters view's results part (filters_answers.py, a mixin of FiltersView) may
use of the view: the run's state and what it read, the sections to redraw. This Protocol
is its self-type (mypy checks every use against it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from tui_cnn.tui.filters.filters_state import FilterState
    from tui_cnn.tui.filters.inspect_worker import ActivationsRead


class FiltersHost(Protocol):
    state: FilterState
    generation: int
    problem: str
    class_names: tuple[str, ...]
    images: np.ndarray | None
    image_index: int
    activations: ActivationsRead | None
    dirty: set[str]

    def _mark(self, *sections: str) -> None: ...

    def flush(self) -> None: ...
