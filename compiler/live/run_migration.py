"""A compiled migration file run against a live database, transaction by transaction."""
from __future__ import annotations

from collections.abc import Callable

import psycopg

from ..errors import DatabaseError
from ..sql.migration_file import segments
from .database import describe


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
        if done:
            raise PartlyApplied(describe(e, url), done) from None
        raise DatabaseError(describe(e, url)) from None
