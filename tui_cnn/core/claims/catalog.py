"""Every claim of the chapter: its id (the chapter's section), what the chapter says, and
the experiment that reaches a verdict. ``run_claims`` runs them and keeps each result."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tui_cnn.core.claims import conv, counts, exercises, learned, locality, training, translation
from tui_cnn.core.claims.ids import CLAIM_INFO, ClaimInfo
from tui_cnn.core.claims.lab import Lab, load_result, save_result
from tui_cnn.core.claims.verdict import Verdict
from tui_cnn.core.config import ConfigError


@dataclass(frozen=True)
class Claim:
    info: ClaimInfo
    experiment: Callable[[Lab], Verdict]

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def section(self) -> str:
        return self.info.section

    @property
    def says(self) -> str:
        return self.info.says


EXPERIMENTS: dict[str, Callable[[Lab], Verdict]] = {
    "6.1-dense": counts.dense_sums,
    "6.2-sharing": counts.sharing,
    "6.2-equivariance": translation.equivariance_claim,
    "6.2-invariance": translation.invariance_claim,
    "6.2-locality": locality.locality_claim,
    "6.3-conv": conv.conv_claim,
    "6.4-count": counts.parameter_count,
    "6.4-99": training.ninety_nine_claim,
    "6.4-structure": training.structure_claim,
    "6.5-edges": learned.edges_claim,
    "6.5-layer2": learned.layer2_claim,
    "6.6-stride": exercises.stride_claim,
    "6.6-cifar": exercises.cifar_claim,
}
CLAIMS: tuple[Claim, ...] = tuple(Claim(info, EXPERIMENTS[info.id]) for info in CLAIM_INFO)
BY_ID = {claim.id: claim for claim in CLAIMS}


def select(only: Iterable[str] | None) -> list[Claim]:
    """The claims named (ids, or a prefix such as ``6.2``); all of them for None."""
    if not only:
        return list(CLAIMS)
    chosen = []
    for ref in only:
        matches = [c for c in CLAIMS if c.id == ref or c.id.startswith(ref)]
        if not matches:
            raise ConfigError(f"unknown claim {ref!r}; the claims are: "
                              f"{', '.join(BY_ID)}")
        chosen += [c for c in matches if c not in chosen]
    return chosen


@dataclass(frozen=True)
class Result:
    claim: Claim
    verdict: Verdict
    seconds: float
    settings: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.claim.id, "section": self.claim.section, "says": self.claim.says,
                "verdict": self.verdict.to_dict(), "seconds": round(self.seconds, 2),
                "settings": self.settings, "finished": time.time()}


def run_claims(lab: Lab, claims: list[Claim]) -> Iterator[Result]:
    """Each claim's result in order, kept in the lab's folder as it comes."""
    from dataclasses import asdict

    for claim in claims:
        lab.progress(f"{claim.id}: {claim.says}")
        started = time.perf_counter()
        verdict = claim.experiment(lab)
        result = Result(claim, verdict, time.perf_counter() - started, asdict(lab.settings))
        save_result(lab.root, claim.id, result.to_dict())
        yield result


def kept(lab: Lab) -> dict[str, dict[str, Any]]:
    """The results a lab has kept, by claim id."""
    found = {}
    for claim in CLAIMS:
        data = load_result(lab.root, claim.id)
        if data is not None:
            found[claim.id] = data
    return found
