"""A seed value from YAML -> the SQL literal PostgreSQL reads as a value of its column's type.

Every value becomes a quoted string constant cast to the column's type (or NULL), so no text of a
seed file ever reaches SQL except inside a literal quoted by PostgreSQL's rules. Values are
judged here, at compile time, so a bad seed is a definition error rather than a failed load.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from sqlglot import exp

from .catalog_facts import type_base
from .expressions import parse_expression
from .literal_input import constant_problem
from .schema import Column, Schema, Table

_INTEGERS = ("smallint", "integer", "bigint")


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


def seed_literal(type_name: str, value: object, enum_labels: tuple[str, ...] | None = None) -> str:
    """`value` as SQL for a column of `type_name` (format_type()'s spelling); `enum_labels` when the
    type is an enum. Raises SeedValueError when PostgreSQL would refuse the value."""
    if value is None:
        return "NULL"
    return f"{quote_seed_literal(seed_text(type_name, value, enum_labels))}::{type_name}"


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
    if base in ("json", "jsonb"):
        if isinstance(value, str):  # a string is JSON text; a mapping or list is the document itself
            problem = constant_problem(base, value, True)
            if problem:
                raise SeedValueError(f"{problem}: a string for a {base} column is JSON text")
            return value
        if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
            raise SeedValueError(f"JSON has no {value}")
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    if base in _INTEGERS:
        return _integer_text(base, value)
    if base in ("numeric", "real", "double precision"):
        return _number_text(type_name, base, value)
    if base == "boolean":
        if not isinstance(value, bool):
            raise SeedValueError(f"{_show(value)} is not true or false")
        return "true" if value else "false"
    if base in ("date", "timestamp without time zone", "timestamp with time zone"):
        return _time_text(base, value)
    if not isinstance(value, str):
        raise SeedValueError(f"{_show(value)} is not text; quote it for a {type_name} column")
    problem = constant_problem(type_name, value, True)
    if problem:
        raise SeedValueError(problem.split(":")[0])
    return value


def _integer_text(base: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeedValueError(f"{_show(value)} is not a whole number ({base})")
    problem = constant_problem(base, str(value), True)
    if problem:
        raise SeedValueError(f"{value} is {problem}")
    return str(value)


def _number_text(type_name: str, base: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise SeedValueError(f"{_show(value)} is not a number ({type_name})")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise SeedValueError(f"{_show(value)} is not a number ({type_name})") from None
    if not number.is_finite():
        raise SeedValueError(f"{value} is not a finite number")
    if base == "numeric" and "(" in type_name:
        precision, _, scale_text = type_name.partition("(")[2].rstrip(")").partition(",")
        scale = int(scale_text or 0)
        rounded = number.quantize(Decimal(1).scaleb(-scale))  # PostgreSQL rounds to the scale first
        whole_digits = len(str(abs(int(rounded)))) if int(rounded) else 0
        if whole_digits > int(precision) - scale:
            raise SeedValueError(f"{value} does not fit {type_name}: at most {int(precision) - scale} "
                                 f"digit(s) before the decimal point")
    return str(value) if not isinstance(value, float) else repr(value)


def _time_text(base: str, value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):  # not made by the loader, but a caller may pass one
        value = value.isoformat()
    if not isinstance(value, str):
        raise SeedValueError(f"{_show(value)} is not a {base}")
    text = value.strip()
    try:
        if base == "date":
            dt.date.fromisoformat(text)
        else:
            # without an offset, a timestamptz is read in the session's time zone, as PostgreSQL does
            dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        raise SeedValueError(f"{_show(value)} is not a {base} (write it as ISO 8601: "
                             f"{'2024-01-31' if base == 'date' else '2024-01-31 12:00:00+00'})") from None
    return text


def _array_text(element: str, value: object, enum_labels: tuple[str, ...] | None) -> str:
    """An array's input text: `{"a","b"}`, every element quoted the way array_in reads it."""
    if not isinstance(value, list):
        raise SeedValueError(f"{_show(value)} is not a list ({element}[])")
    items = []
    for item in value:
        if isinstance(item, list):
            raise SeedValueError("nested lists are not supported in seed arrays")
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
