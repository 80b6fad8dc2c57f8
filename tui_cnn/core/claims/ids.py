"""The chapter's claims by id (the chapter's section) and its words, without their
experiments: what a face lists before any torch is loaded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClaimInfo:
    id: str
    section: str
    says: str  # the chapter's words
    trains: bool  # needs trained networks (slow) or only arithmetic / one forward pass


CLAIM_INFO: tuple[ClaimInfo, ...] = (
    ClaimInfo("6.1-dense", "6.1",
              "784 * 128 = 100,352 parameters; 224x224x3 -> 1024 is 154 million", False),
    ClaimInfo("6.2-sharing", "6.2",
              "Parameter sharing: one 3x3 filter = 9 parameters, applied everywhere", False),
    ClaimInfo("6.2-equivariance", "6.2",
              "Translation invariance (a): the same filter answers wherever the pattern is", False),
    ClaimInfo("6.2-invariance", "6.2",
              "Translation invariance (b): a cat in the top-left is detected like one "
              "in the bottom-right", True),
    ClaimInfo("6.2-locality", "6.2",
              "Locality: each neuron only sees a small patch; deeper layers combine patches", True),
    ClaimInfo("6.3-conv", "6.3",
              "The naive conv2d is what torch computes; the GPU version is 1000x faster", False),
    ClaimInfo("6.4-count", "6.4",
              "This network has ~170K parameters compared to the MLP's ~110K", False),
    ClaimInfo("6.4-99", "6.4",
              "It'll hit 99%+ on MNIST", True),
    ClaimInfo("6.4-structure", "6.4",
              "The structure matters more than the parameter count", True),
    ClaimInfo("6.5-edges", "6.5",
              "Layer 1 filters learn edges: horizontal, vertical, diagonal", True),
    ClaimInfo("6.5-layer2", "6.5",
              "Layer 2 filters learn combinations: corners, curves, simple shapes", True),
    ClaimInfo("6.6-stride", "6.6",
              "Exercise 2: remove the MaxPool layers and use stride=2 instead", True),
    ClaimInfo("6.6-cifar", "6.6",
              "Exercise 3: train on CIFAR-10; how does accuracy compare?", True),
)
