"""Property: any expression PostgreSQL accepts in a check or an index is read back from the text it
prints. Expressions are drawn from a grammar over columns named after keywords; PostgreSQL stores
them; the printed text must parse as definitions parse it (so import writes it and compile takes it),
name only real columns, and keep apart what PostgreSQL prints apart.

Examples: a tenth of SCHEMAC_PROPERTY_EXAMPLES (at least 10; 30 in CI).
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from compiler.model.expressions import make_expression, parse_expression, referenced_columns
from compiler.model.names import quote_ident
from tests.conftest import create_database, drop_database

EXAMPLES = max(10, int(os.environ.get("SCHEMAC_PROPERTY_EXAMPLES", "100")) // 10)
# a column per kind of name: plain, mixed case, and keywords of each category PostgreSQL prints
# bare (unreserved: comment, value...) or quoted (reserved: order, user, select...)
COLUMNS = ["n", "Mixed Case", "comment", "value", "update", "set", "year", "zone", "name", "order", "user",
           "select", "end", "default", "between", "collate", "left", "time", "normalized"]


def _col(name: str) -> str:
    return quote_ident(name)


ints = st.deferred(lambda: st.one_of(
    st.sampled_from(COLUMNS).map(_col),
    st.integers(-1000, 1000).map(str),
    st.tuples(ints, st.sampled_from(["+", "-", "*", "%"]), ints).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    st.tuples(ints, ints).map(lambda t: f"COALESCE({t[0]}, {t[1]})"),
    st.tuples(ints, ints).map(lambda t: f"NULLIF({t[0]}, {t[1]})"),
    st.tuples(ints, ints).map(lambda t: f"GREATEST({t[0]}, {t[1]})"),
    st.tuples(bools, ints, ints).map(lambda t: f"CASE WHEN {t[0]} THEN {t[1]} ELSE {t[2]} END"),
    ints.map(lambda x: f"(@ {x})"),
    ints.map(lambda x: f"(- {x})"),
    texts.map(lambda x: f"length({x})"),
    ints.map(lambda x: f"CAST({x} AS bigint)::integer"),
    st.tuples(ints, ints).map(lambda t: f"(ARRAY[{t[0]}, {t[1]}])[1]"),
    ints.map(lambda x: f"EXTRACT(year FROM (DATE '2020-01-01' + {x}))::integer"),
))
texts = st.deferred(lambda: st.one_of(
    ints.map(lambda x: f"({x})::text"),
    st.text(alphabet="ab' %_\\", max_size=4).map(lambda s: "'" + s.replace("'", "''") + "'"),
    texts.map(lambda x: f"lower({x})"),
    st.tuples(texts, texts).map(lambda t: f"({t[0]} || {t[1]})"),
    texts.map(lambda x: f"({x} COLLATE \"C\")"),
    ints.map(lambda x: f"(to_jsonb({x}) ->> 'k')"),
))
bools = st.deferred(lambda: st.one_of(
    st.tuples(ints, st.sampled_from(["=", "<>", "<", ">=", "IS DISTINCT FROM", "IS NOT DISTINCT FROM"]), ints)
      .map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(ints, ints, ints, st.booleans()).map(
        lambda t: f"{t[0]} BETWEEN {'SYMMETRIC ' if t[3] else ''}{t[1]} AND {t[2]}"),
    st.tuples(ints, st.lists(st.integers(-5, 5), min_size=1, max_size=3)).map(
        lambda t: f"{t[0]} IN ({', '.join(map(str, t[1]))})"),
    st.tuples(texts, st.sampled_from(["LIKE", "ILIKE", "NOT LIKE", "SIMILAR TO", "~", "~*", ">"]), texts)
      .map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(bools, st.sampled_from(["AND", "OR"]), bools).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    bools.map(lambda x: f"NOT ({x})"),
    ints.map(lambda x: f"{x} IS NOT NULL"),
    st.tuples(ints, ints).map(lambda t: f"ARRAY[{t[0]}, {t[1]}] @> ARRAY[{t[1]}]"),
    st.tuples(ints, ints).map(lambda t: f"ROW({t[0]}, {t[1]}) IS NOT NULL"),
    ints.map(lambda x: f"to_jsonb({x}) ? 'k'"),
    ints.map(lambda x: f"(|/ (abs({x}))::float8) < 100"),
    ints.map(lambda x: f"point({x}, 0) <-> point(0, 0) < 5"),
    ints.map(lambda x: f"box(point({x}, 0), point(0, 0)) ?# box(point(1, 1), point(0, 0))"),
))


@pytest.fixture(scope="module")
def conn(admin_url: str) -> Iterator[psycopg.Connection]:
    url = create_database(admin_url)
    try:
        with psycopg.connect(url, autocommit=True) as c:
            c.execute("CREATE TABLE t (" + ", ".join(f"{_col(n)} integer" for n in COLUMNS) + ")")
            yield c
    finally:
        drop_database(admin_url, url)


def _printed(conn: psycopg.Connection, expressions: list[str]) -> tuple[list[str], list[str]]:
    """What PostgreSQL prints for each expression as a check and as an index expression (in brackets);
    what it refuses (a mutable function in an index, an error when folded) is left out."""
    checks: list[str] = []
    indexes: list[str] = []
    for i, e in enumerate(expressions):
        for out, ddl, read in (
                (checks, f"ALTER TABLE t ADD CONSTRAINT c{i} CHECK ({e}) NOT VALID",
                 f"SELECT pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conname = 'c{i}'"),
                (indexes, f"CREATE INDEX i{i} ON t (({e}))", f"SELECT pg_get_indexdef('i{i}'::regclass, 1, true)")):
            try:
                with conn.transaction():
                    conn.execute(ddl)
                    text = conn.execute(read).fetchone()[0]
                    raise _Undo
            except _Undo:
                out.append(text.removeprefix("CHECK (").removesuffix(") NOT VALID") if out is checks else text)
            except psycopg.Error:
                pass
    return checks, indexes


class _Undo(Exception):
    """Rolls the transaction back: nothing stays in the table."""


@settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
          # PostgreSQL refuses a share of the generated expressions (folding overflows, mutable functions
          # in an index), so a run may discard many examples: that is expected, not a strategy bug
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(expressions=st.lists(bools, min_size=1, max_size=6))
def test_what_postgresql_prints_is_read_back(conn: psycopg.Connection, expressions: list[str]) -> None:
    checks, indexes = _printed(conn, expressions)
    note("\n".join(checks + indexes))
    assume(checks)  # PostgreSQL took at least one
    for form in (checks, indexes):
        normals: dict[str, set[str]] = {}
        for text in form:
            parse_expression(text)  # as a definition reads it: import writes it, compile takes it
            assert set(referenced_columns(text)) <= set(COLUMNS), text
            normals.setdefault(make_expression(text).normal, set()).add(text)
        for same in normals.values():
            assert len(same) == 1, f"one normal form for different expressions: {same}"
