"""Expressions as PostgreSQL prints them are read back: keywords as column names, operators sqlglot
does not know, forms it cannot parse. Same text, same normal form; different meaning, different one."""
from __future__ import annotations

import itertools

import pytest
import sqlglot

from compiler.model.expression_tokens import SQLGLOT_OPERATORS, TokenExpression, needs_token_reading, tokens
from compiler.model.expressions import (
    ExpressionProblem,
    make_expression,
    parse_expression,
    read_expression,
    referenced_columns,
)

# Unreserved keywords sqlglot reads as the start of a statement; PostgreSQL prints them bare.
STATEMENT_WORDS = ["alter", "begin", "cache", "call", "comment", "commit", "copy", "declare", "delete", "drop",
                   "execute", "explain", "if", "insert", "load", "lock", "merge", "prepare", "refresh", "reindex",
                   "release", "rename", "reset", "revoke", "rollback", "savepoint", "set", "show", "truncate",
                   "update", "vacuum"]


@pytest.mark.parametrize("word", STATEMENT_WORDS)
@pytest.mark.parametrize("form", ["{w} > 0", "({w} + 1)", "lower({w}::text)", "{w} IS NOT NULL AND {w} > 1",
                                  "{w}", "CASE WHEN {w} > 1 THEN {w} ELSE 0 END > 0"])
def test_a_statement_word_is_a_column(word: str, form: str) -> None:
    text = form.format(w=word)
    assert referenced_columns(text) == [word]
    assert make_expression(text) == make_expression(form.format(w=f'"{word}"'))


# (what PostgreSQL prints, a variant with another meaning): each must read, and the two must differ
PRINTED = [
    ("n::text <> 'x'::text", "n::text <> 'y'::text"),
    ("iv > '1 day'::interval", "iv > '1 day'::interval second"),
    ("tags <> '{}'::text[]", "tags <> '{}'::integer[]"),
    ("(s COLLATE \"C\") > 'a'::text", "(s COLLATE \"POSIX\") > 'a'::text"),
    ("tags = ARRAY['a'::text, 'b'::text]", "tags = ARRAY['b'::text, 'a'::text]"),
    ("ROW(n, s) IS NOT NULL", "ROW(s, n) IS NOT NULL"),
    ("n IS DISTINCT FROM 3", "NOT n IS DISTINCT FROM 3"),
    ("n >= 1 AND n <= 5 OR n >= 5 AND n <= 1", "n >= 1 AND (n <= 5 OR n >= 5) AND n <= 1"),  # BETWEEN SYMMETRIC
    ("s ~~ 'a%'::text", "s ~~* 'a%'::text"),
    ("s !~~ 'a%'::text", "s !~~* 'a%'::text"),
    ("s ~ 'a'::text", "s !~ 'a'::text"),
    ("tags @> ARRAY['a'::text]", "tags <@ ARRAY['a'::text]"),
    ("(j ->> 'k'::text) <> 'x'::text", "(j -> 'k'::text) <> 'x'::text"),
    ("(j #> '{a,b}'::text[]) IS NOT NULL", "(j #>> '{a,b}'::text[]) IS NOT NULL"),
    ("j ? 'k'::text", "j ?| ARRAY['k'::text]"),
    ("j ?& ARRAY['k'::text]", "j ?| ARRAY['k'::text]"),
    ("(ts AT TIME ZONE 'UTC'::text) > '2020-01-01 00:00:00'::timestamp without time zone",
     "(ts AT TIME ZONE 'CET'::text) > '2020-01-01 00:00:00'::timestamp without time zone"),
    ("((ts, ts) OVERLAPS (ts, ts))", "((ts, ts) OVERLAPS (ts, te))"),
    ("CASE\n    WHEN n > 1 THEN 'a'::text\n    ELSE 'b'::text\nEND <> 'c'::text",
     "CASE\n    WHEN n > 1 THEN 'b'::text\n    ELSE 'a'::text\nEND <> 'c'::text"),
    ("COALESCE(n, 0) > 0", "COALESCE(n, 1) > 0"),
    ("NULLIF(n, 0) > 0", "NULLIF(n, 1) > 0"),
    ("GREATEST(n, 1) > LEAST(n, 2)", "LEAST(n, 1) > GREATEST(n, 2)"),
    ("tags[1] <> 'a'::text", "tags[2] <> 'a'::text"),
    ("tags[1:2] <> tags", "tags[1:3] <> tags"),
    ("EXTRACT(year FROM ts) > 2000::numeric", "EXTRACT(month FROM ts) > 2000::numeric"),
    ("s ~ similar_to_escape('a%'::text)", "s !~ similar_to_escape('a%'::text)"),
    ("n = ANY (ARRAY[1, 2, 3])", "n <> ALL (ARRAY[1, 2, 3])"),
    ("n > '-1'::integer", "n > '1'::integer"),
    ("(@ n) > 1", "(- n) > 1"),
    ("point(1::double precision, 2::double precision) <#> p < 5::double precision",
     "point(1::double precision, 2::double precision) <-> p < 5::double precision"),
    ("s ~>=~ 'a'::text", "s ~<=~ 'a'::text"),
    ("p ?-| q", "p ?| q"),
    ("(s IS NFC NORMALIZED)", "(s IS NFD NORMALIZED)"),
    ("COLLATION FOR (s) <> ''::text", "COLLATION FOR (s) <> 'C'::text"),
    ("n OPERATOR(pg_catalog.+) 1 > 0", "n OPERATOR(pg_catalog.-) 1 > 0"),
    ("s = 'it''s'::text", "s = 'its'::text"),
    ("b IS TRUE", "b IS NOT TRUE"),
    ("x IS DOCUMENT", "x IS NOT DOCUMENT"),
    ("SUBSTRING(s FROM 1 FOR 2) <> 'x'::text", "SUBSTRING(s FROM 2 FOR 1) <> 'x'::text"),
    ("TRIM(BOTH ' '::text FROM s) <> ''::text", "TRIM(LEADING ' '::text FROM s) <> ''::text"),
    ("OVERLAY(s PLACING 'x'::text FROM 1 FOR 2) <> ''::text", "OVERLAY(s PLACING 'y'::text FROM 1 FOR 2) <> ''::text"),
    ("s <> CURRENT_USER", "s <> \"current_user\""),
    ("s <> USER", "s <> \"user\""),
]


