"""Partition layouts A -> B round-trip through a real PostgreSQL.

Hypothesis draws a partitioned table's layout (range with open ends, list with NULL, hash over
one modulus, a DEFAULT partition or none) and a second one over the same partition names, so that
partitions are created, dropped, given new bounds (detached and attached again, in any order
of overlap with the old bounds of the others), moved by a new method (the table built again) and
given comments. For each pair, with psql: A from empty; A -> B, which reads back as B (as
PostgreSQL spells it) and has the catalog of B built from empty; B -> A, which gives A's catalog
back. Layouts are valid by construction: the compiler refuses the others (test_partition_definitions.py).

Examples: SCHEMAC_PARTITION_EXAMPLES (default 25).
"""
from __future__ import annotations

import os

import psycopg
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from compiler.live.introspect import introspect
from compiler.live.scratch import canonical
from compiler.model.schema import Schema
from compiler.plan.diff import diff
from tests.conftest import create_database, drop_database
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import migration, schema

EXAMPLES = int(os.environ.get("SCHEMAC_PARTITION_EXAMPLES", "25"))
NAMES = [f"p{i}" for i in range(6)]


@st.composite
def layout(draw: st.DrawFn, method: str) -> list[str]:
    """The `partitions:` items of one layout, as YAML flow mappings."""
    names = iter(draw(st.permutations(NAMES)))
    items: list[str] = []
    if method == "range":
        cuts = sorted(draw(st.sets(st.integers(0, 100), min_size=2, max_size=5)))
        ends = ["MINVALUE", *map(str, cuts), "MAXVALUE"] if draw(st.booleans()) else list(map(str, cuts))
        for low, high in zip(ends, ends[1:], strict=False):
            if draw(st.booleans()) or not items:
                items.append(f"from: [{low}], to: [{high}]")
    elif method == "list":
        values = draw(st.permutations([*map(str, range(8)), "null"]))
        groups = draw(st.integers(1, 4))
        for g in range(groups):
            chosen = values[g::groups]
            if chosen and draw(st.booleans()) or not items:
                items.append(f"in: [{', '.join(chosen)}]")
    else:
        modulus = draw(st.sampled_from([1, 2, 4]))
        for r in range(modulus):
            if draw(st.booleans()) or not items:
                items.append(f"modulus: {modulus}, remainder: {r}")
    if method != "hash" and draw(st.booleans()):
        items.append("default: true")
    out = []
    for bound in items:
        comment = ", comment: Kept." if draw(st.booleans()) else ""
        out.append(f"  - {{name: {next(names)}, {bound}{comment}}}\n")
    return out


@st.composite
def pairs(draw: st.DrawFn) -> tuple[str, str]:
    a_method = draw(st.sampled_from(["range", "list", "hash"]))
    b_method = a_method if draw(st.integers(0, 4)) else draw(st.sampled_from(["range", "list", "hash"]))

    def table(method: str) -> str:
        return ("table: t\ncolumns:\n  - {name: k, type: integer}\n  - {name: v, type: text}\n"
                f"partition_by: {{method: {method}, columns: [k]}}\npartitions:\n" + "".join(draw(layout(method))))

    return table(a_method), table(b_method)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(pair=pairs())
def test_any_partition_layout_pair_round_trips(admin_url: str, pair: tuple[str, str]) -> None:
    a_yaml, b_yaml = pair
    note(f"A:\n{a_yaml}\nB:\n{b_yaml}")
    a, b = schema(a_yaml), schema(b_yaml)
    url, fresh = create_database(admin_url), create_database(admin_url)
    try:
        run_sql_file(url, migration(Schema(), a))
        before = catalog(url)
        run_sql_file(url, migration(a, b))
        with psycopg.connect(url) as conn:
            assert diff(introspect(conn), canonical(b, url)) == []
        run_sql_file(fresh, migration(Schema(), b))
        assert catalog(url) == catalog(fresh)
        run_sql_file(url, migration(b, a))
        assert catalog(url) == before
    finally:
        drop_database(admin_url, url)
        drop_database(admin_url, fresh)

