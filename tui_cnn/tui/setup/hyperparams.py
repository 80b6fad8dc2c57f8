"""Epochs, batch size, learning rate, optimiser, seed."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.widgets import Label, Select

from tui_cnn.core.config import OPTIMIZERS, TrainConfig
from tui_cnn.tui.setup import fields
from tui_cnn.tui.setup.value_field import ValueField


class HyperParams(VerticalGroup):
    def __init__(self, config: TrainConfig, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._config = config

    def compose(self) -> ComposeResult:
        cfg = self._config
        yield ValueField("epochs", cfg.epochs, fields.epochs, id="epochs")
        yield ValueField("batch size", cfg.batch_size, fields.batch_size, id="batch-size")
        yield ValueField("learning rate", cfg.lr, fields.learning_rate, fmt=fields.float_text,
                         id="lr")
        optimizer = Select([(name, name) for name in OPTIMIZERS], value=cfg.optimizer,
                           allow_blank=False, compact=True, id="optimizer")
        yield HorizontalGroup(Label("optimiser", classes="field-label"), optimizer,
                         classes="field-row")
        yield ValueField("seed", cfg.seed, fields.seed, id="seed")

    def show(self, cfg: TrainConfig) -> None:
        """Fill the fields with ``cfg``'s values."""
        for field_id, value in (("#epochs", cfg.epochs), ("#batch-size", cfg.batch_size),
                                ("#lr", cfg.lr), ("#seed", cfg.seed)):
            self.query_one(field_id, ValueField).set_value(value)
        self.query_one("#optimizer", Select).value = cfg.optimizer

    def values(self) -> dict[str, Any]:
        """The last valid value of each field, as TrainConfig keyword arguments."""
        return {
            "epochs": self.query_one("#epochs", ValueField).value,
            "batch_size": self.query_one("#batch-size", ValueField).value,
            "lr": self.query_one("#lr", ValueField).value,
            "optimizer": self.query_one("#optimizer", Select).value,
            "seed": self.query_one("#seed", ValueField).value,
        }

    @property
    def problem(self) -> str | None:
        """The first field whose text is not valid, and why."""
        return next((f.error for f in self.query(ValueField) if f.error), None)
