"""Sequence options keep only what differs from PostgreSQL's defaults, for the column's type."""
from __future__ import annotations

import pytest

from compiler.model.sequences import SequenceProblem, all_options, catalog_options, normal_options


@pytest.mark.parametrize("integer_type, given, kept", [
    ("integer", {}, ()),
    ("integer", {"start": 1, "increment": 1, "min": 1, "max": 2147483647, "cache": 1, "cycle": False}, ()),
    ("integer", {"start": 100, "increment": 10}, (("start", 100), ("increment", 10))),
    ("integer", {"min": 5}, (("min", 5),)),  # start follows min
    ("integer", {"min": 5, "start": 5}, (("min", 5),)),
    ("bigint", {"increment": -1}, (("increment", -1),)),  # descending: max -1, start at max
    ("bigint", {"increment": -1, "max": -1, "start": -1}, (("increment", -1),)),
    ("smallint", {"max": 100, "cache": 20, "cycle": True}, (("max", 100), ("cache", 20), ("cycle", True))),
])
def test_defaults_are_left_out(integer_type: str, given: dict, kept: tuple) -> None:
    assert normal_options(integer_type, given) == kept


@pytest.mark.parametrize("integer_type, given, message", [
    ("integer", {"increment": 0}, "must not be zero"),
    ("smallint", {"start": 40000}, "out of range for smallint"),
    ("integer", {"min": 10, "max": 5}, "'min' 10 must be less than 'max' 5"),
    ("integer", {"start": 1, "min": 10}, "'start' 1 must be between 10 and 2147483647"),
    ("integer", {"cache": 0}, "'cache' must be at least 1"),
])
def test_what_postgresql_refuses_is_a_problem(integer_type: str, given: dict, message: str) -> None:
    with pytest.raises(SequenceProblem, match=message):
        normal_options(integer_type, given)


def test_all_options_spell_out_the_defaults() -> None:
    assert all_options("integer", (("min", 5),)) == (
        ("start", 5), ("increment", 1), ("min", 5), ("max", 2147483647), ("cache", 1), ("cycle", False))


def test_catalog_bounds_of_a_wider_sequence_are_the_columns_own() -> None:
    # a serial made before PostgreSQL 10 has a bigint sequence behind an integer column
    assert catalog_options("integer", [1, 1, 1, 9223372036854775807, 1, 0]) == ()
    assert catalog_options("integer", [7, 2, 1, 9223372036854775807, 1, 1]) == (
        ("start", 7), ("increment", 2), ("cycle", True))
    assert catalog_options("smallint", [100000, 1, 1, 9223372036854775807, 1, 0]) == ()  # unreadable: none
