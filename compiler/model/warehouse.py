"""A table's copy in the BigQuery warehouse: how it is partitioned and clustered, and the BigQuery
type of each PostgreSQL column type.

The warehouse options ride on the table (`Table.warehouse`) but take no part in its equality or
state.json: they change no PostgreSQL object, so a project that does not use them compiles as before.
Types are plain strings here; the warehouse stage renders them through sqlglot.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

GRANULARITIES = ("day", "hour", "month", "year")
MAX_CLUSTER_COLUMNS = 4  # BigQuery: "You can specify up to four clustering columns"
# clustering columns must be top-level, non-repeated columns of these types (BigQuery's documentation)
CLUSTERABLE = frozenset({"BIGNUMERIC", "BOOL", "DATE", "DATETIME", "GEOGRAPHY", "INT64", "NUMERIC", "STRING",
                         "TIMESTAMP"})
MAX_RANGE_PARTITIONS = 10_000  # BigQuery's limit of partitions in a table
# BigQuery's schema rules ("Specify a schema": column names, column descriptions; table options)
MAX_COLUMN_DESCRIPTION = 1_024
MAX_TABLE_DESCRIPTION = 16_384
RESERVED_PREFIXES = ("_TABLE_", "_FILE_", "_PARTITION", "_ROW_TIMESTAMP", "__ROOT__", "_COLIDENTIFIER",
                     "_CHANGE_SEQUENCE_NUMBER", "_CHANGE_TYPE", "_CHANGE_TIMESTAMP")
# a flexible column name's characters: Unicode letters (L), marks (M), numbers (N), connectors (Pc,
# the underscore among them), dashes (Pd), and these
_COLUMN_CATEGORIES = ("L", "M", "N", "Pc", "Pd")
_COLUMN_SYMBOLS = frozenset(" &%=+:'<>#|")


@dataclass(frozen=True, slots=True)
class IntegerRange:
    """RANGE_BUCKET(column, GENERATE_ARRAY(start, end, interval)): an INT64 column's partitions."""

    start: int
    end: int
    interval: int


@dataclass(frozen=True, slots=True)
class Held:
    """Where the BigQuery table the migrations built differs from the one its definitions would create:
    the order its columns came in (ADD COLUMN appends, whatever the definitions' order), and the
    columns it holds NULLABLE though PostgreSQL's are NOT NULL (BigQuery adds no REQUIRED column and
    makes none REQUIRED in place). Known from the migrations, kept in state.json, and what the
    full-table files show, so they describe the table the migrations made; a rebuild forgets it."""

    order: tuple[str, ...]
    nullable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Warehouse:
    """How a table is laid out in BigQuery. `partition_by` is a column; a DATE, TIMESTAMP or DATETIME
    column is partitioned by `granularity`, an INT64 column by `integer_range`."""

    partition_by: str | None = None
    granularity: str = "day"
    integer_range: IntegerRange | None = None
    cluster_by: tuple[str, ...] = ()
    require_partition_filter: bool = False
    partition_expiration_days: int | None = None
    # what the migrations made differently from the definitions: no key of the definitions, so no part
    # of equality (a change of the keys is what makes a migration)
    held: Held | None = field(default=None, compare=False)


_NUMERIC = re.compile(r"numeric(?:\((\d+)(?:,(\d+))?\))?\Z")
_LENGTH = re.compile(r"(?:character varying|character)\((\d+)\)\Z")
_PLAIN = {
    "smallint": "INT64", "integer": "INT64", "bigint": "INT64",
    "real": "FLOAT64", "double precision": "FLOAT64",
    "boolean": "BOOL", "text": "STRING", "character varying": "STRING", "character": "STRING",
    "citext": "STRING", "uuid": "STRING", "inet": "STRING", "cidr": "STRING", "macaddr": "STRING",
    "macaddr8": "STRING", "name": "STRING", "bpchar": "STRING",
    "json": "JSON", "jsonb": "JSON", "bytea": "BYTES", "date": "DATE", "interval": "INTERVAL",
    "time without time zone": "TIME", "timestamp without time zone": "DATETIME",
    "timestamp with time zone": "TIMESTAMP",
}
_PRECISION = re.compile(r"\(\d+\)")  # timestamp(3), time(6): BigQuery keeps microseconds in every one
_INTERVAL = re.compile(r"interval\b")  # `interval day to second(3)`: BigQuery's INTERVAL holds every field


