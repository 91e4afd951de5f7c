"""What two seed literals are compared by: the value PostgreSQL reads, not the text it is written in.

Seed keys are matched at compile time (duplicate keys, a `ref`'s natural key, a literal foreign-key
value pointing at a seeded row) while PostgreSQL matches the values it reads: 0B6C...E01 and
0b6c...e01 are one uuid, `2024-01-01 02:00:00+02` and `2024-01-01 00:00:00Z` one instant, `1.0` and
`1` one number. The value is read back from the literal seed_literal wrote (`'...'::type`); a type
not read here, or a value its reader does not take (infinity, BC), is compared by its text.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from .seeds import SeedValue

_MODIFIERS = re.compile(r"\([^)]*\)")  # numeric(5,2), timestamp(3) with time zone: the type's family
_NUMBERS = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision"})
_MOMENTS = frozenset({"timestamp with time zone", "timestamp without time zone"})


def compared(value: SeedValue | object) -> object:
    """`value` as seed keys are compared: (family, canonical value) for a literal, else itself (a ref)."""
    if not isinstance(value, str) or value == "NULL":
        return value
    quoted, _, type_name = value.rpartition("::")
    if not quoted:
        return ("text", value)
    text = _unquoted(quoted)
    family = _MODIFIERS.sub("", type_name).strip()
    try:
        if family in _NUMBERS:
            number = Decimal(text.strip())
            if number.is_finite():
                return ("number", number)
        elif family == "uuid":
            return ("uuid", text.strip().strip("{}").replace("-", "").lower())
        elif family in _MOMENTS:
            moment = dt.datetime.fromisoformat(text.strip())
            if family == "timestamp with time zone" and moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)  # seeds.sql loads at TimeZone UTC
            return (family, moment.astimezone(dt.UTC) if moment.tzinfo else moment)
        elif family == "date":
            return ("date", dt.date.fromisoformat(text.strip()))
    except (InvalidOperation, ValueError):
        pass
    return ("text", quoted)


def _unquoted(quoted: str) -> str:
    """`E'a\\\\b''c'` -> `a\\b'c`: the text inside a literal quote_seed_literal wrote."""
    escaped = quoted.startswith("E")
    inner = quoted[2:-1] if escaped else quoted[1:-1]
    inner = inner.replace("''", "'")
    return inner.replace("\\\\", "\\") if escaped else inner
