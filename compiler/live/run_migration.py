"""A compiled migration file run against a live database, transaction by transaction.

A file has a main part, ending with the transaction that writes its row in the migrations table
(`finish`), and may have a tail after it: a follow-up transaction (validations of what the main
part added NOT VALID) and statements outside any transaction (CREATE / DROP INDEX CONCURRENTLY).
Every tail statement carries a done-when mark naming the catalog fact that says it is done, so
the tail can be run again after a failure: what is done is skipped, an INVALID index left by a
failed concurrent build is dropped before the build is tried again (and right after it fails).
"""
from __future__ import annotations

from collections.abc import Callable

import psycopg
from psycopg import sql

from ..errors import DatabaseError
from ..sql.migration_file import PINNED_SETTINGS, DoneWhen, Segment, segments
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


class TailFailed(PartlyApplied):
    """The main part of a file and its row committed; a statement of its tail failed. Running the
    tail again (`finish_tail`) completes it once the cause is fixed."""

    def __init__(self, message: str, committed: int, left: int | None = None) -> None:
        super().__init__(message, committed)
        self.left = left  # marked statements of the tail not done, when it could be read


def split_tail(parts: list[Segment]) -> tuple[list[Segment], list[Segment]]:
    """The main part (up to the last plain transaction, which records the file) and the tail."""
    last = max((i for i, s in enumerate(parts) if s.transactional and not s.follow_up), default=-1)
    return parts[:last + 1], parts[last + 1:]


def run_migration(conn: psycopg.Connection, text: str, url: str,
                  finish: Callable[[psycopg.Connection], None] | None = None) -> None:
    """Run each transaction of a migration file; `finish` runs inside the last transaction of the
    main part (bookkeeping), or in one of its own before the tail when there is none.

    A failure rolls back the transaction it happened in and raises DatabaseError with
    PostgreSQL's message (TailFailed when the main part had committed).
    """
    main, tail = split_tail(segments(text))
    done = 0
    try:
        for i, part in enumerate(main):
            if part.transactional:
                with conn.transaction():
                    conn.execute(part.sql.encode())
                    if i == len(main) - 1 and finish is not None:
                        finish(conn)
            else:
                # autocommit, one statement at a time: statements that refuse a transaction block
                for statement in part.statements or (part.sql,):
                    conn.execute(statement.encode())
            done += 1
        if (not main or not main[-1].transactional) and finish is not None:
            with conn.transaction():
                finish(conn)
    except psycopg.Error as e:
        if not conn.broken and not conn.closed and (full := lock_table_full(conn, e, url)) is not None:
            raise full from None
        if done:
            raise PartlyApplied(describe(e, url), done) from None
        raise DatabaseError(describe(e, url)) from None
    finish_tail(conn, tail, url, done)


def finish_tail(conn: psycopg.Connection, tail: list[Segment], url: str, committed: int = 0) -> int:
    """Run what is not yet done of a file's tail; returns how many of its marked statements ran.
    Raises TailFailed (a failed concurrent build's INVALID index already dropped).

    A part whose marked statements are all done is skipped whole. Otherwise its marked statements
    that are done are skipped, and the rest run, with the unmarked ones (the timeouts set around
    them, an index's comment), which are safe to run again."""
    ran = 0
    for part in tail:
        checks = part.done_when or (None,) * len(part.statements)
        marked = [d for d in checks if d is not None]
        if marked and all(is_done(conn, d) for d in marked):
            continue
        if part.transactional:  # one transaction: all of it again
            try:
                with conn.transaction():
                    conn.execute(part.sql.encode())
            except psycopg.Error as e:
                raise _failed(conn, describe(e, url), tail, committed) from None
            ran += len(marked)
            continue
        for statement, check in zip(part.statements, checks, strict=True):
            if check is not None and is_done(conn, check):
                continue
            if check is not None and check.fact == "index_valid":
                try:
                    drop_invalid_index(conn, check)  # left by an earlier try that was cut off
                except psycopg.Error as e:
                    message = (f"the INVALID index {'.'.join(check.names)} an earlier build left could not be "
                               f"dropped before the build is tried again: {describe(e, url)}")
                    raise _failed(conn, message, tail, committed) from None
            try:
                conn.execute(statement.encode())
            except psycopg.Error as e:
                message = describe(e, url)
                if check is not None and check.fact == "index_valid" and not conn.broken:
                    message += _cleaned_up(conn, check, url)
                raise _failed(conn, message, tail, committed) from None
            ran += check is not None
    return ran


