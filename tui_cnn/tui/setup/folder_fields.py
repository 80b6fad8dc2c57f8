"""The folder dataset's own fields (shown when "Your folder" is chosen): data dir, test
fraction, image size, channels; each read by core.parse, as the CLI flags are."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalGroup

from tui_cnn.core.config import TrainConfig
from tui_cnn.core.parse import field_text, parse_field
from tui_cnn.tui.setup.value_field import ValueField

FIELDS = (("data_dir", "data dir", "folder-dir"), ("test_fraction", "test fraction",
          "folder-test-fraction"), ("image_size", "image size", "folder-image-size"),
          ("channels", "channels", "folder-channels"))


def _data_dir(text: str) -> str | None:
    return str(parse_field("data_dir", text)) or None


class FolderFields(VerticalGroup):
    def __init__(self, config: TrainConfig, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._config = config

    def compose(self) -> ComposeResult:
        for name, label, field_id in FIELDS:
            parse = _data_dir if name == "data_dir" else partial(parse_field, name)
            yield ValueField(label, getattr(self._config, name), parse,
                             fmt=partial(field_text, name),
                             placeholder="DIR with class sub-folders" if name == "data_dir"
                             else "", id=field_id)

    def values(self) -> dict[str, Any]:
        """The last valid value of each field, as TrainConfig keyword arguments."""
        return {name: self.query_one(f"#{field_id}", ValueField).value
                for name, _label, field_id in FIELDS}

    @property
    def problem(self) -> str | None:
        return next((f.error for f in self.query(ValueField) if f.error), None)
