"""Throwaway databases: on which server, with which settings, and always dropped.

`verify` proves migrations on them and `drift` builds its reference copy in one. They are made
from template0 (template1 may hold a user's objects), carry the settings of the live database
that change how objects print or behave, and are dropped in a `finally` that SIGTERM and SIGINT
reach too. A run killed outright (SIGKILL) leaves one behind: its name says what it is, and the
next run drops it once its owner is provably gone (the advisory lock its creator held is free).
"""
from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import pq, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ..errors import DatabaseError
from ..model.schema import Extension
from .database import connect, describe, one_row, resolve_url
from .signals import Interrupted, signals_as_exceptions, signals_held

DEV_URL_VARIABLE = "SCHEMAC_DEV_DATABASE_URL"
PREFIX = "schemac_throwaway_"
# The creator of a throwaway database holds the advisory lock (LOCK_CLASS, key of its name) from
# before CREATE DATABASE until after DROP DATABASE; pg_locks shows it on the whole server.
LOCK_CLASS = 0x7363_6874  # 'scht'
# Settings that change how PostgreSQL reads or prints what a migration creates: a timestamptz
# default is read in TimeZone, a date printed in DateStyle, an unqualified name found on search_path.
# (A catalog is read in the migrations' own settings, database.READING_SETTINGS, on either side.)
COPIED_SETTINGS = ("TimeZone", "search_path", "DateStyle", "IntervalStyle", "extra_float_digits", "bytea_output")


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """What a throwaway database copies from the live one."""

    settings: tuple[tuple[str, str], ...]  # (name, value) as current_setting() reads them
    encoding: str
    collate: str
    ctype: str
    extension_schemas: dict[str, str] = field(default_factory=dict)  # extension -> its schema


@dataclass(frozen=True, slots=True)
class DevServer:
    """A server where schemac may create databases, and the live settings they copy (if known)."""

    url: str  # a database on that server, connected to while creating and dropping
    source: str  # how it was chosen, for messages
    live: LiveSettings | None = None


def dev_server(dev_url: str | None, database_url: str | None) -> DevServer:
    """--dev-url, else $SCHEMAC_DEV_DATABASE_URL, else the server of the database URL
    (--database-url, $DATABASE_URL, $NEON_DATABASE_URL). A live database, when one is named,
    lends its settings."""
    dev = dev_url or os.environ.get(DEV_URL_VARIABLE) or None
    try:
        live_url: str | None = resolve_url(database_url)
    except DatabaseError:
        live_url = None
    server = dev or live_url
    if server is None:
        raise DatabaseError("no server for throwaway databases: pass --dev-url URL or set "
                            f"{DEV_URL_VARIABLE} (or a database URL whose role may create databases)")
    source = "--dev-url" if dev_url else DEV_URL_VARIABLE if dev else "the database URL"
    return DevServer(server, source, read_settings(live_url) if live_url else None)


