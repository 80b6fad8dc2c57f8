"""What both faces show of the claims: the settings from the user's choices, the verdict
table rows, and a Markdown report a learner keeps."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from tui_cnn.core.claims.lab import Lab, Settings
from tui_cnn.core.config import ConfigError


def lab_settings(*, quick: bool, seeds: int, dataset: str | None, data_dir: str | None,
                 runs_dir: str | None, device: str = "auto") -> Settings:
    """The lab's settings: real MNIST / CIFAR-10 where on disk, the built-in sets else.
    The device is checked here, before any claim runs (the first claims train nothing, so
    a missing GPU had been a traceback several claims in)."""
    from tui_cnn.core.datasets import availability
    from tui_cnn.core.devices import resolve

    resolve(device)  # DeviceError (a ConfigError): unknown, or not on this machine
    if not 1 <= seeds <= 20:
        raise ConfigError(f"--seeds must be between 1 and 20, got {seeds}")
    if dataset not in (None, "mnist", "synth-digits", "fashion-mnist"):
        raise ConfigError(f"--dataset must be mnist, fashion-mnist or synth-digits, got "
                          f"{dataset!r}")
    present = {name: availability(name, data_dir) == "present" for name in ("mnist",
                                                                          "cifar10")}
    digits = dataset or ("mnist" if present["mnist"] else "synth-digits")
    if digits != "synth-digits" and availability(digits, data_dir) != "present":
        raise ConfigError(f"{digits} is not on disk in {data_dir or 'the data folder'}; "
                          "drop --dataset to use the built-in digits")
    photos = "cifar10" if present["cifar10"] else "synth-shapes"
    return Settings(quick, seeds, digits, photos, data_dir, runs_dir, device)


def rows(results: Sequence[object]) -> list[list[str]]:
    return [[r.claim.id, r.verdict.state, r.verdict.key_number]  # type: ignore[attr-defined]
            for r in results]


def _md_table(headers: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
            for row in body]
    return out


def markdown(results: Sequence[object], lab: Lab, args: argparse.Namespace) -> str:
    s = lab.settings
    lines = ["# Chapter 5's claims, measured", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M')} with tui-cnn "
             f"({'quick' if s.quick else 'thorough'}; digits: {s.digits}; colour: {s.photos};"
             f" {s.seeds} seed(s) per network).", "",
             *_md_table(["claim", "verdict", "key number"], rows(results)), ""]
    for r in results:
        v = r.verdict  # type: ignore[attr-defined]
        lines += [f"## {r.claim.id}: {r.claim.says}", "",  # type: ignore[attr-defined]
                  f"**{v.state}.** {v.sentence}", ""]
        if v.headers:
            lines += [*_md_table(v.headers, v.rows), ""]
        lines += [f"- {d}" for d in v.details]
        lines += [f"- Data: {v.data}.", ""]
    only = "".join(f" --only {c}" for c in (args.only or ()))
    lines += ["Reproduce: `tui-cnn claims" + (" --quick" if s.quick else "")
              + f" --seeds {s.seeds}{only}`", ""]
    return "\n".join(lines)
