"""Standalone sequences (`sequence:` documents), apart from those behind identity and serial columns.

Options are kept as model/sequences.py keeps a column's: only those that differ from what CREATE
SEQUENCE AS `type` chooses, so a sequence read from the catalog compares equal to its definition.
The position (last_value) is data, not schema: no migration resets it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .security import Grants
from .sequences import SequenceOptions, resolved

SEQUENCE_TYPES = ("smallint", "integer", "bigint")


@dataclass(frozen=True, slots=True)
class Sequence:
    schema: str
    name: str
    type: str = "bigint"  # CREATE SEQUENCE's default
    options: SequenceOptions = ()  # start, increment, min, max, cache, cycle: those not default
    owned_by: str | None = None  # 'table.column' of its own schema (PostgreSQL requires the same schema)
    comment: str | None = None
    renamed_from: str | None = field(default=None, compare=False)
    unlogged: bool = False  # UNLOGGED: not written to the WAL, reset by a crash (PostgreSQL 15)
    grants: Grants = ()  # its ACL but the owner's (model/security.py)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def owner_table(self) -> str | None:
        """schema.table of its owning column, if any."""
        return f"{self.schema}.{self.owned_by.rsplit('.', 1)[0]}" if self.owned_by else None

    def bounds(self) -> tuple[int, int]:
        full = resolved(self.type, self.options)
        return int(full["min"]), int(full["max"])

