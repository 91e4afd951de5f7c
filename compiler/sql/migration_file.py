"""A compiled migration file read back as the transactions it holds.

schemac marks each transaction and statement it writes with a `-- schemac:` line (the header says
so), and apply splits the file there: SQL text is never parsed back. Files compiled before the
marks existed, and files whose statements happen to contain `-- schemac:` (a comment's text can),
carry no marks; they are split by a reader that follows PostgreSQL's lexical rules as psql does.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import DatabaseError

MARK = "-- schemac:"  # what every mark starts with; no statement of a marked file holds it
MARKED = "-- schemac:marked"  # in the header: the file carries the marks below
TRANSACTION = "-- schemac:transaction"  # the line before each BEGIN;
OUTSIDE_TRANSACTION = "-- schemac:outside-transaction"  # starts statements run one by one, outside BEGIN/COMMIT
# the line before the BEGIN; of a transaction that runs after the migration's row is written
FOLLOW_UP = "-- schemac:follow-up-transaction"
STATEMENT = "-- schemac:statement"  # starts the comment line before each statement
DONE_WHEN = "-- schemac:done-when "  # after a statement's mark: the catalog fact that says it is done
DONE_FACTS = {"index_valid": 2, "index_absent": 2, "constraint_valid": 3, "not_null": 3,
              "domain_constraint_valid": 3}  # fact -> names


# What each transaction of a migration pins with SET LOCAL (statements outside one: SET, then
# RESET) besides its search_path (migration_search_path), so that what it stores does not hang on
# the settings of the database or the role that runs it: a timestamptz constant is read in UTC, a
# date like 01/02/2024 month first, and an interval like '-1 2:00' as PostgreSQL's own style reads
# it (-1 day +2 hours; sql_standard reads -(1 day 2 hours)). Files compiled before keep their bytes.
PINNED_SETTINGS = (("TimeZone", "UTC"), ("DateStyle", "ISO, MDY"), ("IntervalStyle", "postgres"))


def migration_search_path(extension_schemas: Iterable[str]) -> tuple[str, ...]:
    """Where a migration's unqualified names are looked for, whatever the database's or the role's
    search_path: public (after pg_catalog), as in a fresh database, then the schemas of the declared
    extensions, whose functions a default like `uuid_generate_v4()` and operators a check like
    `email <> 'x'::extensions.citext` find there. A view sets its own around itself."""
    return ("public", *sorted(set(extension_schemas) - {"public"}))


@dataclass(frozen=True, slots=True)
class DoneWhen:
    """When a statement run after the migration's row is done, read from the catalog:
    `index_valid` / `index_absent` (schema, index), `constraint_valid` (schema, table, constraint),
    `not_null` (schema, table, column), `domain_constraint_valid` (schema, domain, constraint)."""

    fact: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    sql: str
    transactional: bool  # False: statements outside BEGIN/COMMIT, which must run on their own
    statements: tuple[str, ...] = ()  # the statements of `sql`, each with the comments before it
    follow_up: bool = False  # a transaction that runs after the migration's row is written
    done_when: tuple[DoneWhen | None, ...] = ()  # per statement, from its done-when mark


# -- files with marks

def is_marked(text: str) -> bool:
    """Does the header (the comment lines before the first empty line) say the file is marked?"""
    for line in text.splitlines():
        if not line.strip():
            return False
        if line.startswith(MARKED):
            return True
    return False


def _statements_after_marks(body: list[str]) -> tuple[str, ...]:
    marks = [i for i, line in enumerate(body) if line.startswith(STATEMENT)]
    return tuple("".join(body[a:b]).strip() for a, b in zip(marks, [*marks[1:], len(body)], strict=False))


def _done_when(statement: str) -> DoneWhen | None:
    """The done-when mark among a statement's leading comment lines, if it has one."""
    for line in statement.splitlines():
        if not line.startswith("--"):
            return None
        if line.startswith(DONE_WHEN):
            try:
                fact = json.loads(line[len(DONE_WHEN):])
                (kind, names), = fact.items()
            except (ValueError, AttributeError):
                raise DatabaseError(f"migration file: unreadable mark: {line}") from None
            if DONE_FACTS.get(kind) != len(names) or not all(isinstance(n, str) for n in names):
                raise DatabaseError(f"migration file: unreadable mark: {line}")
            return DoneWhen(kind, tuple(names))
    return None