def column_name_problem(name: str) -> str | None:
    """Why BigQuery refuses `name` as a column name, or None: a reserved prefix (names are compared
    ignoring case there, so `_partitiontime` is refused too), or a character outside BigQuery's
    flexible column names. (Its limit of 300 characters is above PostgreSQL's 63 bytes.)"""
    prefix = next((p for p in RESERVED_PREFIXES if name.upper().startswith(p)), None)
    if prefix is not None:
        return f"starts with {prefix}, a prefix BigQuery reserves for its own columns"
    bad = sorted({ch for ch in name if ch not in _COLUMN_SYMBOLS
                  and not unicodedata.category(ch).startswith(_COLUMN_CATEGORIES)})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        return (f"has {shown}, which BigQuery allows in no column name (letters, digits, marks, underscores, "
                f"dashes, spaces and & % = + : ' < > # | only)")
    return None


def column_description(comment: str | None, labels: tuple[str, ...] | None) -> str | None:
    """A column's BigQuery description: its comment, and an enum's labels (BigQuery holds the enum as
    STRING, so the labels are told) as a JSON array, which no label can make ambiguous."""
    if labels is None:
        return comment
    listed = json.dumps(list(labels), ensure_ascii=False)
    return f"{comment} (allowed values: {listed})" if comment else f"Allowed values: {listed}"


def bigquery_table_name(schema: str, name: str) -> str:
    """A table's name in the dataset: its own in public, `schema_name` from another schema (so two
    tables can meet in one name: a.b_c and a_b.c; the definitions refuse that)."""
    return name if schema == "public" else f"{schema}_{name}"


class UnsupportedType(ValueError):
    """A PostgreSQL type BigQuery has no column type for; the message says which and why."""


def bigquery_type(pg_type: str, enum_types: frozenset[str]) -> str:
    """The BigQuery spelling of a canonical PostgreSQL type (`numeric(12,2)` -> `NUMERIC(12, 2)`,
    `text[]` -> `ARRAY<STRING>`, an enum -> `STRING`); UnsupportedType when there is none."""
    if pg_type.endswith("[]"):
        return f"ARRAY<{bigquery_type(pg_type[:-2], enum_types)}>"
    if pg_type in enum_types:
        return "STRING"
    numeric = _NUMERIC.match(pg_type)
    if numeric:
        return _numeric(pg_type, numeric.group(1), numeric.group(2))
    length = _LENGTH.match(pg_type)
    if length:
        return f"STRING({length.group(1)})"
    if _INTERVAL.match(pg_type):
        return "INTERVAL"
    plain = _PLAIN.get(_PRECISION.sub("", pg_type, count=1))
    if plain is None:
        raise UnsupportedType(f"BigQuery has no column type for {pg_type}")
    return plain


def _numeric(pg_type: str, precision: str | None, scale: str | None) -> str:
    """NUMERIC holds scale <= 9 and 29 integer digits, BIGNUMERIC scale <= 38 and 38 integer digits;
    PostgreSQL's unconstrained numeric is closest to BIGNUMERIC."""
    if precision is None:
        return "BIGNUMERIC"
    p, s = int(precision), int(scale or 0)
    if s < 0 or s > p:
        raise UnsupportedType(f"BigQuery has no type for {pg_type}: its scale is outside 0..precision")
    if s <= 9 and p - s <= 29:
        return f"NUMERIC({p}, {s})"
    if s <= 38 and p - s <= 38:
        return f"BIGNUMERIC({p}, {s})"
    raise UnsupportedType(f"{pg_type} does not fit BigQuery's BIGNUMERIC (at most 38 digits of scale and "
                          f"38 before the point)")


def partition_kind(bq_type: str) -> str | None:
    """How BigQuery partitions a column of this type: 'time' (DATE, TIMESTAMP, DATETIME), 'integer'
    (INT64, by range), or None when it cannot."""
    if bq_type in ("DATE", "TIMESTAMP", "DATETIME"):
        return "time"
    return "integer" if bq_type == "INT64" else None


def clusterable(bq_type: str) -> bool:
    """Whether BigQuery can cluster by a column of this type (parameters aside: STRING(20) is STRING)."""
    return bq_type.split("(")[0] in CLUSTERABLE
