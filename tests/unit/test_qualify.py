"""User types are named with their schema in DDL; built-in and extension types are not."""
from __future__ import annotations

import pytest

from compiler.qualify import qualified_casts, sql_type


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
