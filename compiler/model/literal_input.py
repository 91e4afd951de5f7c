"""Whether PostgreSQL 15 can read a constant as a value of a built-in type, and whether it fits.

A string constant in a default, check or index predicate is converted to its column's type when
the table is created, so `default: "'abc'"` on an integer column is refused then. Only the
types whose input is simple to state are judged; for any other type every constant passes.
"""
from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal, InvalidOperation

from .catalog_facts import type_base

_INTEGER_RANGES = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}
_INTEGER = re.compile(r"\s*[+-]?\d+\s*\Z")
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*\Z")
_SPECIAL_NUMBERS = {"nan", "infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"}
_BOOLEAN_WORDS = ("true", "false", "yes", "no", "on", "off", "1", "0")
_UUID_HEX = re.compile(r"[0-9a-fA-F]{32}\Z")
_DATE_TYPES = ("date", "timestamp without time zone", "timestamp with time zone")
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[ T\s])")
# the words PostgreSQL reads as a date or time (`today UTC` too); text without a digit or one of them is no date
_DATE_WORDS = frozenset({"epoch", "infinity", "+infinity", "-infinity", "today", "tomorrow", "yesterday", "now",
                         "allballs"})


def constant_problem(type_name: str, text: str, stored: bool) -> str | None:
    """Why PostgreSQL would refuse the string constant `text` as a `type_name`; None if it reads it
    (or the type is not one judged here). `stored`: the constant is the value a row takes (a
    default), not one compared with (where a longer text is no error)."""
    base = type_base(type_name)
    if base in _INTEGER_RANGES:
        if not _INTEGER.match(text):
            return f"invalid input syntax for type {base}"
        return _out_of_range(base, int(text))
    if base in ("numeric", "real", "double precision"):
        if not _NUMBER.match(text) and text.strip().lower() not in _SPECIAL_NUMBERS:
            return f"invalid input syntax for type {base}"
        return None
    if base == "boolean":
        word = text.strip().lower()
        matches = [w for w in _BOOLEAN_WORDS if w.startswith(word)] if word else []
        # a unique prefix of a word is read; 'o' could be on or off
        if len(matches) != 1 and word not in _BOOLEAN_WORDS:
            return "invalid input syntax for type boolean"
        return None
    if base == "uuid":
        if not _UUID_HEX.match(text.strip().strip("{}").replace("-", "")):
            return "invalid input syntax for type uuid"
        return None
    if base in ("json", "jsonb"):
        try:
            json.loads(text, parse_constant=_refuse)
        except ValueError:
            return f"invalid input syntax for type {base}"
        return None
    if base in _DATE_TYPES:
        return _date_problem(base, text)
    if stored and base in ("character varying", "character") and "(" in type_name:
        length = int(type_name.split("(")[1].split(")")[0])
        if len(text.rstrip(" ")) > length:
            return (f"value too long for type {type_name}: PostgreSQL accepts the table, then fails "
                    f"every row that takes it")
    return None


def _date_problem(base: str, text: str) -> str | None:
    """Only what is surely no date: a year-month-day that is not a day of the calendar
    (2024-02-30), or words without a digit that are none of PostgreSQL's special values. The many
    other spellings PostgreSQL reads (Jan 5 2024, 20240105...) pass."""
    found = _ISO_DATE.match(text)
    if found is not None:
        year, month, day = (int(x) for x in found.groups())
        try:
            datetime.date(year, month, day)
        except ValueError:
            return f"date/time field value out of range: {text.strip()!r} is no day of the calendar"
        return None
    if not any(ch.isdigit() for ch in text) and not _DATE_WORDS & set(text.lower().split()):
        return f"invalid input syntax for type {base}"
    return None


def comparable_constant(type_name: str, text: str) -> object:
    """A constant PostgreSQL reads as a `type_name` (constant_problem found none), in a form equal
    for equal values: `02` and `2` are one integer, `1.0` and `1` one numeric, `t` and `true` one
    boolean, `2024-1-5` and `2024-01-05` one date. Text of any other type is compared as written."""
    base = type_base(type_name)
    if base in _INTEGER_RANGES and _INTEGER.match(text):
        return int(text)
    if base == "numeric" and _NUMBER.match(text):
        try:
            return Decimal(text.strip())
        except InvalidOperation:
            return text
    if base == "boolean":
        word = text.strip().lower()
        return word.startswith(("t", "y")) or word in ("1", "on")
    if base == "date" and (found := re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", text)):
        return tuple(int(x) for x in found.groups())
    return text


def number_problem(type_name: str, text: str) -> str | None:
    """Why a numeric constant (`100000`, `-1`) does not fit an integer column; None if it does."""
    base = type_base(type_name)
    if base not in _INTEGER_RANGES or not _INTEGER.match(text):
        return None  # a fraction is rounded to an integer; other types take any number
    return _out_of_range(base, int(text))


def _out_of_range(base: str, value: int) -> str | None:
    limit = _INTEGER_RANGES[base]
    if -limit <= value < limit:
        return None
    return f"out of range for type {base}"


def _refuse(word: str) -> None:
    raise ValueError(word)  # NaN and Infinity: Python reads them, PostgreSQL's JSON does not
