"""Run folders written with the run store, for Runs view tests where training is not the point."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import TrainConfig, preset
from tui_cnn.core.layers import layer_table
from tui_cnn.core.runwriter import RunWriter

STEPS_PER_EPOCH = 10
DEAD_PID = 2**22 + 12345  # above Linux's default pid_max: no such process


def step_row(epoch: int, step: int, epochs: int, lr: float) -> dict[str, object]:
    return {"epoch": epoch, "step": step, "total_steps": epochs * STEPS_PER_EPOCH,
            "epoch_step": (step - 1) % STEPS_PER_EPOCH + 1, "steps_per_epoch": STEPS_PER_EPOCH,
            "loss": 2.3 / (1 + step / 5), "accuracy": 0.5, "lr": lr, "images_per_s": 3000.0,
            "elapsed_s": step * 0.1, "eta_s": 1.0}


def epoch_row(epoch: int, epochs: int, acc: float) -> dict[str, object]:
    return {"epoch": epoch, "epochs": epochs, "step": epoch * STEPS_PER_EPOCH,
            "train_loss": 0.5, "train_acc": acc - 0.02, "test_loss": 0.4, "test_acc": acc,
            "seconds": 2.0, "eval_seconds": 0.1, "images_per_s": 3000.0,
            "elapsed_s": 2.0 * epoch}


def write_run(runs_dir: Path, run_id: str, *, arch: str = "cnn",
              accs: Sequence[float] = (0.61, 0.78, 0.84), status: str = "finished",
              created: float = 1_764_000_000.0, epochs: int = 3, lr: float = 4e-3,
              pid: int = DEAD_PID, cfg: TrainConfig | None = None, seed: int = 0) -> Path:
    """A run as the core leaves it: config, status, steps, epochs and a (dummy) checkpoint;
    200 test images. ``cfg`` (its epochs and accuracies given) replaces the arch, epochs, lr
    and seed asked for."""
    writer = RunWriter(runs_dir, run_id)
    cfg = cfg or TrainConfig(arch=preset(arch), epochs=epochs, lr=lr, train_size=600,
                             test_size=200, seed=seed)
    epochs, lr = cfg.epochs, cfg.lr
    table = layer_table(cfg.arch, dataset_info(cfg.dataset).shape, 10)
    writer.write_json("config.json", {**cfg.to_dict(), "run_id": run_id, "created": created,
                                      "device_resolved": "cpu", "params": table.params,
                                      "macs": table.macs, "test_size_actual": 200})
    for epoch, acc in enumerate(accs, 1):
        for step in range((epoch - 1) * STEPS_PER_EPOCH + 1, epoch * STEPS_PER_EPOCH + 1, 2):
            writer.append("steps.jsonl", step_row(epoch, step, epochs, lr))
        writer.append("epochs.jsonl", epoch_row(epoch, epochs, acc))
    writer.write_json("status.json", {
        "status": status, "pid": pid, "epochs_done": len(accs), "steps_done": 0,
        "train_seconds": 2.0 * len(accs), "images_per_s": 3000.0,
        "final_test_acc": accs[-1] if accs else None, "updated": created + 60.0})
    (writer.path / "model.pt").write_bytes(b"")
    return writer.path


def write_killed_run(runs_dir: Path, run_id: str, created: float) -> Path:
    """Killed during epoch 3: status still 'running' for a dead process, a torn last line."""
    path = write_run(runs_dir, run_id, arch="cnn-small", accs=(0.52, 0.66), status="running",
                     created=created)
    with open(path / "epochs.jsonl", "ab") as handle:
        handle.write(b'{"epoch": 3, "epochs": 3, "te')
    return path
