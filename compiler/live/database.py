"""Connecting to PostgreSQL: where the URL comes from, errors that never show a password."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ..errors import DatabaseError
from ..sql.migration_file import PINNED_SETTINGS

URL_VARIABLES = ("DATABASE_URL", "NEON_DATABASE_URL")
# How a catalog is read: in the settings migrations run under (PINNED_SETTINGS), whatever the
# database's or role's own, so that a date, timestamptz or interval in a default, check, partition
# bound or view is printed as the migration that writes it back will read it. Floats are printed
# exactly and bytea in hex: the same value always has the same spelling. Names of public are
# printed unqualified, as the definitions write them, whatever search_path the database sets.
READING_SETTINGS = (*PINNED_SETTINGS, ("extra_float_digits", "1"), ("bytea_output", "hex"),
                    ("search_path", "public"))


def resolve_url(given: str | None) -> str:
    """--database-url, else DATABASE_URL, else NEON_DATABASE_URL."""
    for url in (given, *(os.environ.get(v) for v in URL_VARIABLES)):
        if url:
            return url
    raise DatabaseError("no database: pass --database-url or set DATABASE_URL")


_SCHEMES = ("postgresql://", "postgres://")
# What RFC 3986 allows unencoded in a URL's user name and password; anything else ('@', '#',
# '/', '?', space, ...) makes libpq split the URL elsewhere and print pieces of the password.
_USERINFO = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*\Z")
_ENCODINGS = {"%": "%25", "@": "%40", "#": "%23", "/": "%2F", "?": "%3F", " ": "%20", ":": "%3A"}


@dataclass(frozen=True, slots=True)
class UrlParts:
    """A postgresql:// URL split by hand, so that even a malformed one can be shown without its password."""

    scheme: str
    user: str | None
    password: str | None
    hosts: str  # host[:port], possibly several separated by commas
    tail: str  # /dbname?params

    def redacted(self) -> str:
        credentials = "" if self.user is None else self.user + (":***" if self.password is not None else "") + "@"
        return self.scheme + credentials + self.hosts + re.sub(r"(password=)[^&]*", r"\1***", self.tail)


def split_url(url: str) -> UrlParts | None:
    """The parts of a postgresql:// URL, or None for a key=value connection string."""
    scheme = next((s for s in _SCHEMES if url.startswith(s)), None)
    if scheme is None:
        return None
    rest = url[len(scheme):]
    # The credentials end at the last '@': an unencoded '@' belongs to the password, not the host.
    at = rest.rfind("@")
    userinfo = rest[:at] if at != -1 else None
    if userinfo is not None:
        colon, path = userinfo.find(":"), re.search(r"[/?]", userinfo)
        if path is not None and (colon == -1 or path.start() < colon):
            userinfo, at = None, -1  # the '@' is in the database name or a parameter
    after = rest[at + 1:]
    cut = re.search(r"[/?]", after)
    hosts, tail = (after[:cut.start()], after[cut.start():]) if cut else (after, "")
    user, password = None, None
    if userinfo is not None:
        user, _, password = userinfo.partition(":")
        password = password if ":" in userinfo else None
    return UrlParts(scheme, user, password, hosts, tail)


def _port_problem(hosts: str) -> str | None:
    for host in hosts.split(","):
        _, colon, port = host.rpartition(":") if not host.endswith("]") else ("", "", "")
        if colon and port and not (port.isdigit() and 1 <= int(port) <= 65535):
            return f"the port '{port}' is not a number from 1 to 65535"
    return None


def check_url(url: str) -> None:
    """DatabaseError (with the password taken out) for a URL that libpq would misread."""
    parts = split_url(url)
    if parts is None:
        return
    for what, text in (("user name", parts.user), ("password", parts.password)):
        if text is not None and not _USERINFO.match(text):
            bad = sorted({c for c in text if c != "%" and not _USERINFO.match(c)}
                         | ({"%"} if re.search(r"%(?![0-9A-Fa-f]{2})", text) else set()))
            shown = ", ".join(f"'{c}' as {_ENCODINGS.get(c, '%' + format(ord(c), '02X'))}" for c in bad
                              if c.isprintable())
            raise DatabaseError(f"the database URL {parts.redacted()} is malformed: its {what} holds characters "
                                f"that must be percent-encoded ({shown or 'control characters'})")
    problem = _port_problem(parts.hosts)
    if problem:
        raise DatabaseError(f"the database URL {parts.redacted()} is malformed: {problem}")


def _secrets(url: str) -> list[str]:
    """Every spelling of the URL's password that a message might contain."""
    found: list[str] = []
    parts = split_url(url)
    if parts is not None and parts.password:
        found += [parts.password, unquote(parts.password)]
    found += re.findall(r"password=([^&\s]+)", url)
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.Error:
        password = None
    if password:
        found.append(str(password))
    return sorted({s for s in found if s}, key=len, reverse=True)


def redact(text: str, url: str) -> str:
    """`text` with the URL's password (and any user:password@ form) taken out."""
    for secret in _secrets(url):
        text = text.replace(secret, "***")
    return re.sub(r"(://[^:/@\s]+):[^@\s]+@", r"\1:***@", text)


def describe(error: psycopg.Error, url: str) -> str:
    """PostgreSQL's message with its DETAIL and HINT lines, without secrets."""
    diag = getattr(error, "diag", None)
    primary = diag.message_primary if diag is not None and diag.message_primary else str(error).strip()
    lines = [primary.splitlines()[0] if primary else type(error).__name__]
    if diag is not None and diag.message_detail:
        lines.append(f"DETAIL: {diag.message_detail}")
    if diag is not None and diag.message_hint:
        lines.append(f"HINT: {diag.message_hint}")
    return redact("\n".join(lines), url)


@contextmanager
def connect(url: str, autocommit: bool = True) -> Iterator[psycopg.Connection]:
    """A connection; every failure, connecting or inside the block, becomes DatabaseError, redacted.

    The client encoding is always UTF8: migration files are UTF-8 and Python strings are Unicode,
    so PostgreSQL converts to the database's encoding and refuses a character it cannot hold,
    whatever the server's (or the URL's) client_encoding would have been."""
    check_url(url)
    try:
        conn = psycopg.connect(url, autocommit=autocommit, connect_timeout=10, client_encoding="UTF8")
    except psycopg.Error as e:
        raise DatabaseError(f"cannot connect: {describe(e, url)}") from None
    try:
        yield conn
    except psycopg.Error as e:
        raise DatabaseError(describe(e, url)) from None
    finally:
        conn.close()


def read_as_migrations_write(conn: psycopg.Connection) -> None:
    """Pin READING_SETTINGS for the rest of the transaction `conn` is in."""
    conn.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(READING_SETTINGS)),
                 [x for setting in READING_SETTINGS for x in setting])


def scratch_database(url: str) -> AbstractContextManager[str]:
    """A throwaway database for work against the live database at `url` (see throwaway.py)."""
    from .throwaway import dev_server, throwaway_database

    return throwaway_database(dev_server(None, url))


def one_row(cursor: psycopg.Cursor[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The row of a statement that always returns exactly one (a SELECT of expressions, an INSERT
    of one row with RETURNING)."""
    row = cursor.fetchone()
    if row is None:
        raise DatabaseError("the server returned no row where a statement always returns one")
    return row
