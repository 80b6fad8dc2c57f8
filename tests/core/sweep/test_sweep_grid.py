"""Grid expansion, validation and the sweep id."""

from __future__ import annotations

import pytest

from tui_cnn.core.config import ConfigError, TrainConfig, preset
from tui_cnn.core.sweep.grid import SweepSpec, parse_grid_arg, split_values


def spec(*grid: str, base: TrainConfig | None = None) -> SweepSpec:
    return SweepSpec.build(base or TrainConfig(), [parse_grid_arg(g) for g in grid])


def test_cartesian_product_in_stable_order() -> None:
    s = spec("arch=cnn,cnn-stride2", "seed=0,1,2")
    trials = s.trials()
    assert s.size == 6
    assert [t.label for t in trials] == [
        "arch=cnn seed=0", "arch=cnn seed=1", "arch=cnn seed=2",
        "arch=cnn-stride2 seed=0", "arch=cnn-stride2 seed=1", "arch=cnn-stride2 seed=2"]
    assert trials[4].config.arch == preset("cnn-stride2") and trials[4].config.seed == 1
    assert trials[4].config.sweep == f"{s.sweep_id()}/4"
    assert [t.index for t in trials] == list(range(6))


def test_arch_fields_refine_the_preset_whatever_the_order() -> None:
    trials = spec("dropout=0,0.25", "arch=cnn-small").trials()
    assert [t.config.arch.conv_channels for t in trials] == [(8, 16), (8, 16)]
    assert [t.config.arch.dropout for t in trials] == [0.0, 0.25]


def test_list_values_and_canonical_texts() -> None:
    assert split_values("16,32;32,64") == ["16,32", "32,64"]
    s = spec("conv-channels=16,32;32, 64", "lr=0.001,1e-2")
    assert s.grid == (("conv_channels", ("16,32", "32,64")), ("lr", ("0.001", "0.01")))
    assert [t.config.arch.conv_channels for t in s.trials()][-1] == (32, 64)


def test_same_spec_same_id_and_place_fields_do_not_count() -> None:
    a = spec("seed=0,1", base=TrainConfig(epochs=2, runs_dir="/tmp/a", threads=1))
    b = spec("seed= 0, 1", base=TrainConfig(epochs=2, runs_dir="/tmp/b", threads=2))
    c = spec("seed=0,1", base=TrainConfig(epochs=3))
    assert a.sweep_id() == b.sweep_id() != c.sweep_id()
    assert SweepSpec.from_dict(a.to_dict()).sweep_id() == a.sweep_id()


def test_a_field_added_later_keeps_older_ids_at_its_default() -> None:
    """batch_split came after sweep ids were given out: at its default the id is the one
    this spec had before (worked out then: sw-e4c7bd47b8), and a change to it counts."""
    base = TrainConfig(epochs=2)
    assert spec("seed=0,1", base=base).sweep_id() == "sw-e4c7bd47b8"
    off = spec("seed=0,1", base=base.replace(batch_split="off"))
    assert off.sweep_id() != "sw-e4c7bd47b8"


@pytest.mark.parametrize(("grid", "names"), [
    (["colour=red,blue"], ["'colour'"]),
    (["seed=0,x"], ["seed=x", "whole number"]),
    (["arch=cnn,resnet"], ["arch=resnet", "resnet"]),
    (["lr=0.1,-1"], ["lr=-1", "learning rate"]),
    (["seed"], ["FIELD=V1,V2"]),
    (["seed="], ["no values"]),
    (["seed=1,1"], ["repeats"]),
    (["runs_dir=/a,/b"], ["'runs_dir'"]),
    (["conv_channels=8;8,8,8,8,8,8"], ["trial conv_channels=8,8,8,8,8,8"]),
])
def test_bad_grid_refused_naming_field_and_value(grid: list[str], names: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        spec(*grid).trials()
    for name in names:
        assert name in str(info.value)


def test_more_than_1000_trials_needs_confirmation() -> None:
    s = spec("seed=" + ",".join(str(i) for i in range(1001)))
    with pytest.raises(ConfigError, match="--yes"):
        s.check_size(confirmed=False)
    s.check_size(confirmed=True)
    spec("seed=" + ",".join(str(i) for i in range(1000))).check_size(confirmed=False)
