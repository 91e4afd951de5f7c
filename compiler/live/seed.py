"""schemac seed: generated/seeds.sql loaded into a database, all of it or nothing."""
from __future__ import annotations

import psycopg

from ..definitions.seeds import SEEDS_FOLDER
from ..errors import DatabaseError
from ..sql.migration_file import split_statements
from .database import connect

_ORIGIN = f"-- {SEEDS_FOLDER}/"  # the line compile writes before each row's statements: `-- seeds/users.yaml:12`


def load_seeds(url: str, sql: str) -> None:
    """Run seeds.sql (BEGIN; ... COMMIT; as compile writes it) as one transaction.

    It goes to the server as one simple query: at the first failing statement PostgreSQL skips the
    rest, the transaction is aborted and closing the connection rolls it back, so a failure leaves
    no row of the seeds behind. DatabaseError carries PostgreSQL's message and, when the failing
    statement is a row's, the seed file and line the row is written at."""
    try:
        with connect(url) as conn:
            conn.execute(sql.encode())  # bytes: sent as written, no client-side placeholders
    except DatabaseError as e:
        origin = _failing_row(url, sql)
        where = f"the row at {origin}: " if origin else ""
        raise DatabaseError(f"generated/seeds.sql failed and was rolled back: {where}{e}") from None


def _failing_row(url: str, sql: str) -> str | None:
    """Where the statement that fails is from (`seeds/users.yaml:12`), found by running the file again
    one statement at a time in a transaction that is rolled back; None when none fails this time or
    it is no row's (a connection failure, say)."""
    try:
        with connect(url) as conn:
            for statement in split_statements(sql):
                if statement.strip().upper() == "COMMIT;":
                    break  # never commit here: this run only looks for the failing row
                try:
                    conn.execute(statement.encode())
                except psycopg.Error:
                    return _origin(statement)  # the connection goes, and the transaction with it
    except DatabaseError:
        return None
    return _deferred_row(url, sql)  # every statement ran: a deferred key failed at COMMIT


def _deferred_row(url: str, sql: str) -> str | None:
    """The row whose deferred foreign key fails at COMMIT, found by running the file again (rolled
    back) with every key checked at its statement (SET CONSTRAINTS ALL IMMEDIATE). A row that
    fails is put aside and tried again once the others are in, as a deferred key may point at a
    row inserted later; the first row that still fails when no more can go in is the one."""
    waiting: list[str] = []
    try:
        with connect(url) as conn:
            for statement in split_statements(sql):
                if statement.strip().upper() == "COMMIT;":
                    break
                if statement.strip().upper().endswith("BEGIN;"):
                    conn.execute(statement.encode())
                    conn.execute(b"SET CONSTRAINTS ALL IMMEDIATE")
                elif _origin(statement) and not _runs(conn, statement):
                    waiting.append(statement)
                elif not _origin(statement):
                    conn.execute(statement.encode())
            while waiting:
                left = [s for s in waiting if not _runs(conn, s)]
                if len(left) == len(waiting):
                    return _origin(left[0])
                waiting = left
    except DatabaseError:
        return None
    return None


def _runs(conn: psycopg.Connection, statement: str) -> bool:
    """Whether `statement` runs; when it fails, the transaction goes on without it (a savepoint)."""
    conn.execute(b"SAVEPOINT seed_row")
    try:
        conn.execute(statement.encode())
    except psycopg.Error:
        conn.execute(b"ROLLBACK TO SAVEPOINT seed_row")
        return False
    conn.execute(b"RELEASE SAVEPOINT seed_row")
    return True


def _origin(statement: str) -> str | None:
    """The `-- seeds/...:N` line among the comment lines that lead `statement`."""
    for line in statement.lstrip("\n").splitlines():
        if not line.startswith("--"):
            break
        if line.startswith(_ORIGIN):
            return line[3:].strip()
    return None
