"""types: type names in format_type() spelling, expressions compared in one normal form."""
from __future__ import annotations

import pytest

from compiler.model.expressions import (
    ExpressionProblem,
    make_expression,
    parse_expression,
    referenced_columns,
)
from compiler.model.types import TypeProblem, canonical_type

ALIASES = {
    "int": "integer", "int4": "integer", "integer": "integer",
    "int2": "smallint", "smallint": "smallint",
    "int8": "bigint", "bigint": "bigint",
    "serial": "serial", "serial4": "serial", "bigserial": "bigserial", "serial8": "bigserial",
    "smallserial": "smallserial", "serial2": "smallserial",
    "float8": "double precision", "double precision": "double precision", "float": "double precision",
    "float4": "real", "real": "real",
    "bool": "boolean", "boolean": "boolean",
    "varchar": "character varying", "character varying": "character varying",
    "char varying": "character varying",
    "char": "character(1)", "character": "character(1)", "bpchar": "bpchar",
    "bit": "bit(1)", "varbit": "bit varying", "bit varying": "bit varying",
    "timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
    "timestamp with time zone": "timestamp with time zone",
    "timestamp without time zone": "timestamp without time zone",
    "time": "time without time zone", "timetz": "time with time zone",
    "time with time zone": "time with time zone",
    "numeric": "numeric", "decimal": "numeric", "interval": "interval",
    "text": "text", "date": "date", "uuid": "uuid", "json": "json", "jsonb": "jsonb", "bytea": "bytea",
    "inet": "inet", "cidr": "cidr", "macaddr": "macaddr", "money": "money", "xml": "xml",
    "tsvector": "tsvector", "int4range": "int4range", "tstzrange": "tstzrange", "oid": "oid",
}


@pytest.mark.parametrize("alias, canonical", sorted(ALIASES.items()))
def test_alias_is_canonical(alias: str, canonical: str) -> None:
    assert canonical_type(alias, {}) == canonical


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_spelling_case_and_spaces_do_not_matter(alias: str) -> None:
    assert canonical_type(alias.upper(), {}) == ALIASES[alias]
    assert canonical_type(alias.replace(" ", "   "), {}) == ALIASES[alias]


@pytest.mark.parametrize("alias, canonical", [
    ("varchar(255)", "character varying(255)"),
    ("character varying(255)", "character varying(255)"),
    ("VARCHAR ( 255 )", "character varying(255)"),
    ("char(3)", "character(3)"),
    ("bpchar(3)", "character(3)"),
    ("bit(8)", "bit(8)"),
    ("varbit(8)", "bit varying(8)"),
    ("numeric(10)", "numeric(10,0)"),
    ("numeric(10,2)", "numeric(10,2)"),
    ("decimal(10, 2)", "numeric(10,2)"),
    ("numeric(5,-2)", "numeric(5,-2)"),
    ("float(1)", "real"),
    ("float(24)", "real"),
    ("float(25)", "double precision"),
    ("float(53)", "double precision"),
    ("timestamp(3)", "timestamp(3) without time zone"),
    ("timestamptz(3)", "timestamp(3) with time zone"),
    ("timestamp(0) with time zone", "timestamp(0) with time zone"),
    ("time(6)", "time(6) without time zone"),
    ("timetz(2)", "time(2) with time zone"),
    ("interval(3)", "interval(3)"),
    ("interval year to month", "interval year to month"),
    ("interval day to second(3)", "interval day to second(3)"),
])
def test_modifiers(alias: str, canonical: str) -> None:
    assert canonical_type(alias, {}) == canonical


@pytest.mark.parametrize("alias, canonical", [
    ("text[]", "text[]"),
    ("int[]", "integer[]"),
    ("int[][]", "integer[]"),  # format_type prints one [] whatever the dimensions
    ("int[3]", "integer[]"),
    ("int4 array", "integer[]"),
    ("INT4 ARRAY[3]", "integer[]"),
    ("integer []", "integer[]"),
    ("varchar(20)[]", "character varying(20)[]"),
    ("timestamptz[]", "timestamp with time zone[]"),
    ("timestamp(3) with time zone[]", "timestamp(3) with time zone[]"),
    ("double precision[]", "double precision[]"),
    ("numeric(5,2)[]", "numeric(5,2)[]"),
])
def test_arrays(alias: str, canonical: str) -> None:
    assert canonical_type(alias, {}) == canonical


