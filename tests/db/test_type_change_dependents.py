"""A column whose type changes takes along what depends on it: generated columns, index
expressions and predicates, checks, foreign keys on either side. Each on rows, up and back."""
from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.db.migrate import rows_of, up_and_back

T = "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"


def n_as(type_: str, rest: str = "") -> str:
    return f"  - {{name: n, type: {type_}{rest}}}\n"


CASES = {  # case: (old, new, rows, SELECT, rows it gives after the migration, after the rollback)
    "generated column with a key and an index": (
        T + n_as("integer") + "  - {name: g, type: bigint, generated: n * 2, check: 'g >= 0', unique: true}\n"
        "indexes:\n  - columns: [g]\n",
        T + n_as("bigint") + "  - {name: g, type: bigint, generated: n * 2, check: 'g >= 0', unique: true}\n"
        "indexes:\n  - columns: [g]\n",
        "INSERT INTO t (id, n) VALUES (1, 5), (2, 7);", "SELECT id, n, g FROM t ORDER BY id",
        [(1, 5, 10), (2, 7, 14)], [(1, 5, 10), (2, 7, 14)]),
    "generated columns, one of them new": (
        T + n_as("integer") + "  - {name: h, type: text, generated: \"n::text || 'x'\"}\n",
        T + n_as('"numeric(10,2)"') + "  - {name: h, type: text, generated: \"n::text || 'x'\"}\n"
        "  - {name: k, type: \"numeric(10,2)\", generated: n * 3}\n",
        "INSERT INTO t (id, n) VALUES (1, 5);", "SELECT id, n, h FROM t",
        [(1, Decimal("5.00"), "5.00x")], [(1, 5, "5x")]),
    "index expression": (
        T + n_as("integer") + "indexes:\n  - {expression: abs(n), unique: true}\n",
        T + n_as('"numeric(10,2)"') + "indexes:\n  - {expression: abs(n), unique: true}\n",
        "INSERT INTO t VALUES (1, 5), (2, -3);", "SELECT id, n FROM t ORDER BY id",
        [(1, Decimal("5.00")), (2, Decimal("-3.00"))], [(1, 5), (2, -3)]),
    "partial index predicate": (
        T + n_as("integer") + "indexes:\n  - {columns: [id], where: 'n > 0'}\n",
        T + n_as('"numeric(10,2)"') + "indexes:\n  - {columns: [id], where: 'n > 0'}\n",
        "INSERT INTO t VALUES (1, 5), (2, -3);", "SELECT id, n FROM t ORDER BY id",
        [(1, Decimal("5.00")), (2, Decimal("-3.00"))], [(1, 5), (2, -3)]),
    "check": (
        T + n_as("integer", ", check: 'n > 0'"), T + n_as('"numeric(10,2)"', ", check: 'n > 0'"),
        "INSERT INTO t VALUES (1, 5);", "SELECT id, n FROM t", [(1, Decimal("5.00"))], [(1, 5)]),
    "text predicate and expression": (
        T + n_as("varchar(10)") + "indexes:\n  - {columns: [id], where: \"n <> 'x'\"}\n"
        "  - {expression: lower(n), unique: true}\n",
        T + n_as("text") + "indexes:\n  - {columns: [id], where: \"n <> 'x'\"}\n"
        "  - {expression: lower(n), unique: true}\n",
        "INSERT INTO t VALUES (1, 'a'), (2, 'B');", "SELECT id, n FROM t ORDER BY id",
        [(1, "a"), (2, "B")], [(1, "a"), (2, "B")]),
}

P = "table: p\ncolumns:\n  - {name: id, type: %s, primary_key: true}\n  - {name: code, type: %s, unique: true}\n"
C = ("---\ntable: c\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
     "  - {name: p_id, type: %s, references: p.id, on_delete: cascade}\n"
     "  - {name: p_code, type: %s, references: p.code}\n")
for old_type, new_type, values in (("integer", "bigint", (1, 2)), ("integer", "text", ("1", "2")),
                                   ("text", "integer", (1, 2))):
    given = (1, 2) if old_type == "integer" else ("1", "2")
    CASES[f"foreign keys, {old_type} to {new_type} on both sides"] = (
        P % (old_type, old_type) + C % (old_type, old_type), P % (new_type, new_type) + C % (new_type, new_type),
        "INSERT INTO p VALUES (1, 1), (2, 2); INSERT INTO c VALUES (1, 2, 1);",
        "SELECT id, p_id, p_code FROM c", [(1, values[1], values[0])], [(1, given[1], given[0])])


@pytest.mark.parametrize("case", sorted(CASES))
def test_dependents_are_rebuilt_around_the_type_change(case: str, database_url: str,
                                                       second_database_url: str) -> None:
    old, new, rows, query, after_up_rows, after_rollback_rows = CASES[case]

    def after_up(conn: psycopg.Connection) -> None:
        assert rows_of(conn, query) == after_up_rows

    def after_rollback(conn: psycopg.Connection) -> None:
        assert rows_of(conn, query) == after_rollback_rows

    up_and_back(database_url, second_database_url, old, new, rows, after_up, after_rollback)
