"""A compiled migration file read back as the transactions it holds, and run."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from .database import DatabaseError, describe


@dataclass(frozen=True, slots=True)
class Segment:
    sql: str
    transactional: bool  # False: statements outside BEGIN/COMMIT, which must run on their own


def segments(text: str) -> list[Segment]:
    """The BEGIN; ... COMMIT; blocks of a migration file, and any SQL standing outside them."""
    out: list[Segment] = []
    current: list[str] = []
    inside = False

    def flush(transactional: bool) -> None:
        body = "\n".join(current).strip()
        if body and any(line.strip() and not line.strip().startswith("--") for line in current):
            out.append(Segment(body + "\n", transactional))
        current.clear()

    for line in text.splitlines():
        word = line.strip().upper()
        if word == "BEGIN;" and not inside:
            flush(False)
            inside = True
        elif word == "COMMIT;" and inside:
            flush(True)
            inside = False
        else:
            current.append(line)
    if inside:
        raise DatabaseError("migration file has BEGIN; without COMMIT;")
    flush(False)
    return out


def run_migration(conn: psycopg.Connection, text: str, url: str,
                  finish: Callable[[psycopg.Connection], None] | None = None) -> None:
    """Run each transaction of a migration file; `finish` runs inside the last one (bookkeeping).

    A failure rolls back the transaction it happened in and raises DatabaseError with
    PostgreSQL's message.
    """
    parts = segments(text)
    last = max((i for i, s in enumerate(parts) if s.transactional), default=None)
    try:
        for i, part in enumerate(parts):
            if part.transactional:
                with conn.transaction():
                    conn.execute(part.sql.encode())
                    if i == last and finish is not None:
                        finish(conn)
            else:
                conn.execute(part.sql.encode())  # autocommit: statements that refuse a transaction
        if last is None and finish is not None:
            with conn.transaction():
                finish(conn)
    except psycopg.Error as e:
        raise DatabaseError(describe(e, url)) from None