def _marked_segments(text: str) -> list[Segment]:
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines)
              if line.rstrip("\r\n") in (TRANSACTION, OUTSIDE_TRANSACTION, FOLLOW_UP)]
    if not starts or _is_code("".join(lines[:starts[0]])):
        raise DatabaseError("migration file says it is marked, but SQL stands outside its marked transactions")
    out = []
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        block = lines[start + 1:end]
        if lines[start].rstrip("\r\n") == OUTSIDE_TRANSACTION:
            statements = _statements_after_marks(block)
            out.append(Segment("\n\n".join(statements) + "\n", False, statements,
                               done_when=tuple(map(_done_when, statements))))
            continue
        begin = next((i for i, line in enumerate(block) if line.strip() == "BEGIN;"), None)
        commit = max((i for i, line in enumerate(block) if line.strip()), default=None)
        if begin is None or commit is None or block[commit].strip() != "COMMIT;" or _is_code("".join(block[:begin])):
            raise DatabaseError(f"migration file: the transaction marked at line {start + 1} "
                                f"is not one BEGIN; ... COMMIT;")
        body = block[begin + 1:commit]
        statements = _statements_after_marks(body)
        out.append(Segment("".join(body).strip() + "\n", True, statements,
                           lines[start].rstrip("\r\n") == FOLLOW_UP, tuple(map(_done_when, statements))))
    return out


# -- files without marks: split as PostgreSQL's lexer (and psql's) would

_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$\u0080-\U0010ffff]")
_DOLLAR = re.compile(r"\$(?:[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)?\$")


def _end_of_escape_string(text: str, i: int) -> int:
    """Index after E'...' whose body starts at i: backslash escapes and doubled quotes."""
    n = len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
        elif text[i] == "'":
            if not text.startswith("''", i):
                return i + 1
            i += 2
        else:
            i += 1
    return n


def _end_of_block_comment(text: str, i: int) -> int:
    """Index after the /* comment starting at i; PostgreSQL nests them."""
    depth, i, n = 1, i + 2, len(text)
    while i < n and depth:
        if text.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*/", i):
            depth, i = depth - 1, i + 2
        else:
            i += 1
    return i


def _statements(text: str) -> list[str]:
    """Split SQL at top-level semicolons, aware of quotes, dollar quotes and comments."""
    out, start, i, n = [], 0, 0, len(text)
    while i < n:
        ch = text[i]
        after_ident = i > 0 and _IDENT_CHAR.match(text[i - 1]) is not None
        if ch == "'" and i > 0 and text[i - 1] in "eE" and not (i > 1 and _IDENT_CHAR.match(text[i - 2])):
            i = _end_of_escape_string(text, i + 1)
        elif ch in "'\"":
            i = text.find(ch, i + 1)
            while i != -1 and text.startswith(ch * 2, i):  # doubled quote inside
                i = text.find(ch, i + 2)
            i = n if i == -1 else i + 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j == -1 else j + 1
        elif text.startswith("/*", i):
            i = _end_of_block_comment(text, i)
        elif ch == "$" and not after_ident and (m := _DOLLAR.match(text, i)):
            # `a$b$` is an identifier, `$1` a parameter: only a `$tag$` standing alone opens a body
            j = text.find(m.group(0), m.end())
            i = n if j == -1 else j + len(m.group(0))
        elif ch == ";":
            out.append(text[start:i + 1])
            start = i = i + 1
        else:
            i += 1
    out.append(text[start:])
    return out


def split_statements(text: str) -> list[str]:
    """`text` cut after each top-level `;` (quotes, dollar quotes and comments respected), each piece
    with the comment lines before its statement; the pieces joined are `text` again."""
    return _statements(text)


def _is_code(sql: str) -> bool:
    return any(s.strip() for s in _code_only(sql))


def _code_only(sql: str) -> list[str]:
    """The text of `sql` outside comments, in pieces."""
    out, i, n, start = [], 0, len(sql), 0
    while i < n:
        if sql.startswith("--", i) or sql.startswith("/*", i):
            out.append(sql[start:i])
            j = sql.find("\n", i) if sql.startswith("--", i) else _end_of_block_comment(sql, i)
            i = start = n if j == -1 else j
        elif sql[i] in "'\"$":
            break  # a string starts: code for sure
        else:
            i += 1
    out.append(sql[start:])
    return out


def _word(sql: str) -> str:
    """A statement without comments and space, upper-cased: to spot BEGIN; and COMMIT;."""
    return " ".join("".join(_code_only(sql)).split()).upper()


def _parsed_segments(text: str) -> list[Segment]:
    out: list[Segment] = []
    current: list[str] = []
    inside = False

    def flush(transactional: bool) -> None:
        body = "".join(current).strip()
        if _is_code(body):
            statements = tuple(s.strip() for s in current if _is_code(s))
            out.append(Segment(body + "\n", transactional, statements))
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


def segments(text: str) -> list[Segment]:
    """The BEGIN; ... COMMIT; blocks of a migration file, and any SQL standing outside them."""
    return _marked_segments(text) if is_marked(text) else _parsed_segments(text)
