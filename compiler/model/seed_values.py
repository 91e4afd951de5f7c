"""A seed value from YAML -> the SQL literal PostgreSQL reads as a value of its column's type.

Every value becomes a quoted string constant cast to the column's type (or NULL), so no text of a
seed file ever reaches SQL except inside a literal quoted by PostgreSQL's rules. Values are
judged here, at compile time, so a bad seed is a definition error rather than a failed load.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import struct
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

from sqlglot import exp

from .catalog_facts import type_base
from .expressions import parse_expression
from .literal_input import constant_problem
from .qualify import sql_type
from .schema import Column, Schema, Table
from .seed_input import text_problem
from .yaml_values import YamlDate, YamlOctal

_INTEGERS = ("smallint", "integer", "bigint")
_TIMES = ("date", "timestamp without time zone", "timestamp with time zone")
_INFINITIES = frozenset({"infinity", "+infinity", "-infinity"})
_ERA = re.compile(r"\s+(BC|AD)\Z", re.IGNORECASE)  # PostgreSQL's era after a date: 0044-03-15 BC
# YAML's spellings of the special floats, kept as text by the loader
_YAML_SPECIALS = {".nan": "NaN", ".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity"}
_NUMBER_TEXT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*\Z")
_SPECIAL_NUMBERS = {"nan": "NaN", "infinity": "Infinity", "+infinity": "Infinity", "-infinity": "-Infinity",
                    "inf": "Infinity", "+inf": "Infinity", "-inf": "-Infinity"}


# what a default made only of constants is built of: literals, casts to a type, signs, brackets, arrays
_CONSTANT_NODES = (exp.Literal, exp.Boolean, exp.Null, exp.Cast, exp.DataType, exp.DataTypeParam, exp.Identifier,
                   exp.Dot, exp.Neg, exp.Paren, exp.Array)


def reset_on_reload(table: Table, schema: Schema) -> frozenset[str]:
    """The columns a seed row that leaves them out sets back to their default when it is loaded again.

    A seed row describes the whole row: a column it leaves out has its default (NULL without one), on
    the first load and on every later one, so dropping a value from a seed file takes it out of the
    database too. Kept as they are: what identifies the row or is PostgreSQL's to compute (primary-key,
    identity, serial and generated columns, columns another table's foreign key points at), and a
    column whose default is computed when the row is written (now(), gen_random_uuid(), nextval()...):
    setting it again would change it on each load, and loading the seeds twice must change nothing.
    """
    referenced = {c for t in schema.tables.values() for fk in t.foreign_keys
                  if (fk.ref_schema, fk.ref_table) == (table.schema, table.name) for c in fk.ref_columns}
    key = set(table.primary_key.columns) if table.primary_key else set()
    return frozenset(c.name for c in table.columns if c.name not in key and c.name not in referenced
                     and _settable_to_default(c))


def _settable_to_default(c: Column) -> bool:
    if c.generated is not None or c.identity is not None or c.serial:
        return False
    return c.default is None or all(isinstance(node, _CONSTANT_NODES)
                                    for node in parse_expression(c.default.text).walk())


class SeedValueError(ValueError):
    """Why a value does not fit its column's type (the message a definition error carries)."""


def quote_seed_literal(text: str) -> str:
    """A string literal as PostgreSQL's quote_literal() writes it: quotes doubled, and an E'' string
    with backslashes doubled when the text holds one (read the same whatever
    standard_conforming_strings says)."""
    if "\x00" in text:
        raise SeedValueError("text cannot hold the NUL character (PostgreSQL refuses it)")
    quoted = "'" + text.replace("'", "''") + "'"
    if "\\" in text:
        return "E" + quoted.replace("\\", "\\\\")
    return quoted