def _cleaned_up(conn: psycopg.Connection, check: DoneWhen, url: str) -> str:
    """Drop the INVALID index a failed concurrent build left, and say what became of it. The drop
    runs under the migration's lock_timeout still (the RESET after the build did not run): when the
    build was cut off by a lock it waited for, the drop usually waits for the same one, and is
    cancelled too rather than hang; the next apply drops it before it builds again."""
    name = ".".join(check.names)
    try:
        dropped = drop_invalid_index(conn, check)
    except psycopg.Error as e:
        return (f"\n(the INVALID index {name} it left could not be dropped: {describe(e, url)}; it stays, "
                f"costing every write, until the next 'schemac apply' drops it before it builds the index again)")
    return f"\n(the INVALID index {name} it left was dropped)" if dropped else ""


def _failed(conn: psycopg.Connection, message: str, tail: list[Segment], committed: int) -> TailFailed:
    """TailFailed with how many marked statements of the tail the catalog says are not done, and
    the session's timeouts and pinned settings back to its defaults (the RESET after the failed statement never ran)."""
    left = None
    if not conn.broken:
        try:
            for name in ("lock_timeout", "statement_timeout", "search_path", *(n for n, _ in PINNED_SETTINGS)):
                conn.execute(f"RESET {name}")
            left = undone(conn, tail)
        except psycopg.Error:
            pass  # the count is a courtesy; the failure itself is what is reported
    return TailFailed(message, committed, left)


def undone(conn: psycopg.Connection, tail: list[Segment]) -> int:
    """How many statements of a file's tail the catalog says are not done (nothing is run)."""
    return sum(1 for part in tail for check in part.done_when if check is not None and not is_done(conn, check))


_FACTS = {
    "index_valid": """SELECT x.indisvalid FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                      JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = %s AND i.relname = %s""",
    "constraint_valid": """SELECT k.convalidated FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
                           JOIN pg_namespace n ON n.oid = t.relnamespace
                           WHERE n.nspname = %s AND t.relname = %s AND k.conname = %s""",
    "domain_constraint_valid": """SELECT k.convalidated FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid
                                  JOIN pg_namespace n ON n.oid = t.typnamespace
                                  WHERE n.nspname = %s AND t.typname = %s AND k.conname = %s""",
    "not_null": """SELECT a.attnotnull FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid
                   JOIN pg_namespace n ON n.oid = t.relnamespace
                   WHERE n.nspname = %s AND t.relname = %s AND a.attname = %s AND NOT a.attisdropped""",
}


def is_done(conn: psycopg.Connection, check: DoneWhen) -> bool:
    """Does the catalog say the statement marked with `check` has taken effect?"""
    query = _FACTS["index_valid" if check.fact == "index_absent" else check.fact]
    row = conn.execute(query, check.names).fetchone()
    if check.fact == "index_absent":
        return row is None
    return row is not None and bool(row[0])


def drop_invalid_index(conn: psycopg.Connection, check: DoneWhen) -> bool:
    """Drop the index `check` names if it is there but INVALID (what a failed or cut-off
    CREATE INDEX CONCURRENTLY leaves: it takes write overhead and blocks a retry under its
    name). True when one was dropped."""
    row = conn.execute(_FACTS["index_valid"], check.names).fetchone()
    if row is None or row[0]:
        return False
    conn.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(*check.names)))
    return True
