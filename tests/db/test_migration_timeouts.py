"""lock_timeout and statement_timeout, set by each migration, on a real server.

A migration queued behind another connection's lock gives up after the lock timeout (exit 4
through apply, psql's error under psql -f) and leaves the database as it was; a statement that
runs too long is cancelled the same way; statements outside a transaction get the timeouts too,
and the session has its own back afterwards.
"""
from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from compiler.definitions.settings import Duration, MigrationTimeouts
from compiler.errors import DatabaseError
from compiler.live.run_migration import run_migration
from compiler.model.schema import Schema
from compiler.plan.diff import plan
from compiler.plan.order import Block, BlockKind, Plan
from compiler.sql.render import Renderer
from tests.db.catalog import catalog
from tests.helpers import run_cli, schema_of, write_definitions

USERS = """
table: users
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: text}
"""
USERS_PHONE = USERS + "  - {name: phone, type: text}\n"


@contextmanager
def holding_a_lock(url: str, sql: str) -> Iterator[None]:
    """Another connection inside a transaction that took a lock with `sql`, until the block ends."""
    with psycopg.connect(url) as other:
        other.execute(sql)  # psycopg opens a transaction: the lock is held until rollback
        try:
            yield
        finally:
            other.rollback()


def project_at_migration_1(tmp_path: Path, url: str, capsys, settings: str) -> Path:
    """USERS compiled and applied, USERS_PHONE compiled and pending, with these settings."""
    (tmp_path / "schemac.yaml").write_text(settings)
    for text in (USERS, USERS_PHONE):
        write_definitions(tmp_path, {"users.yaml": text})
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert run_cli(tmp_path, capsys, "apply", "--database-url", url, "--to", "1")[0] == 0
    return tmp_path


def test_apply_behind_a_lock_gives_up_after_the_lock_timeout(tmp_path: Path, database_url: str, capsys) -> None:
    project = project_at_migration_1(tmp_path, database_url, capsys, "migration_lock_timeout: 300ms\n")
    pending = (project / "generated/migrations/002_add_users_phone.sql").read_text()
    assert "SET LOCAL lock_timeout = '300ms';" in pending
    before = catalog(database_url)
    with holding_a_lock(database_url, "SELECT * FROM public.users"):  # ACCESS SHARE: ALTER TABLE must wait
        started = time.monotonic()
        code, out, err = run_cli(project, capsys, "apply", "--database-url", database_url)
        waited = time.monotonic() - started
        # by hand, the same file stops at the same place
        by_hand = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url, "-f", "-"],
                                 input=pending, capture_output=True, text=True, timeout=60)
    assert code == 4, (out, err)
    assert "002_add_users_phone.sql failed and was rolled back: canceling statement due to lock timeout" in err
    assert 0.3 <= waited < 4, waited  # the file's 300 ms, not the server's default (no limit)
    assert by_hand.returncode == 3 and "lock timeout" in by_hand.stderr
    assert catalog(database_url) == before
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (1,)
    # once the other transaction is gone, the same migration goes through
    assert run_cli(project, capsys, "apply", "--database-url", database_url)[0] == 0
    assert run_cli(project, capsys, "drift", "--database-url", database_url)[0] == 0


def test_a_statement_running_longer_than_the_statement_timeout_is_cancelled(
        tmp_path: Path, database_url: str, capsys) -> None:
    project = project_at_migration_1(tmp_path, database_url, capsys, "")
    assert run_cli(project, capsys, "apply", "--database-url", database_url)[0] == 0
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO public.users SELECT i, 'u' || i FROM generate_series(1, 300000) i")
    # a volatile default fills every row: a rewrite of the table, far longer than 10 ms
    (project / "schemac.yaml").write_text("migration_statement_timeout: 10ms\n")
    write_definitions(project, {"users.yaml": USERS_PHONE + "  - {name: token, type: uuid, default: gen_random_uuid()}\n"})
    assert run_cli(project, capsys, "compile")[0] == 0
    before = catalog(database_url)
    code, _, err = run_cli(project, capsys, "apply", "--database-url", database_url)
    assert code == 4 and "canceling statement due to statement timeout" in err, err
    assert catalog(database_url) == before


def test_the_default_timeouts_apply_without_settings(tmp_path: Path, database_url: str, capsys) -> None:
    """No schemac.yaml: 5 s; the file gives up on its own although the server has no limit."""
    project = project_at_migration_1(tmp_path, database_url, capsys, "")
    with holding_a_lock(database_url, "SELECT * FROM public.users"):
        started = time.monotonic()
        code, _, err = run_cli(project, capsys, "apply", "--database-url", database_url)
        waited = time.monotonic() - started
    assert code == 4 and "lock timeout" in err
    assert 5 <= waited < 15, waited


def _outside_transaction_migration(timeouts: MigrationTimeouts) -> str:
    """A table in a transaction, then its index built outside one (as CREATE INDEX CONCURRENTLY is)."""
    changes = plan(Schema(), schema_of("table: t\ncolumns:\n  - {name: id, type: int}\nindexes:\n"
                                       "  - columns: [id]\n")).changes
    blocks = (Block(BlockKind.TRANSACTION, tuple(changes[:1])),
              Block(BlockKind.OUTSIDE_TRANSACTION, tuple(changes[1:]), "one by one"))
    return Renderer().migration("t", Plan(blocks), [], timeouts=timeouts)


def _outside_part(text: str, marked: bool) -> str:
    """The file's outside-transaction block alone, marked as compile marks it or not (then the
    lexer splits it), so it can run against a table that exists already."""
    body = text.split("COMMIT;", 1)[1]
    if not marked:
        return body.replace("-- schemac:outside-transaction", "").replace("-- schemac:statement ", "-- ")
    return "-- schemac:marked\n" + body


@pytest.mark.parametrize("marked", [True, False])
def test_statements_outside_a_transaction_get_the_timeouts_and_reset_them(database_url: str, marked: bool) -> None:
    text = _outside_transaction_migration(MigrationTimeouts(lock=Duration(200)))
    assert "SET lock_timeout = '200ms';" in text and "RESET lock_timeout;" in text
    block = _outside_part(text, marked)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.t (id integer)")
        with holding_a_lock(database_url, "LOCK TABLE public.t IN ROW EXCLUSIVE MODE"):  # CREATE INDEX waits
            started = time.monotonic()
            with pytest.raises(DatabaseError, match="lock timeout"):
                run_migration(conn, block, database_url)
            assert time.monotonic() - started < 4
        # the block stopped before its RESET; the failure gave the session its defaults back
        assert conn.execute("SHOW lock_timeout").fetchone() == ("0",)
        run_migration(conn, block, database_url)
        assert conn.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 't'").fetchone() == (1,)
        # run through, the block gave the session its defaults back
        assert conn.execute("SHOW lock_timeout").fetchone() == ("0",)
        assert conn.execute("SHOW statement_timeout").fetchone() == ("0",)