@pytest.mark.parametrize(("printed", "other"), PRINTED)
def test_what_postgresql_prints_reads_back_and_keeps_its_meaning(printed: str, other: str) -> None:
    assert make_expression(printed) == make_expression(printed)
    assert make_expression(printed) != make_expression(other)


def test_all_printed_forms_differ_from_each_other() -> None:
    normals = {text: make_expression(text).normal for pair in PRINTED for text in pair}
    for a, b in itertools.combinations(normals, 2):
        assert normals[a] != normals[b], (a, b)


@pytest.mark.parametrize("text", ["(@ n) > 1", "a <#> b", "s IS NOT NFKC NORMALIZED", "COLLATION FOR (s)",
                                  "a OPERATOR(public.===) b", "x @@@ y"])
def test_forms_sqlglot_cannot_read_are_read_from_tokens(text: str) -> None:
    assert isinstance(parse_expression(text), TokenExpression)


def test_token_reading_finds_columns_but_not_types_functions_or_keywords() -> None:
    text = 'point(a, "B C")::double precision <#> box(c) AND d::public."Mood" IS NFC NORMALIZED COLLATE "C"'
    assert referenced_columns(text) == ["a", "B C", "c", "d"]


def test_a_column_named_normalized_is_still_a_column() -> None:
    assert referenced_columns("normalized > 0") == ["normalized"]


@pytest.mark.parametrize("bad", ["a <#> (b", "a <#> b; drop table t", "a <#> (SELECT 1)", "a <#> b -- x", "'a <#> b"])
def test_token_reading_still_refuses_what_is_not_one_expression(bad: str) -> None:
    with pytest.raises(ExpressionProblem):
        parse_expression(bad)


def test_lenient_reading_accepts_text_sqlglot_refuses() -> None:
    text = "f(x) > 0 ORDER"  # not an expression sqlglot reads; read from tokens only when already accepted once
    with pytest.raises(ExpressionProblem):
        parse_expression(text)
    assert isinstance(read_expression(text), TokenExpression)
    assert make_expression(text, lenient=True) == make_expression(text, lenient=True)


def test_operators_lex_as_postgresql_does() -> None:
    assert [t.text for t in tokens("n>-1")] == ["n", ">", "-", "1"]
    assert [t.text for t in tokens("a @- b")] == ["a", "@-", "b"]  # ends in '-' but holds '@'
    assert [t.text for t in tokens("x::text")] == ["x", "::", "text"]
    assert [t.value for t in tokens("E'it\\'s' || 'a''b'")] == ["it\\'s", "||", "a'b"]


def test_the_operators_left_to_sqlglot_are_read_faithfully() -> None:
    """Each operator sqlglot is trusted with prints back as itself or its exact spelled form."""
    spelled = {"~~": "a LIKE b", "~~*": "a ILIKE b", "!~~": "a NOT LIKE b", "!~~*": "a NOT ILIKE b",
               "!~": "NOT a ~ b", "!~*": "NOT a ~* b", "^": "POWER(a, b)", "^@": "STARTS_WITH(a, b)",
               "!=": "a <> b", "|/": "SQRT(a)", "||/": "CBRT(a)"}
    for op in sorted(SQLGLOT_OPERATORS - {"=>"}):
        text = f"{op} a" if op in ("|/", "||/") else f"a {op} b"
        assert not needs_token_reading(tokens(text))
        assert sqlglot.parse_one(text, read="postgres").sql("postgres") in (text, spelled.get(op)), op
