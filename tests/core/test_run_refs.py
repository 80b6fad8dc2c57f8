"""Short run ids: the shortest suffix that find_run resolves to one run and no other."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tui_cnn.core.run_refs import TAG_LENGTH, refers_to, short_ids
from tui_cnn.core.runs import find_run


def test_the_random_tag_when_it_is_enough() -> None:
    names = ["20261201-070000-cnn-synth-digits-a1b2", "20261201-070500-cnn-mnist-b3c4"]
    assert short_ids(names) == {names[0]: "a1b2", names[1]: "b3c4"}


def test_a_shared_tag_takes_the_suffix_up_to_where_the_ids_differ() -> None:
    cnn = "20261201-070000-cnn-synth-digits-a1b2"
    small = "20261201-072000-cnn-small-synth-digits-a1b2"
    assert short_ids([cnn, small]) == {cnn: "n-synth-digits-a1b2",
                                       small: "l-synth-digits-a1b2"}


def test_a_suffix_that_starts_another_id_is_made_longer() -> None:
    late, early = "20261201-070000-cnn-mnist-2026", "2026-old-run"
    assert short_ids([late, early])[late] == "-2026"  # "2026" also starts the other one


def test_a_name_that_ends_another_is_given_whole(tmp_path: Path) -> None:
    names = ["a1b2", "run-a1b2"]
    ids = short_ids(names)
    assert ids == {"a1b2": "a1b2", "run-a1b2": "-a1b2"}
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
    assert {find_run(ids[n], tmp_path).name for n in names} == set(names)


@given(st.lists(st.text("ab-12", min_size=1, max_size=9), max_size=12))
def test_each_short_id_names_its_run_alone_and_is_the_shortest(names: list[str]) -> None:
    ids = short_ids(names)
    assert set(ids) == set(names)
    for name, short in ids.items():
        assert name.endswith(short)
        others = [n for n in set(names) if n != name and refers_to(short, n)]
        assert short == name or not others
        for length in range(min(TAG_LENGTH, len(name)), len(short)):
            shorter = name[-length:]
            assert any(refers_to(shorter, n) for n in set(names) if n != name), shorter
