"""The train flags as one table: the flag, the config field it sets, its help.

``tui-cnn train`` and ``tui-cnn sweep`` both build their options from :data:`TRAIN_FLAGS`
(each value is read by ``core.parse``), so the two always take the same settings. The
first rows (:data:`COMMON_FLAGS`) are also the app's own options (``cli._add_common``).
Pure data: no argparse, no torch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    flag: str  # e.g. "--batch-size"
    field: str  # the TrainConfig field it sets, e.g. "batch_size"
    help: str = ""
    switch: bool = False  # takes no value: sets the field to yes
    metavar: str | None = None


COMMON_FLAGS: tuple[Flag, ...] = (
    Flag("--arch", "arch", "architecture preset (cnn, cnn-stride2, mlp, ...)"),
    Flag("--dataset", "dataset",
         "mnist, fashion-mnist, cifar10, synth-digits, synth-shapes, folder"),
    Flag("--epochs", "epochs"),
    Flag("--device", "device", "auto, cpu, cuda, cuda:N or mps"),
    Flag("--data-dir", "data_dir", "dataset folder in torchvision's layout"),
    Flag("--runs-dir", "runs_dir", "where runs are saved (or set TUI_CNN_RUNS_DIR)"),
)

TRAIN_FLAGS: tuple[Flag, ...] = COMMON_FLAGS + (
    Flag("--batch-size", "batch_size"),
    Flag("--lr", "lr", "learning rate"),
    Flag("--optimizer", "optimizer", "adam, adamw or sgd"),
    Flag("--seed", "seed"),
    Flag("--threads", "threads", "torch CPU threads (default: the cores no other process "
         "is using; in a sweep, cores / workers per trial)"),
    Flag("--train-size", "train_size", "use the first N training images"),
    Flag("--test-size", "test_size", "use the first N test images"),
    Flag("--schedule", "schedule", "onecycle (default) or constant"),
    Flag("--augment", "augment", "auto (default), none, shift or shift-flip"),
    Flag("--label-smoothing", "label_smoothing"),
    Flag("--precision", "precision",
         "auto (default: bf16 autocast where the hardware has it), fp32 or bf16"),
    Flag("--batch-split", "batch_split",
         "auto (default: on a CPU with 2+ threads, each batch is split into shares trained "
         "side by side) or off (torch's threads share each op)", metavar="auto|off"),
    Flag("--log-every", "log_every", "report every N steps (default 20)"),
    Flag("--test-fraction", "test_fraction",
         "--dataset folder without train/ and test/: share held out (0.2)"),
    Flag("--image-size", "image_size", "--dataset folder: 28 or 32 pixels"),
    Flag("--channels", "channels", "--dataset folder: 1 (grey) or 3 (RGB)"),
    Flag("--skip-bad", "skip_bad",
         "--dataset folder: skip unreadable images (counted) instead of failing",
         switch=True),
    Flag("--keep-checkpoints", "keep_checkpoints",
         "per-epoch checkpoints kept in checkpoints/ (default last)", metavar="all|last|N"),
    Flag("--target-acc", "target_acc", "end the run at the first epoch whose test accuracy "
         "reaches ACC (95%%, 95 or 0.95)", metavar="ACC"),
)
"""Every flag that sets a TrainConfig field, in the order ``--help`` lists them."""


def dest(flag: Flag) -> str:
    """The argparse attribute the flag's value lands in (``--batch-size`` -> batch_size)."""
    return flag.flag[2:].replace("-", "_")
