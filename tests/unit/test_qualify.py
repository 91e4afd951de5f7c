"""User types are named with their schema in DDL, an extension's types with its schema; built-in
types are not."""
from __future__ import annotations

import pytest

from compiler.model.expressions import bare_extension_casts, qualified_casts
from compiler.model.qualify import sql_type


@pytest.mark.parametrize(("spelling", "ddl"), [
    ("mood", "public.mood"), ("mood[]", "public.mood[]"), ('"Big Mood"', 'public."Big Mood"'),
    ('"Big Mood"[]', 'public."Big Mood"[]'), ('"Sales Team".mood', '"Sales Team".mood'),
    ("other.mood[]", "other.mood[]"), ("integer", "integer"), ("character varying(20)", "character varying(20)"),
    ("timestamp(3) with time zone", "timestamp(3) with time zone"), ("double precision[]", "double precision[]"),
    ("bit varying(4)", "bit varying(4)"), ('"char"', '"char"'), ("serial", "serial"), ("citext", "citext"),
    ("vector(3)", "vector(3)"), ("interval day to second", "interval day to second"), ("regclass", "regclass"),
])
def test_column_types(spelling: str, ddl: str) -> None:
    assert sql_type(spelling) == ddl


@pytest.mark.parametrize(("text", "ddl"), [
    ("'happy'::mood", "'happy'::public.mood"),
    ("'{happy}'::mood[]", "'{happy}'::public.mood[]"),
    ("CAST('x' AS \"Big Mood\")", "CAST('x' AS public.\"Big Mood\")"),
    ("m <> 'sad'::mood AND n::text <> 'mood'", "m <> 'sad'::public.mood AND n::text <> 'mood'"),
    ("x::public.mood", "x::public.mood"),
    ('x::"Sales Team".mood', 'x::"Sales Team".mood'),
    ("x::regclass::int4::double precision::citext", "x::regclass::int4::double precision::citext"),
    ("mood(x) AS", "mood(x) AS"),  # not a cast: a function named like the type
    ("coalesce(cast(a AS mood), b::Mood)", "coalesce(cast(a AS public.mood), b::public.Mood)"),
    ("'::mood'", "'::mood'"),
])
def test_casts_in_expressions(text: str, ddl: str) -> None:
    assert qualified_casts(text) == ddl


EXTENSIONS = {"citext": "extensions", "vector": "public"}  # where the declared extensions' types live


@pytest.mark.parametrize(("spelling", "ddl"), [
    ("citext", "extensions.citext"), ("citext[]", "extensions.citext[]"), ("vector(3)", "public.vector(3)"),
    ("hstore", "hstore"),  # an extension not declared: PostgreSQL reports the type missing
    ("mood", "public.mood"), ("text", "text"), ("extensions.citext", "extensions.citext"),
])
def test_extension_types_take_their_schema(spelling: str, ddl: str) -> None:
    assert sql_type(spelling, EXTENSIONS) == ddl


@pytest.mark.parametrize(("text", "ddl"), [
    ("'x'::citext", "'x'::extensions.citext"),
    ("e <> CAST('A' AS citext) AND v::vector(3) IS NOT NULL", "e <> CAST('A' AS extensions.citext) AND v::public.vector(3) IS NOT NULL"),
    ("'{a}'::CITEXT[]", "'{a}'::extensions.CITEXT[]"),
    ("x::extensions.citext", "x::extensions.citext"),
    ("x::hstore::cube::geometry", "x::hstore::cube::geometry"),  # not declared: left alone
    ("CAST(x AS vector(3))", "CAST(x AS public.vector(3))"),  # a type sqlglot has a token of its own for
    ("citext(x)", "citext(x)"),  # a function, not a cast
])
def test_casts_to_extension_types_take_their_schema(text: str, ddl: str) -> None:
    assert qualified_casts(text, EXTENSIONS) == ddl


@pytest.mark.parametrize(("text", "bare"), [
    ("(e <> 'admin'::extensions.citext)", "(e <> 'admin'::citext)"),
    ("CAST(x AS extensions.citext[])", "CAST(x AS citext[])"),
    ("x::other.citext", "x::other.citext"),  # not where the extension lives: another type
    ("x::public.vector(3)", "x::vector(3)"),
    ("'extensions.citext'::text", "'extensions.citext'::text"),
])
def test_casts_to_extension_types_read_back_bare(text: str, bare: str) -> None:
    assert bare_extension_casts(text, EXTENSIONS) == bare
    assert qualified_casts(bare, EXTENSIONS) == text  # and named with their schema again in DDL
