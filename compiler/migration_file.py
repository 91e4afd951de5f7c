"""A compiled migration file read back as the transactions it holds, and run."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from .database import DatabaseError, describe


class PartlyApplied(DatabaseError):
    """A later transaction of a file failed after earlier ones had committed."""

    def __init__(self, message: str, committed: int) -> None:
        super().__init__(message)
        self.committed = committed


@dataclass(frozen=True, slots=True)
class Segment:
    sql: str
    transactional: bool  # False: statements outside BEGIN/COMMIT, which must run on their own


_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def _statements(text: str) -> list[str]:
    """Split SQL at top-level semicolons, aware of quotes, dollar quotes and comments."""
    out, start, i, n = [], 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "'" and i > 0 and text[i - 1] in "eE" and (i < 2 or not (text[i - 2].isalnum() or text[i - 2] == "_")):
            i += 1  # E'...': backslash escapes
            while i < n and text[i] != "'":
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif ch in "'\"":
            i = text.find(ch, i + 1)
            while i != -1 and text.startswith(ch * 2, i):  # doubled quote inside
                i = text.find(ch, i + 2)
            i = n if i == -1 else i + 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j == -1 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j == -1 else j + 2
        elif ch == "$" and (m := _DOLLAR.match(text, i)):
            j = text.find(m.group(0), m.end())
            i = n if j == -1 else j + len(m.group(0))
        elif ch == ";":
            out.append(text[start:i + 1])
            start = i = i + 1
        else:
            i += 1
    out.append(text[start:])
    return out


def _is_code(sql: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


def _word(sql: str) -> str:
    """A statement without comments and space, upper-cased: to spot BEGIN; and COMMIT;."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return " ".join("".join(lines).split()).upper()


def segments(text: str) -> list[Segment]:
    """The BEGIN; ... COMMIT; blocks of a migration file, and any SQL standing outside them."""
    out: list[Segment] = []
    current: list[str] = []
    inside = False

    def flush(transactional: bool) -> None:
        body = "".join(current).strip()
        if _is_code(body):
            out.append(Segment(body + "\n", transactional))
        current.clear()

    for stmt in _statements(text):
        word = _word(stmt)
        if word in ("BEGIN;", "BEGIN TRANSACTION;", "START TRANSACTION;") and not inside:
            flush(False)
            inside = True
        elif word in ("COMMIT;", "END;", "COMMIT TRANSACTION;") and inside:
            flush(True)
            inside = False
        else:
            current.append(stmt)
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
    done = 0
    try:
        for i, part in enumerate(parts):
            if part.transactional:
                with conn.transaction():
                    conn.execute(part.sql.encode())
                    if i == last and finish is not None:
                        finish(conn)
            else:
                conn.execute(part.sql.encode())  # autocommit: statements that refuse a transaction
            done += 1
        if last is None and finish is not None:
            with conn.transaction():
                finish(conn)
    except psycopg.Error as e:
        if done:
            raise PartlyApplied(describe(e, url), done) from None
        raise DatabaseError(describe(e, url)) from None
