"""The table that records applied migrations, and the lock that lets one apply or rollback at a time."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import psycopg
from psycopg import sql

from ..definitions.settings import SETTINGS_FILE, TableName
from ..errors import DatabaseError
from ..model.names import quote_ident
from .database import connect, one_row

LOCK_KEY = 0x73636865_6D6163  # "schemac": one advisory lock per database for apply and rollback
COLUMNS = ("version", "name", "checksum", "applied_at")


class LockTimeout(DatabaseError):
    """Another apply or rollback held the database's lock for longer than we wait."""


@dataclass(frozen=True, slots=True)
class Applied:
    version: int
    name: str
    checksum: str
    applied_at: datetime


def _ident(table: TableName) -> sql.Identifier:
    return sql.Identifier(table.schema, table.name)


def _columns(conn: psycopg.Connection, table: TableName) -> list[str] | None:
    """The table's column names in order, or None when there is no such table."""
    oid = one_row(conn.execute("SELECT to_regclass(%s)::oid", (str(table),)))[0]
    if oid is None:
        return None
    return [r[0] for r in conn.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 "
                                       "AND NOT attisdropped ORDER BY attnum", (oid,)).fetchall()]


def _check_ours(table: TableName, columns: list[str]) -> None:
    if sorted(columns) != sorted(COLUMNS):
        raise DatabaseError(
            f"{table} is not schemac's migrations table: its columns are ({', '.join(columns)}), schemac's are "
            f"({', '.join(COLUMNS)}); another migration tool may own it. Set migrations_table in {SETTINGS_FILE} "
            f"to a table name schemac may use, e.g. 'migrations_table: schemac_migrations'")


def check_table(conn: psycopg.Connection, table: TableName) -> bool:
    """Whether the table exists; DatabaseError when a table of that name is another tool's."""
    columns = _columns(conn, table)
    if columns is not None:
        _check_ours(table, columns)
    return columns is not None


def applied_rows(conn: psycopg.Connection, table: TableName) -> dict[int, Applied]:
    """The recorded migrations by version; none when the table does not exist yet."""
    if not check_table(conn, table):
        return {}
    # The time as numbers (seconds since the epoch, the session's UTC offset), not as text: a
    # timestamptz's text follows DateStyle, which the session must keep as the database sets it.
    rows = conn.execute(sql.SQL("SELECT version, name, checksum, extract(epoch FROM applied_at)::float8, "
                                "extract(timezone FROM applied_at)::integer FROM {} ORDER BY version")
                        .format(_ident(table))).fetchall()
    return {v: Applied(v, n, c, _moment(epoch, offset)) for v, n, c, epoch, offset in rows}


def _moment(epoch: float, offset: int) -> datetime:
    """The time `epoch` as seen in a zone `offset` seconds east of UTC."""
    zone = timezone(timedelta(seconds=offset))
    return datetime.fromtimestamp(epoch, tz=UTC).astimezone(zone)


def ensure_table(conn: psycopg.Connection, table: TableName) -> None:
    """Create the table (and its schema) unless it exists; refuse another tool's table of that name."""
    if check_table(conn, table):
        return
    with conn.transaction():
        # only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when it exists
        if one_row(conn.execute("SELECT to_regnamespace(%s)", (quote_ident(table.schema),)))[0] is None:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(table.schema)))
        conn.execute(sql.SQL("CREATE TABLE {} (version integer PRIMARY KEY, name text NOT NULL, "
                             "checksum text NOT NULL, applied_at timestamp with time zone NOT NULL DEFAULT now())")
                     .format(_ident(table)))


def recorder(table: TableName, version: int, name: str, checksum: str) -> Callable[[psycopg.Connection], None]:
    """What records a migration as applied, to run inside the migration's last transaction."""
    def record(conn: psycopg.Connection) -> None:
        conn.execute(sql.SQL("INSERT INTO {} (version, name, checksum) VALUES (%s, %s, %s)").format(_ident(table)),
                     (version, name, checksum))
    return record


def unrecorder(table: TableName, version: int) -> Callable[[psycopg.Connection], None]:
    """What removes a migration's row, to run inside its rollback's last transaction."""
    def unrecord(conn: psycopg.Connection) -> None:
        conn.execute(sql.SQL("DELETE FROM {} WHERE version = %s").format(_ident(table)), (version,))
    return unrecord


@contextmanager
def exclusive(conn: psycopg.Connection, timeout: float, report: Callable[[str], None]) -> Iterator[None]:
    """Hold the database's apply lock, saying so when another run holds it, for at most `timeout` seconds."""
    if not one_row(conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)))[0]:
        report("waiting for another schemac apply or rollback on this database...")
        _wait_for_lock(conn, timeout)
    try:
        yield
    finally:
        # A lost connection has lost the lock with it; an unlock error must not hide what happened.
        if not conn.broken:
            with suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def _wait_for_lock(conn: psycopg.Connection, timeout: float) -> None:
    gave_up = LockTimeout(f"gave up after {timeout:g} s: another schemac apply or rollback still holds this "
                          f"database's lock. Try again when it has finished, or wait longer with --lock-timeout "
                          f"or apply_lock_timeout in {SETTINGS_FILE}")
    if timeout <= 0:
        raise gave_up
    # lock_timeout applies to advisory locks too; reset afterwards so migrations run with the database's own
    conn.execute("SELECT set_config('lock_timeout', %s, false)", (f"{max(1, round(timeout * 1000))}ms",))
    try:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    except psycopg.errors.LockNotAvailable:
        raise gave_up from None
    finally:
        if not conn.broken:
            conn.execute("RESET lock_timeout")


def current_version(url: str, table: TableName) -> int | None:
    """The newest recorded migration, read on a new connection (0: none); None when it cannot be read."""
    try:
        with connect(url) as conn:
            rows = applied_rows(conn, table)
    except DatabaseError:
        return None
    return max(rows, default=0)
