"""Tables as read from one document, before foreign keys are resolved against every table, and
what the readers of a table's parts are given while it is read."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import did_you_mean
from ..model.partitions import Partition, PartitionKey
from ..model.schema import Check, Column, Exclusion, Expression, Index, PrimaryKey, Unique
from ..model.security import Grants, Policy
from ..model.warehouse import Warehouse
from .load import Document, Mapping, Pos, Sequence
from .reader import Reader


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
    online: bool = False


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
    warehouse: Warehouse | None = None
    partition_by: PartitionKey | None = None
    partitions: list[Partition] = field(default_factory=list)
    partition_pos: dict[str, Pos] = field(default_factory=dict)  # partition schema.name -> its name's position
    warehouse_pos: Pos | None = None  # of its `warehouse:` key, when the table is in the warehouse
    row_security: bool = False
    force_row_security: bool = False
    policies: list[Policy] = field(default_factory=list)
    grants: Grants = ()

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


@dataclass(frozen=True, slots=True)
class TableContext:
    """What the readers of a table's keys, indexes and exclusions are given by the table builder:
    the document's Reader, the document, every column name it lists (a check may use a column
    listed after it), and the builder's readers of SQL expressions, which check an expression's
    columns against those names."""

    r: Reader
    doc: Document
    all_columns: set[str]
    # (mapping, key, what, table) -> the expression under `key`, or None after an error
    expression: Callable[[Mapping, str, str, TableDraft], Expression | None]
    # (text, position, key, what, table) -> the expression `text`, or None after an error
    expression_text: Callable[[str, Pos, str, str, TableDraft], Expression | None]

    def known_columns(self, t: TableDraft, columns: list[str], pos: Pos, what: str,
                      listed: object = None) -> bool:
        """Report the first of `columns` that the table lacks, at its own item of `listed` if given."""
        for i, c in enumerate(columns):
            if c not in t.column_pos:
                if isinstance(listed, Sequence) and i < len(listed.item_pos):
                    pos = listed.item_pos[i]
                self.r.error(pos, f"{what} column '{c}' is not a column of {t.name}"
                                  f"{did_you_mean(c, t.column_pos)}")
                return False
        return True
