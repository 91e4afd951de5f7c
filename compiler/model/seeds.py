"""Seed data as checked against the schema: rows of literal SQL values, ready to render."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeedRef:
    """A value taken from another seeded row, found by its natural key (never a hard-coded id)."""

    schema: str
    table: str
    column: str  # the referenced row's column whose value is used
    where: tuple[tuple[str, str], ...]  # (column, SQL literal), the natural key


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

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Seeds:
    """Every seeded table, in an order where each table's references are loaded before it."""

    tables: tuple[SeedTable, ...] = ()


def load_order(tables: list[SeedTable]) -> list[tuple[SeedTable, frozenset[str]]]:
    """`tables` in an order where each one's refs point at tables loaded before it, each with the
    columns whose refs cannot (a cycle, a self-reference), which are set after every insert.

    Deterministic: among the tables ready to load, the first by name; when none is ready (a
    cycle), the first remaining by name is loaded with its refs to later tables deferred."""
    needs = {t.key: {f"{v.schema}.{v.table}" for row in t.rows for _, v in row.values if isinstance(v, SeedRef)}
             for t in tables}
    by_key = {t.key: t for t in tables}
    done: list[str] = []
    out: list[tuple[SeedTable, frozenset[str]]] = []
    remaining = sorted(by_key)
    while remaining:
        ready = [k for k in remaining if needs[k] - {k} <= set(done)]
        key = ready[0] if ready else remaining[0]
        table = by_key[key]
        later = {c for row in table.rows for c, v in row.values
                 if isinstance(v, SeedRef) and f"{v.schema}.{v.table}" not in done}
        out.append((table, frozenset(later)))
        done.append(key)
        remaining.remove(key)
    return out
