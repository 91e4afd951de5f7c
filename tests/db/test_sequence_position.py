"""serial, bigserial and identity columns turned into one another keep their sequence's position.

After the migration the next id is the one the old sequence would have given (never one that was
used and deleted, nor one below a sequence advanced by hand), and after the rollback too.
"""
from __future__ import annotations

import psycopg
import pytest

from tests.db.migrate import rows_of, up_and_back

KINDS = {
    "serial": "{name: id, type: serial, primary_key: true}",
    "bigserial": "{name: id, type: bigserial, primary_key: true}",
    "integer identity always": "{name: id, type: integer, identity: always, primary_key: true}",
    "integer identity by default": "{name: id, type: integer, identity: by default, primary_key: true}",
    "bigint identity always": "{name: id, type: bigint, identity: always, primary_key: true}",
    "bigint identity by default": "{name: id, type: bigint, identity: by default, primary_key: true}",
}
CONVERSIONS = [
    ("serial", "integer identity always"),
    ("integer identity by default", "serial"),
    ("serial", "bigserial"),
    ("bigserial", "bigint identity by default"),
    ("integer identity by default", "integer identity always"),
    ("serial", "bigint identity always"),
    ("bigint identity always", "serial"),
]


def _table(kind: str) -> str:
    return f"table: t\ncolumns:\n  - {KINDS[kind]}\n  - {{name: x, type: text}}\n"


def _next_id(conn: psycopg.Connection) -> int:
    (row,) = rows_of(conn, "INSERT INTO t (x) VALUES ('new') RETURNING id")
    conn.commit()
    return row[0]


@pytest.mark.parametrize("advanced", [False, True], ids=["deleted rows", "sequence ahead"])
@pytest.mark.parametrize(("old", "new"), CONVERSIONS, ids=[f"{a} to {b}" for a, b in CONVERSIONS])
def test_conversion_keeps_the_next_id(old: str, new: str, advanced: bool, database_url: str,
                                      second_database_url: str) -> None:
    # ids 1..5 were given, 4 and 5 deleted: the next is 6, or 101 after setval(100)
    rows = "INSERT INTO t (x) SELECT 'r' FROM generate_series(1, 5);\nDELETE FROM t WHERE id > 3;\n"
    if advanced:
        rows += "SELECT setval(pg_get_serial_sequence('public.t', 'id'), 100);\n"
    first = 101 if advanced else 6

    def after_up(conn: psycopg.Connection) -> None:
        assert _next_id(conn) == first

    def after_rollback(conn: psycopg.Connection) -> None:
        assert _next_id(conn) == first + 1

    up_and_back(database_url, second_database_url, _table(old), _table(new), rows, after_up, after_rollback)
