"""The loop most users would write (pytorch/examples mnist/main.py's shape), as the baseline.

A torchvision dataset with per-sample ``ToTensor`` + ``Normalize`` (plus RandomCrop and
RandomHorizontalFlip for CIFAR-10, as CIFAR tutorials do), a ``DataLoader`` with batch 64 and
shuffling, the same model built from the same spec (plain NCHW float32), Adam at torch's
default learning rate, plain cross-entropy and a ``loss.item()`` every 10 steps for logging.
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import datasets, transforms

from tui_cnn.core.catalog import dataset_info
from tui_cnn.core.config import ArchSpec
from tui_cnn.core.models import build_model

MNIST_STATS = ((0.1307,), (0.3081,))
CIFAR_STATS = ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))
LOG_INTERVAL = 10
TEST_BATCH = 1000


class _Cifar10(datasets.CIFAR10):
    """torchvision's CIFAR10 without the md5 checks (our pickles are not the real files)."""

    def _check_integrity(self) -> bool:
        return True

    def _load_meta(self) -> None:
        path = Path(self.root) / self.base_folder / self.meta["filename"]
        with path.open("rb") as handle:
            self.classes = pickle.load(handle, encoding="latin1")[self.meta["key"]]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}


def make_dataset(name: str, root: Path, train: bool) -> Dataset[Any]:
    """torchvision's dataset over ``root`` with the usual per-sample transforms."""
    if name == "mnist":
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize(*MNIST_STATS)])
        return datasets.MNIST(str(root), train=train, download=False, transform=tf)
    if name == "cifar10":
        steps: list[Any] = [transforms.RandomCrop(32, padding=4),
                            transforms.RandomHorizontalFlip()] if train else []
        tf = transforms.Compose([*steps, transforms.ToTensor(),
                                 transforms.Normalize(*CIFAR_STATS)])
        return _Cifar10(str(root), train=train, download=False, transform=tf)
    raise ValueError(f"no canonical loader for {name!r}")


def make_loader(dataset: Dataset[Any], batch_size: int, device: torch.device,
                shuffle: bool, seed: int = 0) -> DataLoader[Any]:
    cuda = device.type == "cuda"  # pytorch/examples adds a worker and pinned memory on CUDA
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle,
                      num_workers=1 if cuda else 0, pin_memory=cuda,
                      generator=torch.Generator().manual_seed(seed))


@dataclass
class Canonical:
    """Model, optimiser and loaders of one canonical run."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    train: DataLoader[Any]
    test: DataLoader[Any]
    device: torch.device

    @classmethod
    def create(cls, arch: ArchSpec, name: str, root: Path, device: torch.device,
               batch_size: int = 64, seed: int = 0) -> Canonical:
        torch.manual_seed(seed)
        info = dataset_info(name)
        model = build_model(arch, info.shape, info.num_classes).to(device)
        train = make_loader(make_dataset(name, root, True), batch_size, device, True, seed)
        test = make_loader(make_dataset(name, root, False), TEST_BATCH, device, False)
        return cls(model, torch.optim.Adam(model.parameters()), train, test, device)

    def train_epoch(self, limit: int | None = None) -> tuple[int, float]:
        """One epoch (or its first ``limit`` images): (images, seconds), timed as one block."""
        self.model.train()
        images, started = 0, time.perf_counter()
        for step, (x, y) in enumerate(self.train):
            x, y = x.to(self.device), y.to(self.device)
            self.optimizer.zero_grad()
            loss = F.cross_entropy(self.model(x), y)
            loss.backward()
            self.optimizer.step()
            images += len(y)
            if step % LOG_INTERVAL == 0:
                loss.item()
            if limit is not None and images >= limit:
                break
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return images, time.perf_counter() - started

    @torch.no_grad()
    def test_accuracy(self) -> float:
        self.model.eval()
        correct = total = 0
        for x, y in self.test:
            x, y = x.to(self.device), y.to(self.device)
            correct += int((self.model(x).argmax(1) == y).sum().item())
            total += len(y)
        return correct / max(1, total)
