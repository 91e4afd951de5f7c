"""Seed data as checked against the schema: rows of literal SQL values, ready to render."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SeedRef:
    """A value taken from another seeded row, found by its natural key (never a hard-coded id)."""

    schema: str
    table: str
    column: str  # the referenced row's column whose value is used
    where: tuple[tuple[str, str], ...]  # (column, SQL literal), the natural key
    row: int = field(default=-1, compare=False)  # which of the table's seeded rows it is (file order)


SeedValue = str | SeedRef  # a SQL literal ('x'::text, NULL) or a reference


@dataclass(frozen=True, slots=True)
class SeedRow:
    values: tuple[tuple[str, SeedValue], ...]  # (column, value) in the table's column order
    origin: str = ""  # `seeds/users.yaml:12`: where the row is written, told before its statements
    # columns the row leaves out that a reload sets back to their default (see reset_on_reload)
    reset: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SeedTable:
    """The seeded rows of one table and the key ON CONFLICT finds an existing row by."""

    schema: str
    name: str
    conflict: tuple[str, ...]  # the primary key's or a unique constraint's columns
    rows: tuple[SeedRow, ...]
    # columns whose refs point at rows loaded later (a cycle, a self-reference): inserted NULL,
    # then set by an UPDATE once every row is in
    deferred: tuple[str, ...] = ()
    # identity and serial columns some row gives a value: their sequences are moved past the
    # largest value after the load, so the application's next insert does not take a seeded id
    advance: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Seeds:
    """Every seeded table, in an order where each table's references are loaded before it
    (definitions/seed_order.py)."""

    tables: tuple[SeedTable, ...] = ()