def seed_literal(type_name: str, value: object, enum_labels: tuple[str, ...] | None = None,
                 extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
    """`value` as SQL for a column of `type_name` (format_type()'s spelling); `enum_labels` when the
    type is an enum. Raises SeedValueError when PostgreSQL would refuse the value.

    The cast names a user's type with its schema, as migrations do (`public.mood`): seeds.sql
    then loads the same on a database whose search_path does not lead to the type."""
    if value is None:
        return "NULL"
    return f"{quote_seed_literal(seed_text(type_name, value, enum_labels))}::{sql_type(type_name, extension_types)}"


def seed_text(type_name: str, value: object, enum_labels: tuple[str, ...] | None = None) -> str:
    """The text PostgreSQL's input function reads as `value` of `type_name` (see seed_literal)."""
    if type_name.endswith("[]"):
        return _array_text(type_name[:-2], value, enum_labels)
    base = type_base(type_name)
    if enum_labels is not None:
        if not isinstance(value, str) or value not in enum_labels:
            raise SeedValueError(f"{_show(value)} is not a label of enum {type_name} "
                                 f"(labels: {', '.join(enum_labels)})")
        return value
    if isinstance(value, YamlDate) and base not in _TIMES:
        raise SeedValueError(f"{value} is a date to YAML, not text; quote it for a {type_name} column")
    if base in ("json", "jsonb"):
        if isinstance(value, str):  # a string is JSON text; a mapping or list is the document itself
            problem = constant_problem(base, value, True)
            if problem:
                raise SeedValueError(f"{problem}: a string for a {base} column is JSON text")
            return value
        if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
            raise SeedValueError(f"JSON has no {value}")
        _no_octal(value)
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    if base in _INTEGERS:
        return _integer_text(base, value)
    if base in ("numeric", "real", "double precision"):
        return _number_text(type_name, base, value)
    if base == "boolean":
        if not isinstance(value, bool):
            raise SeedValueError(f"{_show(value)} is not true or false")
        return "true" if value else "false"
    if base in _TIMES:
        return _time_text(base, value)
    if base == "money" and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        _leading_zero(value)
        value = str(value)  # 12.50 as written: every lc_monetary reads a plain decimal
    if not isinstance(value, str):
        raise SeedValueError(f"{_show(value)} is not text; quote it for a {type_name} column")
    problem = constant_problem(type_name, value, True)
    if problem:
        raise SeedValueError(problem.split(":")[0])
    problem = text_problem(base, value)
    if problem:
        raise SeedValueError(f"{_show(value)} {problem}")
    return value


def _leading_zero(value: object) -> None:
    if isinstance(value, YamlOctal):
        raise SeedValueError(f"{value.written} has a leading zero, so YAML reads it as octal ({int(value)}); write "
                             f"{int(value)} if that is meant, {int(value.written.replace('_', ''), 10)} without the "
                             f"zero, or quote it as text")


def _no_octal(document: object) -> None:
    """A JSON document written in YAML holds no integer with a leading zero (see YamlOctal)."""
    if isinstance(document, dict):
        for item in document.values():
            _no_octal(item)
    elif isinstance(document, list):
        for item in document:
            _no_octal(item)
    else:
        _leading_zero(document)


def _integer_text(base: str, value: object) -> str:
    _leading_zero(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeedValueError(f"{_show(value)} is not a whole number ({base})")
    problem = constant_problem(base, str(value), True)
    if problem:
        raise SeedValueError(f"{value} is {problem}")
    return str(value)


def _number_text(type_name: str, base: str, value: object) -> str:
    """A number as written (12.50, 1e2, NaN), checked as PostgreSQL's input function checks it."""
    if isinstance(value, str):
        text = value.strip()
        text = _YAML_SPECIALS.get(text.lower(), text)
        if not _NUMBER_TEXT.match(text) and text.lower() not in _SPECIAL_NUMBERS:
            raise SeedValueError(f"{_show(value)} is not a number ({type_name})")
    elif isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise SeedValueError(f"{_show(value)} is not a number ({type_name})")
    else:
        _leading_zero(value)
        text = repr(value) if isinstance(value, float) else str(value)
    special = _SPECIAL_NUMBERS.get(text.lower())
    if special is not None:
        if special != "NaN" and base == "numeric" and "(" in type_name:
            raise SeedValueError(f"{type_name} cannot hold an infinite value (only numeric without a "
                                 f"precision can)")
        return special
    number = Decimal(text)
    if base == "numeric" and "(" in type_name:
        _fits_precision(type_name, number, text)
    elif base != "numeric":
        _fits_float(base, number, text)
    return text


def _fits_precision(type_name: str, number: Decimal, written: str) -> None:
    precision_text, _, scale_text = type_name.partition("(")[2].rstrip(")").partition(",")
    precision, scale = int(precision_text), int(scale_text or 0)
    whole = precision - scale
    try:  # PostgreSQL rounds to the scale first (half away from zero), then counts the digits left
        rounded = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise SeedValueError(f"{written} does not fit {type_name}: at most {whole} digit(s) before the "
                             f"decimal point") from None
    digits = len(str(abs(int(rounded)))) if int(rounded) else 0
    if digits <= whole:
        return
    unrounded = len(str(abs(int(number)))) if int(number) else 0
    if unrounded <= whole:
        raise SeedValueError(f"{written} rounds to {rounded} ({type_name} keeps {scale} decimal place(s)), which "
                             f"does not fit: at most {whole} digit(s) before the decimal point")
    raise SeedValueError(f"{written} does not fit {type_name}: at most {whole} digit(s) before the decimal point")


def _fits_float(base: str, number: Decimal, written: str) -> None:
    """real and double precision refuse what overflows, and what is not zero but rounds to zero."""
    value = float(number)
    try:
        stored = struct.unpack(">f", struct.pack(">f", value))[0] if base == "real" else value
    except OverflowError:
        stored = float("inf")
    if stored in (float("inf"), float("-inf")) or (stored == 0 and number != 0):
        raise SeedValueError(f"{written} is out of range for type {base}")


def _time_text(base: str, value: object) -> str:
    """A date or timestamp in ISO 8601, with an era (BC) or as infinity/-infinity as PostgreSQL
    reads them. seeds.sql sets the time zone to UTC, so a timestamptz without an offset is the same
    instant on every database; a plain timestamp refuses an offset PostgreSQL would drop."""
    if isinstance(value, dt.datetime | dt.date):  # not made by the loader, but a caller may pass one
        value = value.isoformat()
    if not isinstance(value, str):
        raise SeedValueError(f"{_show(value)} is not a {base}")
    text = value.strip()
    if text.lower() in _INFINITIES:
        return text
    moment = _ERA.sub("", text)
    try:
        if base == "date":
            dt.date.fromisoformat(moment)
            return text
        found = dt.datetime.fromisoformat(moment.replace(" ", "T", 1) if "T" not in moment else moment)
    except ValueError:
        raise SeedValueError(f"{_show(value)} is not a {base} (write it as ISO 8601: "
                             f"{'2024-01-31' if base == 'date' else '2024-01-31 12:00:00+00'})") from None
    if found.tzinfo is not None and base == "timestamp without time zone":
        raise SeedValueError(f"{_show(value)} has a UTC offset, which a timestamp without time zone column drops "
                             f"(PostgreSQL ignores it); write the time alone, or make the column timestamptz")
    return text


def _array_text(element: str, value: object, enum_labels: tuple[str, ...] | None) -> str:
    """An array's input text: `{"a","b"}`, every element quoted the way array_in reads it. Lists
    of lists are a multi-dimensional array, which PostgreSQL takes only when it is rectangular:
    every list at one depth as long as the others, none of them empty."""
    if not isinstance(value, list):
        raise SeedValueError(f"{_show(value)} is not a list ({element}[])")
    element = element.removesuffix("[]") if element.endswith("[]") else element  # int[][] is int[]
    _rectangular(value)
    return _array_level(element, value, enum_labels)


def _rectangular(value: list[object]) -> None:
    shape: list[int] = []
    level: list[object] = [value]
    while any(isinstance(item, list) for item in level):
        if not all(isinstance(item, list) for item in level):
            raise SeedValueError("a multi-dimensional array needs lists of the same length at each depth, "
                                 "with no value or null beside a list (PostgreSQL's rule)")
        lengths = {len(item) for item in level if isinstance(item, list)}
        if len(lengths) != 1 or (0 in lengths and shape):
            raise SeedValueError("a multi-dimensional array needs lists of the same length at each depth, "
                                 "none of them empty (PostgreSQL's rule)")
        shape.append(lengths.pop())
        level = [inner for item in level if isinstance(item, list) for inner in item]


def _array_level(element: str, value: list[object], enum_labels: tuple[str, ...] | None) -> str:
    items = []
    for item in value:
        if isinstance(item, list):
            items.append(_array_level(element, item, enum_labels))
            continue
        if item is None:
            items.append("NULL")
            continue
        text = seed_text(element, item, enum_labels)
        items.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(items) + "}"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)
