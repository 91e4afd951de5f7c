"""Connecting to PostgreSQL: where the URL comes from, errors that never show a password."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict

URL_VARIABLES = ("DATABASE_URL", "NEON_DATABASE_URL")


class DatabaseError(Exception):
    """A connection or SQL failure, its message already free of secrets."""


def resolve_url(given: str | None) -> str:
    """--database-url, else DATABASE_URL, else NEON_DATABASE_URL."""
    for url in (given, *(os.environ.get(v) for v in URL_VARIABLES)):
        if url:
            return url
    raise DatabaseError("no database: pass --database-url or set DATABASE_URL")


def redact(text: str, url: str) -> str:
    """`text` with the URL's password (and any user:password@ form) taken out."""
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.Error:
        password = None
    if password:
        text = text.replace(str(password), "***")
    return re.sub(r"(://[^:/@\s]+):[^@\s]+@", r"\1:***@", text)


def describe(error: psycopg.Error, url: str) -> str:
    """One line (plus PostgreSQL's detail) for a psycopg error, without secrets."""
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
    """A connection; failures become DatabaseError with a redacted message."""
    try:
        conn = psycopg.connect(url, autocommit=autocommit, connect_timeout=10)
    except psycopg.Error as e:
        raise DatabaseError(f"cannot connect: {describe(e, url)}") from None
    try:
        yield conn
    finally:
        conn.close()


def scratch_database(url: str) -> AbstractContextManager[str]:
    """A throwaway database for work against the live database at `url` (see throwaway.py)."""
    from .throwaway import dev_server, throwaway_database

    return throwaway_database(dev_server(None, url))
