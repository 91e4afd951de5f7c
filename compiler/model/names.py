"""PostgreSQL identifiers: quoting as quote_ident() does, and the default names it chooses."""
from __future__ import annotations

import re

# pg_get_keywords() where catcode <> 'U' (PostgreSQL 15): words quote_ident() quotes.
QUOTED_KEYWORDS = frozenset("""
all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean
both case cast char character check coalesce collate collation column concurrently constraint
create cross current_catalog current_date current_role current_schema current_time
current_timestamp current_user dec decimal default deferrable desc distinct do else end except
exists extract false fetch float for foreign freeze from full grant greatest group grouping having
ilike in initially inner inout int integer intersect interval into is isnull join lateral leading
least left like limit localtime localtimestamp national natural nchar none normalize not notnull
null nullif numeric offset on only or order out outer overlaps overlay placing position precision
primary real references returning right row select session_user setof similar smallint some
substring symmetric table tablesample then time timestamp to trailing treat trim true union unique
user using values varchar variadic verbose when where window with xmlattributes xmlconcat
xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable
""".split())

MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*\Z")  # quote_ident() quotes "$" too


def quote_ident(name: str) -> str:
    """Quote `name` exactly when PostgreSQL's quote_ident() would."""
    if _PLAIN.match(name) and name not in QUOTED_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    """`schema.name`, each part quoted as needed."""
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def quote_literal(text: str) -> str:
    """A standard-conforming SQL string literal (quotes doubled, no backslash escapes)."""
    return "'" + text.replace("'", "''") + "'"


def identifier_problem(name: str) -> str | None:
    """Why `name` cannot be a PostgreSQL identifier, or None when it can."""
    if name == "":
        return "a name must not be empty"
    if not name.isprintable():
        return "a name must not contain line breaks, tabs or other control characters"
    size = len(name.encode())
    if size > MAX_IDENTIFIER_BYTES:
        return (f"name '{name}' is {size} bytes long; PostgreSQL keeps at most "
                f"{MAX_IDENTIFIER_BYTES} and would silently truncate it")
    return None


def _clip(text: str, nbytes: int) -> str:
    """The longest prefix of `text` that fits in `nbytes` bytes without splitting a character."""
    data = text.encode()[:nbytes]
    return data.decode(errors="ignore")


def default_name(table: str, columns: list[str] | tuple[str, ...], label: str) -> str:
    """The name PostgreSQL gives an unnamed constraint or index (makeObjectName).

    `columns` are joined with '_' (ChooseIndexNameAddition); the table and column parts are
    shortened, longer one first, until the name fits in 63 bytes.
    """
    name2 = "_".join(columns)
    overhead = len(label.encode()) + 1 + (1 if name2 else 0)
    avail = MAX_IDENTIFIER_BYTES - overhead
    n1, n2 = len(table.encode()), len(name2.encode())
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [_clip(table, n1)] + ([_clip(name2, n2)] if name2 else []) + [label]
    return "_".join(parts)
