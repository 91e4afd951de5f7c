"""A compiled migration file run against a live database, transaction by transaction."""
from __future__ import annotations

from collections.abc import Callable

import psycopg

from ..errors import DatabaseError
from ..sql.migration_file import segments
from .database import describe


class LockTableFull(DatabaseError):
    """The server's lock table had no room for the locks a transaction takes: a limit of the
    server and its load, not a fault of the SQL."""


# PostgreSQL's hint when its shared lock table is full (SQLSTATE 53200, out of shared memory)
_LOCKS_HINT = "max_locks_per_transaction"


def lock_table_full(conn: psycopg.Connection, error: psycopg.Error, url: str) -> LockTableFull | None:
    """LockTableFull, with what it means and the setting to raise, when `error` is the server's
    lock table running out; else None. `conn` must be usable again (the transaction rolled back)."""
    diag = getattr(error, "diag", None)
    if error.sqlstate != "53200" or diag is None or _LOCKS_HINT not in (diag.message_hint or ""):
        return None
    try:
        locks, connections, prepared = conn.execute(
            "SELECT current_setting('max_locks_per_transaction'), current_setting('max_connections'), "
            "current_setting('max_prepared_transactions')").fetchall()[0]
        sizes = (f" (here {locks} x ({connections} + {prepared}) = "
                 f"{int(locks) * (int(connections) + int(prepared)):,})")
    except psycopg.Error:
        sizes = ""
    return LockTableFull(
        f"{describe(error, url)}\n"
        "The server's lock table is full. A transaction holds a lock on every table, index, sequence, "
        "TOAST table, constraint and type it creates, alters or drops until it commits (creating 1,000 "
        "tables of 20 columns takes about 11,000, dropping them about 23,000), and the lock table, shared "
        "by every session of the server, has room for about max_locks_per_transaction x (max_connections "
        f"+ max_prepared_transactions) objects{sizes}. Raise max_locks_per_transaction in postgresql.conf "
        "(the server must be restarted; 256 holds the 1,000 tables' rollback with room for other work), "
        "or run it while fewer sessions hold locks.")


class PartlyApplied(DatabaseError):
    """A later transaction of a file failed after earlier ones had committed."""

    def __init__(self, message: str, committed: int) -> None:
        super().__init__(message)
        self.committed = committed



def run_migration(conn: psycopg.Connection, text: str, url: str,
                  finish: Callable[[psycopg.Connection], None] | None = None) -> None:
    """Run each transaction of a migration file; `finish` runs inside the last one (bookkeeping).

    A failure rolls back the transaction it happened in and raises DatabaseError with
    PostgreSQL's message.
    """
    parts = segments(text)
    last = max((i for i, s in enumerate(parts) if s.transactional), default=None)
    done = 0
    try:
        for i, part in enumerate(parts):
            if part.transactional:
                with conn.transaction():
                    conn.execute(part.sql.encode())
                    if i == last and finish is not None:
                        finish(conn)
            else:
                # autocommit, one statement at a time: statements that refuse a transaction block
                for statement in part.statements or (part.sql,):
                    conn.execute(statement.encode())
            done += 1
        if last is None and finish is not None:
            with conn.transaction():
                finish(conn)
    except psycopg.Error as e:
        if not conn.broken and not conn.closed and (full := lock_table_full(conn, e, url)) is not None:
            raise full from None
        if done:
            raise PartlyApplied(describe(e, url), done) from None
        raise DatabaseError(describe(e, url)) from None
