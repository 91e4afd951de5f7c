"""Tables as read from one document, before foreign keys are resolved against every table."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model.schema import Check, Column, Exclusion, Index, PrimaryKey, Unique
from .load import Pos


@dataclass
class PendingForeignKey:
    """A foreign key as written, resolved against all tables once every table is read."""

    name: str | None
    columns: list[str]
    ref_schema: str
    ref_table: str
    ref_columns: list[str] | None  # None: the referenced table's primary key
    on_delete: str
    on_update: str
    pos: Pos
    path: str
    deferrable: bool = False
    initially_deferred: bool = False
    match: str = "simple"
    comment: str | None = None


@dataclass
class TableDraft:
    schema: str
    name: str
    path: str
    pos: Pos
    columns: list[Column] = field(default_factory=list)
    column_pos: dict[str, Pos] = field(default_factory=dict)
    primary_key: PrimaryKey | None = None
    uniques: list[Unique] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[PendingForeignKey] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    object_pos: dict[str, list[Pos]] = field(default_factory=dict)  # constraint/index name -> positions
    comment: str | None = None
    renamed_from: str | None = None

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    def place(self, name: str, pos: Pos) -> None:
        """Record where a constraint or index called `name` is written."""
        self.object_pos.setdefault(name, []).append(pos)

    def position_of(self, name: str, nth: int = 0) -> Pos:
        """Where the `nth` (0-based, in source order) object called `name` is written."""
        places = sorted(self.object_pos.get(name, []))
        return places[nth] if nth < len(places) else places[-1] if places else self.pos