def test_declared_enums() -> None:
    users = {"user_status": "user_status", "public.user_status": "user_status",
             "Mood": '"Mood"', "app.level": "app.level"}
    assert canonical_type("user_status", users) == "user_status"
    assert canonical_type("public.user_status", users) == "user_status"
    assert canonical_type("user_status[]", users) == "user_status[]"
    assert canonical_type("Mood", users) == '"Mood"'
    assert canonical_type("app.level", users) == "app.level"


@pytest.mark.parametrize("bad", [
    "varchar(0)", "varchar(a)", "varchar(1,2)", "numeric(0)", "numeric(1001)", "float(54)", "float(0)",
    "timestamp(7)", "text(5)", "int(11)", "timestamptz with time zone", "text with time zone",
    "serial[]", "interval hour(2)", "interval week", "varchar(",
])
def test_malformed_types_are_problems(bad: str) -> None:
    with pytest.raises(TypeProblem):
        canonical_type(bad, {})


@pytest.mark.parametrize("unknown", ["strng", "user_status", "int5"])
def test_unknown_types_are_key_errors(unknown: str) -> None:
    with pytest.raises(KeyError):
        canonical_type(unknown, {})


# -- expressions

STATUS = {"user_status": "user_status"}


def same(a: str, b: str, column_type: str | None = None, user_types: dict[str, str] | None = None) -> bool:
    return make_expression(a, column_type, user_types) == make_expression(b, column_type, user_types)


@pytest.mark.parametrize("a, b", [
    ("now()", "CURRENT_TIMESTAMP"),
    ("now()", "NOW( )"),
    ("'{}'::jsonb", "CAST('{}' AS jsonb)"),
    ("'{}'::jsonb", "'{}'::JSONB"),
    ("a + b", "(a + b)"),
    ("a + b", "((a)+(b))"),
    ("(a + b) * c", "((a + b)) * (c)"),
    ("price >= 0", "(price >= 0)"),
    ("lower(email)", "LOWER(Email)"),
    ("x::int", "x::integer"),
    ("x::int4", "CAST(x AS integer)"),
    ("x::timestamptz", "x::timestamp with time zone"),
    ("a AND b", "a and b"),
    ("position('@' in email) > 1", "POSITION('@' IN email) > 1"),
])
def test_equal_expressions(a: str, b: str) -> None:
    assert same(a, b)


def test_literal_cast_to_the_column_type_equals_the_bare_literal() -> None:
    assert same("'active'", "'active'::user_status", "user_status", STATUS)
    assert same("'active'", "CAST('active' AS user_status)", "user_status", STATUS)
    assert same("'{}'", "'{}'::jsonb", "jsonb")
    assert same("'x'", "'x'::varchar(10)", "character varying(10)")


def test_literal_cast_to_another_type_is_not_the_bare_literal() -> None:
    assert not same("'active'", "'active'::text", "user_status", STATUS)
    assert not same("'active'", "'active'::user_status")  # no column type: nothing to drop


@pytest.mark.parametrize("a, b", [
    ("(a + b) * c", "a + b * c"),
    ("a - (b - c)", "a - b - c"),
    ("'active'", "'deleted'"),
    ("'a'", "'A'"),
    ("1", "2"),
    ("1", "'1'"),
    ("true", "false"),
    ('lower("Email")', "lower(email)"),
    ("'x'::text", "'x'::varchar"),
    ("a > 0", "a >= 0"),
    ("now()", "clock_timestamp()"),
])
def test_unequal_expressions(a: str, b: str) -> None:
    assert not same(a, b)


def test_expr_keeps_the_text_as_written() -> None:
    e = make_expression("'active'::user_status", "user_status", STATUS)
    assert e.text == "'active'::user_status"
    assert str(e) == e.text


@pytest.mark.parametrize("bad", [
    "1; drop table users", "now(); select 1", "", "   ", "(select 1)", "a b", "1 > > 2",
    "1 -- comment", "/* c */ 1", "(1, 2)", "select 1",
])
def test_not_one_expression(bad: str) -> None:
    with pytest.raises(ExpressionProblem):
        parse_expression(bad)


def test_referenced_columns_in_order_of_first_use() -> None:
    assert referenced_columns("b > a AND lower(c) <> '' AND a > 0") == ["b", "a", "c"]
    assert referenced_columns('"Email" <> email') == ["Email", "email"]
    assert referenced_columns("now()") == []


def test_string_literals() -> None:
    assert make_expression("status <> 'deleted' AND kind IN ('a', 'b')").literals == {"deleted", "a", "b"}
