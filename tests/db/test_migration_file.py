"""Running a migration file: its transactions, and statements that must run outside one."""
from __future__ import annotations

import psycopg
import pytest

from compiler.live.database import DatabaseError, connect
from compiler.live.run_migration import run_migration
from compiler.sql.migration_file import segments
from tests.conftest import REPO
from tests.db.catalog import catalog, run_sql_file

FILE = """-- header
BEGIN;
CREATE TABLE t (id int, note text DEFAULT 'a;
COMMIT;
b');
COMMIT;

-- concurrently cannot run in a transaction block: it stands outside BEGIN/COMMIT on purpose
CREATE INDEX CONCURRENTLY t_id_idx ON t (id);

BEGIN;
INSERT INTO t (id) VALUES (1);
COMMIT;
"""


def test_segments_follow_quotes_and_keep_outside_statements_apart() -> None:
    parts = segments(FILE)
    assert [p.transactional for p in parts] == [True, False, True]
    assert "DEFAULT 'a;\nCOMMIT;\nb'" in parts[0].sql
    assert parts[1].sql.strip().endswith("CREATE INDEX CONCURRENTLY t_id_idx ON t (id);")


def test_statements_outside_a_transaction_run_on_their_own(database_url: str) -> None:
    finished = []
    with connect(database_url) as conn:
        run_migration(conn, FILE, database_url, finish=lambda c: finished.append(
            c.execute("SELECT count(*) FROM t").fetchone()[0]))
        assert conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 't'").fetchall() == [("t_id_idx",)]
    assert finished == [1]  # bookkeeping ran inside the last transaction, after its statements


def test_a_failing_transaction_is_rolled_back_whole(database_url: str) -> None:
    bad = "BEGIN;\nCREATE TABLE a (id int);\nCREATE TABLE a (id int);\nCOMMIT;\n"
    with connect(database_url) as conn:
        with pytest.raises(DatabaseError, match='relation "a" already exists'):
            run_migration(conn, bad, database_url)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT to_regclass('public.a')").fetchone()[0] is None


def test_files_compiled_before_the_marks_still_apply(database_url: str, second_database_url: str) -> None:
    """The example's committed migration has no marks: the reader and psql make the same catalog."""
    text = (REPO / "generated" / "migrations" / "001_initial_schema.sql").read_text()
    assert "-- schemac:" not in text
    with connect(database_url) as conn:
        run_migration(conn, text, database_url)
    run_sql_file(second_database_url, text)
    assert catalog(database_url) == catalog(second_database_url)
    assert catalog(database_url)["tables"]