def read_settings(url: str) -> LiveSettings:
    """The settings of the live database at `url` that a throwaway copy must share."""
    with connect(url) as conn:
        try:
            values = one_row(conn.execute(sql.SQL("SELECT {}").format(sql.SQL(", ").join(
                sql.SQL("current_setting({})").format(sql.Literal(s)) for s in COPIED_SETTINGS))))
            encoding, collate, ctype = one_row(conn.execute(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
                "WHERE datname = current_database()"))
            extensions = dict(conn.execute(
                "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            ).fetchall())
        except psycopg.Error as e:
            raise DatabaseError(f"cannot read the live database's settings: {describe(e, url)}") from None
    return LiveSettings(tuple(zip(COPIED_SETTINGS, values, strict=True)), encoding, collate, ctype, extensions)


def lock_key(name: str) -> tuple[int, int]:
    """The advisory lock held by the creator of throwaway database `name`."""
    return LOCK_CLASS, int(hashlib.sha256(name.encode()).hexdigest()[:7], 16)


@contextmanager
def throwaway_database(server: DevServer, extensions: Iterable[Extension | str] = ()) -> Iterator[str]:
    """A new database on `server`, with the live settings; its URL. Dropped on the way out,
    also when SIGTERM or SIGINT ends the block. `extensions` are created first (see
    install_extensions for where)."""
    name = f"{PREFIX}{uuid.uuid4().hex[:12]}"
    with signals_as_exceptions(), connect(server.url) as conn:
        _check_may_create(conn, server)
        drop_leftovers(conn)
        conn.execute("SELECT pg_advisory_lock(%s, %s)", lock_key(name))  # released when conn closes
        pid = conn.info.backend_pid
        try:
            _create(conn, name, server)
            url = _url(server, name)
            install_extensions(url, server, extensions)
            yield url
        finally:
            try:
                with signals_held():
                    _drop(conn, pid, server, name)
            except Interrupted:
                # the signal came before it was held (or while it was, re-raised after): drop again,
                # a no-op when already dropped
                with signals_held():
                    _drop(conn, pid, server, name)
                raise


def make_fresh(conn: psycopg.Connection, url: str, server: DevServer,
               extensions: Iterable[Extension | str] = ()) -> None:
    """Return throwaway database `url` to how throwaway_database made it: every schema and
    extension dropped, public as template0 has it. Cheaper than another database (a DROP
    DATABASE waits for a checkpoint); for what schemac itself created there, which all lives in
    schemas and extensions."""
    with conn.transaction():
        for (extension,) in conn.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'").fetchall():
            conn.execute(sql.SQL("DROP EXTENSION IF EXISTS {} CASCADE").format(sql.Identifier(extension)))
        for (schema,) in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', "
                r"'pg_toast') AND nspname !~ '^pg_(toast_)?temp_'").fetchall():
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
        conn.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
        conn.execute("COMMENT ON SCHEMA public IS 'standard public schema'")
    install_extensions(url, server, extensions)


def drop_leftovers(conn: psycopg.Connection) -> list[str]:
    """Drop the throwaway databases of runs that are gone (their creator's lock is free); never one
    in use. Only those the connected role owns (or may drop). The names dropped."""
    found = conn.execute(
        r"SELECT datname FROM pg_database WHERE datname LIKE 'schemac\_throwaway\_%' "
        "AND pg_has_role(datdba, 'MEMBER') ORDER BY 1").fetchall()
    dropped = []
    for (name,) in found:
        held = one_row(conn.execute("SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' "
                                    "AND classid = %s AND objid = %s AND objsubid = 2)", lock_key(name)))[0]
        if held:
            continue
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            dropped.append(name)
        except psycopg.Error:
            continue  # another run dropping it, or not ours to drop: not this run's business
    return dropped


def _check_may_create(conn: psycopg.Connection, server: DevServer) -> None:
    may, role = one_row(conn.execute("SELECT rolcreatedb OR rolsuper, rolname FROM pg_roles "
                                     "WHERE rolname = current_user"))
    if not may:
        raise DatabaseError(
            f"role {role} may not create databases on the server of {server.source}, and schemac proves "
            f"migrations on throwaway databases: pass --dev-url URL (or set {DEV_URL_VARIABLE}) to a "
            "server where it may create them")


def _create(conn: psycopg.Connection, name: str, server: DevServer) -> None:
    create = sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
    attempts = [create]
    live = server.live
    if live is not None:
        # the live database's encoding and locale; its locale may not exist on another server
        encoding = sql.SQL(" ENCODING {}").format(sql.Literal(live.encoding))
        attempts = [create + encoding + sql.SQL(" LC_COLLATE {} LC_CTYPE {}").format(
                        sql.Literal(live.collate), sql.Literal(live.ctype)),
                    create + encoding + sql.SQL(" LOCALE 'C'"), create]
    for i, statement in enumerate(attempts):
        try:
            conn.execute(statement)
            return
        except psycopg.Error as e:
            if i == len(attempts) - 1:
                raise DatabaseError(f"cannot create a throwaway database on the server of {server.source}: "
                                    f"{describe(e, server.url)}") from None


def _options(settings: Iterable[tuple[str, str]]) -> str:
    """`-c name=value` startup options; libpq splits them at spaces, so spaces are escaped."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace(" ", "\\ ")
    return " ".join(f"-c {name}={escape(value)}" for name, value in settings)


def _url(server: DevServer, name: str) -> str:
    """The URL of throwaway database `name`. The live settings travel as startup options, so every
    connection to it has them, ahead of any ALTER ROLE ... SET of the dev server's role."""
    if server.live is None:
        return make_conninfo(server.url, dbname=name)
    given = conninfo_to_dict(server.url).get("options")
    options = " ".join(x for x in (str(given) if given else "", _options(server.live.settings)) if x)
    return make_conninfo(server.url, dbname=name, options=options)


def install_extensions(url: str, server: DevServer, extensions: Iterable[Extension | str]) -> list[str]:
    """Create those of `extensions` the live database has, in the schema it has each in, where
    they are missing; the names created. Where the definitions declare one is for their own
    migrations to say: the copy is made as the live database is, so a migration that names an
    extension's type in another schema fails here, before it reaches that database."""
    placed = server.live.extension_schemas if server.live else {}
    names = {x.name if isinstance(x, Extension) else x for x in extensions}
    wanted = [(e, placed[e]) for e in sorted(names) if e in placed]
    if not wanted:
        return []
    created = []
    with connect(url) as conn:
        present = {name for (name,) in conn.execute("SELECT extname FROM pg_extension").fetchall()}
        for extension, schema in wanted:
            if extension in present:
                continue
            created.append(extension)
            try:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}").format(
                    sql.Identifier(extension), sql.Identifier(schema)))
            except psycopg.Error as e:
                raise DatabaseError(f"cannot create extension {extension} in schema {schema} of a throwaway "
                                    f"database: {describe(e, url)}") from None
    return created


def _drop(conn: psycopg.Connection, pid: int, server: DevServer, name: str) -> None:
    """Drop `name`. When a signal left the maintenance connection mid-statement (CREATE DATABASE),
    end that backend first from a new connection, so its work cannot finish after the drop."""
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    if not conn.closed and conn.info.transaction_status == pq.TransactionStatus.IDLE:
        try:
            conn.execute(drop)
            return
        except psycopg.Error:
            pass
    conn.close()
    try:
        with connect(server.url) as fresh:
            fresh.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
            fresh.execute(drop)
    except (psycopg.Error, DatabaseError) as e:
        raise DatabaseError(f"could not drop throwaway database {name} ({e}); the next run drops it") from None
