"""Partitioned tables: the partition key of a table and its partitions with their bounds.

A partitioned table is a Table with a `partition_by` key; its partitions hang off it as a tuple
(a partition is a table of its own to PostgreSQL, but its columns, and the indexes and
constraints declared on the parent, are the parent's: they are never compared apart).

Bound values are kept as text, as the literal's value (`10`, `2024-01-01`, `it's`), and emitted
as string literals, which PostgreSQL coerces to the key column's type; None is NULL and the
words MINVALUE and MAXVALUE are range bounds without an end. The values of a list partition
are a set to PostgreSQL, so they are kept sorted.
"""
from __future__ import annotations

from dataclasses import dataclass

from .schema import Expression

METHODS = ("range", "list", "hash")
UNBOUNDED = ("MINVALUE", "MAXVALUE")

BoundValue = str | None  # None: NULL (a list partition's)


@dataclass(frozen=True, slots=True)
class KeyPart:
    """One column or expression of a partition key, with its collation and operator class when
    they are not the type's defaults (as pg_get_partkeydef prints them)."""

    column: str | None = None
    expression: Expression | None = None
    collation: str | None = None  # 'name' or 'schema.name'
    opclass: str | None = None  # 'name' or 'schema.name'


@dataclass(frozen=True, slots=True)
class PartitionKey:
    method: str  # 'range' | 'list' | 'hash'
    parts: tuple[KeyPart, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the key names directly (not those its expressions read)."""
        return tuple(p.column for p in self.parts if p.column is not None)

    @property
    def has_expressions(self) -> bool:
        return any(p.expression is not None for p in self.parts)


@dataclass(frozen=True, slots=True)
class PartitionBound:
    """FOR VALUES ...: one of DEFAULT, IN (values), FROM (lower) TO (upper), WITH (modulus, remainder)."""

    default: bool = False
    values: tuple[BoundValue, ...] = ()  # list, sorted (see sorted_values)
    lower: tuple[str, ...] = ()  # range
    upper: tuple[str, ...] = ()
    modulus: int | None = None  # hash
    remainder: int | None = None

    @property
    def method(self) -> str | None:
        """The partition method this bound fits; None for DEFAULT, which fits range and list."""
        if self.default:
            return None
        if self.modulus is not None:
            return "hash"
        return "range" if self.lower else "list"


def sorted_values(values: tuple[BoundValue, ...] | list[BoundValue]) -> tuple[BoundValue, ...]:
    """A list partition's values in the one order the model keeps them: NULL first, then by text."""
    return tuple(sorted(values, key=lambda v: (v is not None, v or "")))


@dataclass(frozen=True, slots=True)
class Partition:
    """A partition of a partitioned table (CREATE TABLE name PARTITION OF parent FOR VALUES ...);
    it may be partitioned itself, by `partition_by`, into `partitions`."""

    schema: str
    name: str
    bound: PartitionBound
    comment: str | None = None
    partition_by: PartitionKey | None = None
    partitions: tuple[Partition, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


def all_partitions(parent_schema: str, parent_name: str, partitions: tuple[Partition, ...]
                   ) -> list[tuple[str, str, Partition]]:
    """Every partition below a table, sub-partitions after their parent: (parent schema, parent name, partition)."""
    out: list[tuple[str, str, Partition]] = []
    for p in partitions:
        out.append((parent_schema, parent_name, p))
        out += all_partitions(p.schema, p.name, p.partitions)
    return out
