"""Partition keys and bounds as PostgreSQL prints them (pg_get_partkeydef, pg_get_expr of
relpartbound), read into the model.

pg_get_partkeydef writes `RANGE (a, lower(b) COLLATE "C" text_pattern_ops)`: per part a column,
a function call or a parenthesised expression, then COLLATE when the collation is not the
type's, then the operator class when it is not the type's default. A bound is `DEFAULT`,
`FOR VALUES IN (...)`, `FOR VALUES FROM (...) TO (...)` or `FOR VALUES WITH (modulus m,
remainder r)`, its values constants printed without casts.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ..model.partitions import BoundValue, KeyPart, Partition, PartitionBound, PartitionKey, sorted_values
from ..model.schema import Expression

_TOKEN = re.compile(r"""\s*(?:('(?:[^']|'')*')|("(?:[^"]|"")*")|([(),])|([^\s(),'"]+))""")


def _tokens(text: str) -> list[str]:
    out, at = [], 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None or m.end() == at:
            break
        at = m.end()
        if m.group(0).strip():
            out.append(m.group(0).strip())
    return out


def _split_top(text: str) -> list[str]:
    """`a, f(b, c), 'x,y'` -> ['a', 'f(b, c)', "'x,y'"]: commas outside brackets and quotes."""
    parts, depth, start, quote = [], 0, 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""  # a doubled quote closes and opens again: the same to this count
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _name(text: str) -> str:
    """A possibly quoted, possibly qualified name as the model keeps it: `"C"` -> C, `s."my ops"` -> s.my ops."""
    return ".".join(p[1:-1].replace('""', '"') if p.startswith('"') else p
                    for p in re.findall(r'"(?:[^"]|"")*"|[^.]+', text))


def _element_end(text: str) -> int:
    """Where the column, function call or parenthesised expression at the start of `text` ends."""
    depth, quote, seen_paren = 0, "", False
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
            seen_paren = True
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == " " and depth == 0 and not seen_paren:
            return i
    return len(text)


def parse_key(text: str, expression: Callable[[str], Expression | None]) -> PartitionKey | None:
    """The key pg_get_partkeydef printed; None when one of its expressions cannot be read."""
    method, _, rest = text.partition(" ")
    inner = rest.strip()[1:-1]
    parts: list[KeyPart] = []
    for item in _split_top(inner):
        end = _element_end(item)
        head, tail = item[:end], item[end:].strip()
        collation = opclass = None
        if tail.upper().startswith("COLLATE "):
            words = re.match(r'COLLATE\s+((?:"(?:[^"]|"")*"|[^\s".]+)(?:\.(?:"(?:[^"]|"")*"|[^\s".]+))?)\s*(.*)',
                             tail, re.IGNORECASE)
            assert words is not None
            collation, tail = _name(words[1]), words[2]
        if tail:
            opclass = _name(tail)
        if head.startswith("\"") or "(" not in head:
            parts.append(KeyPart(column=_name(head), collation=collation, opclass=opclass))
            continue
        source = head[1:-1] if head.startswith("(") else head
        found = expression(source)
        if found is None:
            return None
        parts.append(KeyPart(expression=found, collation=collation, opclass=opclass))
    return PartitionKey(method.lower(), tuple(parts))


def _value(token: str) -> BoundValue:
    if token.startswith("'"):
        return token[1:-1].replace("''", "'")
    if token.upper() == "NULL":
        return None
    return token.upper() if token.upper() in ("MINVALUE", "MAXVALUE") else token


def _values(tokens: list[str]) -> tuple[BoundValue, ...]:
    return tuple(_value(t) for t in tokens if t not in "(),")


def parse_bound(text: str) -> PartitionBound:
    """The bound pg_get_expr printed for pg_class.relpartbound."""
    if text.strip().upper() == "DEFAULT":
        return PartitionBound(default=True)
    tokens = _tokens(text)
    words = [t.upper() for t in tokens]
    if words[2] == "IN":
        return PartitionBound(values=sorted_values(_values(tokens[3:])))
    if words[2] == "WITH":
        numbers = [int(t) for t in tokens if t.isdigit()]
        return PartitionBound(modulus=numbers[0], remainder=numbers[1])
    to = words.index("TO")
    lower = _values(tokens[3:to])
    upper = _values(tokens[to + 1:])
    return PartitionBound(lower=tuple(v or "" for v in lower), upper=tuple(v or "" for v in upper))


def read_partitioning(key_rows: list[tuple[int, str]], partition_rows: list[tuple[int, int, str, str, str, str | None,
                                                                                  str | None]],
                      expr: Callable[[str, str], Expression | None]
                      ) -> tuple[dict[int, PartitionKey], dict[int, tuple[Partition, ...]]]:
    """Keys of the partitioned tables by oid, and the partitions right below each table, their own
    partitions within them (queries/partition_keys.sql, queries/partitions.sql: parents first).
    A key whose expression cannot be read is left out (the table reads as a plain one)."""
    def key_of(text: str) -> PartitionKey | None:
        return parse_key(text, lambda e: expr(e, f"partition key {text}"))

    keys = {oid: key for oid, text in key_rows if (key := key_of(text)) is not None}
    rows = {row[1]: row for row in partition_rows}
    children: dict[int, list[int]] = {}
    for row in partition_rows:
        children.setdefault(row[0], []).append(row[1])
    sub_keys = {row[1]: key_of(row[6]) for row in partition_rows if row[6] is not None}

    def build(oid: int) -> Partition:
        _, _, schema, name, bound, comment, _ = rows[oid]
        return Partition(schema, name, parse_bound(bound), comment, sub_keys.get(oid),
                         tuple(build(c) for c in children.get(oid, ())))

    return keys, {oid: tuple(build(c) for c in children.get(oid, ())) for oid in keys}
