"""The casts PostgreSQL adds itself are taken off only beside a column whose type calls for them
(tests/db/test_implicit_casts.py proves each form on the server)."""
from __future__ import annotations

from compiler.model.expressions import make_expression

TYPES = {"n": "numeric(12,2)", "i": "integer", "r": "real", "v": "character varying(20)", "tx": "text",
         "m": "mood", "c": "character(3)"}


def _printed(text: str) -> object:
    return make_expression(text, user_types={"mood": "mood"}, lenient=True, column_types=TYPES,
                           enums=frozenset({"mood"}))


def test_the_bare_form_where_the_column_calls_for_the_cast() -> None:
    assert _printed("n >= 0::numeric") == make_expression("n >= 0")
    assert _printed("m <> 'sad'::mood") == make_expression("m <> 'sad'", user_types={"mood": "mood"})


def test_kept_where_the_column_is_of_another_type_or_not_the_tables() -> None:
    assert _printed("i >= 0::numeric") != make_expression("i >= 0")  # an integer column meets 0 bare
    assert _printed("r >= 0::numeric") != make_expression("r >= 0")  # a real one converts to double precision
    assert _printed("x >= 0::numeric") != make_expression("x >= 0")  # not a column of the table
    assert _printed("t.n >= 0::numeric") != make_expression("t.n >= 0")  # qualified: not read as the table's
    assert _printed("c <> 'abc'::text") != make_expression("c <> 'abc'")  # character(n) compares as bpchar


def test_kept_outside_a_comparison_and_for_what_postgresql_would_spell_otherwise() -> None:
    assert _printed("n + 1::numeric > n") != make_expression("n + 1 > n")  # arithmetic: not a form equated
    assert _printed("n >= '1'::integer::numeric") != make_expression("n >= 1")  # 1 prints bare, not '1'::integer
    assert _printed("n > '5'::bigint::numeric") != make_expression("n > 5")  # 5 is an integer, not a bigint
    assert _printed("v::text <> 'x'::character varying") != make_expression("v <> 'x'")


def test_without_the_columns_every_cast_is_kept() -> None:
    assert make_expression("n >= 0::numeric", lenient=True) != make_expression("n >= 0")
