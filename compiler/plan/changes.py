"""The closed set of schema changes, one frozen dataclass per kind, and their order.

A change carries what its SQL needs (the old object too, for drops, so a warning can say what
is lost). Ordering is data: PHASES lists the kinds in an order PostgreSQL accepts, and
`ordered()` sorts by phase, then by the object a change touches, keeping generation order
within one object (column order, enum value order).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from ..model.schema import Check, Column, Enum, Exclusion, Expression, ForeignKey, Index, PrimaryKey, Table, Unique


@dataclass(frozen=True, slots=True)
class Change:
    DESTRUCTIVE: ClassVar[bool] = False

    @property
    def destructive(self) -> bool:
        return self.DESTRUCTIVE

    @property
    def subject(self) -> str:
        """The object changed, as `schema.table[.column]`, for comments and messages."""
        raise NotImplementedError

    @property
    def kind(self) -> str:
        return type(self).__name__

    @property
    def template(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.kind).lower() + ".sql.j2"


# -- schemas and extensions

@dataclass(frozen=True, slots=True)
class CreateSchema(Change):
    name: str

    @property
    def subject(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class DropSchema(Change):
    name: str

    @property
    def subject(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class CreateExtension(Change):
    name: str
    schema: str = "public"

    @property
    def subject(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class SetExtensionSchema(Change):
    """An extension moved to another schema, its types with it."""

    name: str
    schema: str

    @property
    def subject(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class DropExtension(Change):
    DESTRUCTIVE = True
    name: str

    @property
    def subject(self) -> str:
        return self.name


# -- enums

@dataclass(frozen=True, slots=True)
class CreateEnum(Change):
    enum: Enum

    @property
    def subject(self) -> str:
        return self.enum.key


@dataclass(frozen=True, slots=True)
class DropEnum(Change):
    enum: Enum
    replaced_by: Enum | None = None  # set when the enum is recreated to remove or reorder values

    @property
    def destructive(self) -> bool:
        # a reorder loses no value but rewrites every column of the type and changes how it sorts
        return True

    @property
    def removed_values(self) -> tuple[str, ...]:
        keep = set(self.replaced_by.values) if self.replaced_by else set()
        return tuple(v for v in self.enum.values if v not in keep)

    @property
    def subject(self) -> str:
        return self.enum.key


@dataclass(frozen=True, slots=True)
class RenameEnum(Change):
    enum: Enum
    new_name: str

    @property
    def subject(self) -> str:
        return self.enum.key


@dataclass(frozen=True, slots=True)
class AddEnumValue(Change):
    enum: Enum  # the enum as it will be
    value: str
    before: str | None = None
    after: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.enum.key}.{self.value}"


@dataclass(frozen=True, slots=True)
class SetEnumComment(Change):
    enum: Enum  # as it will be

    @property
    def subject(self) -> str:
        return self.enum.key


# -- tables

@dataclass(frozen=True, slots=True)
class CreateTable(Change):
    table: Table

    @property
    def subject(self) -> str:
        return self.table.key


@dataclass(frozen=True, slots=True)
class DropTable(Change):
    DESTRUCTIVE = True
    table: Table

    @property
    def subject(self) -> str:
        return self.table.key


@dataclass(frozen=True, slots=True)
class RenameTable(Change):
    schema: str
    old_name: str
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.old_name}"


@dataclass(frozen=True, slots=True)
class SetTableComment(Change):
    schema: str
    table: str
    comment: str | None

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}"


# -- columns

@dataclass(frozen=True, slots=True)
class ColumnChange(Change):
    schema: str
    table: str
    column: str

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.column}"


@dataclass(frozen=True, slots=True)
class AddColumn(Change):
    schema: str
    table: str
    definition: Column

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.definition.name}"


@dataclass(frozen=True, slots=True)
class DropColumn(Change):
    schema: str
    table: str
    definition: Column

    @property
    def destructive(self) -> bool:
        return self.definition.generated is None  # a generated column's values come back by themselves

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.definition.name}"


@dataclass(frozen=True, slots=True)
class RenameColumn(ColumnChange):
    new_name: str


@dataclass(frozen=True, slots=True)
class AlterColumnType(ColumnChange):
    old_type: str
    new_type: str
    using: str | None  # USING expression (already quoted), when no assignment cast exists
    lossy: bool  # narrowing: values may be cut or refused
    collation: str | None = None  # kept through the change: ALTER TYPE resets it otherwise

    @property
    def destructive(self) -> bool:
        return self.lossy


@dataclass(frozen=True, slots=True)
class SetCollation(ColumnChange):
    """A column's collation changed (ALTER COLUMN ... TYPE its own type COLLATE ...)."""

    type: str
    collation: str | None  # None: the type's default


@dataclass(frozen=True, slots=True)
class SetNotNull(ColumnChange):
    pass


@dataclass(frozen=True, slots=True)
class DropNotNull(ColumnChange):
    pass


@dataclass(frozen=True, slots=True)
class SetDefault(ColumnChange):
    default: Expression


@dataclass(frozen=True, slots=True)
class DropDefault(ColumnChange):
    old_default: Expression


@dataclass(frozen=True, slots=True)
class AddIdentity(ColumnChange):
    identity: str
    options: tuple[tuple[str, int | bool], ...] = ()  # sequence options other than the defaults
    start: int | None = None  # with options: the first number when no row is there yet


@dataclass(frozen=True, slots=True)
class SetIdentity(ColumnChange):
    identity: str


@dataclass(frozen=True, slots=True)
class DropIdentity(ColumnChange):
    old_identity: str


@dataclass(frozen=True, slots=True)
class AddSerial(ColumnChange):
    """A column becomes serial: a sequence it owns, numbering on from the highest value."""

    sequence: str
    integer_type: str
    options: tuple[tuple[str, int | bool], ...] = ()  # sequence options other than the defaults
    start: int | None = None  # with options: the first number when no row is there yet


@dataclass(frozen=True, slots=True)
class SetSequenceOptions(ColumnChange):
    """Options of the sequence behind an identity or serial column, every one spelled out so that
    a return to a default is said too; the sequence keeps its position."""

    options: tuple[tuple[str, int | bool], ...]

    @property
    def minimum(self) -> int:
        return int(dict(self.options)["min"])

    @property
    def maximum(self) -> int:
        return int(dict(self.options)["max"])


@dataclass(frozen=True, slots=True)
class DropSerial(ColumnChange):
    """A serial column becomes a plain integer: its default and its sequence go, its values stay."""


@dataclass(frozen=True, slots=True)
class SetSequenceType(ColumnChange):
    """serial <-> bigserial <-> smallserial: the same sequence, now of the column's integer type."""

    integer_type: str


@dataclass(frozen=True, slots=True)
class SerialToIdentity(ColumnChange):
    """A serial column becomes an identity column that numbers on where the serial's sequence stood."""

    identity: str


@dataclass(frozen=True, slots=True)
class IdentityToSerial(ColumnChange):
    """An identity column becomes serial, its new sequence numbering on where the identity's stood."""

    sequence: str
    integer_type: str


@dataclass(frozen=True, slots=True)
class DropGeneration(ColumnChange):
    """A generated column becomes a plain one, keeping its values (DROP EXPRESSION)."""

    old_expression: Expression


@dataclass(frozen=True, slots=True)
class SetColumnComment(ColumnChange):
    comment: str | None


# -- constraints and indexes

@dataclass(frozen=True, slots=True)
class AddConstraint(Change):
    schema: str
    table: str
    constraint: PrimaryKey | Unique | Check | Exclusion

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.constraint.name}"


@dataclass(frozen=True, slots=True)
class DropConstraint(Change):
    schema: str
    table: str
    constraint: PrimaryKey | Unique | Check | Exclusion

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.constraint.name}"


@dataclass(frozen=True, slots=True)
class RenameConstraint(Change):
    schema: str
    table: str
    old_name: str
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.old_name}"


@dataclass(frozen=True, slots=True)
class AddForeignKey(Change):
    schema: str
    table: str
    foreign_key: ForeignKey

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.foreign_key.name}"


@dataclass(frozen=True, slots=True)
class DropForeignKey(Change):
    schema: str
    table: str
    foreign_key: ForeignKey

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.foreign_key.name}"


@dataclass(frozen=True, slots=True)
class SetConstraintComment(Change):
    schema: str
    table: str
    constraint: str
    comment: str | None

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.constraint}"


@dataclass(frozen=True, slots=True)
class SetForeignKeyDeferrable(Change):
    """A foreign key's timing changed in place (ALTER CONSTRAINT ... [NOT] DEFERRABLE)."""

    schema: str
    table: str
    foreign_key: ForeignKey  # as it will be

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.table}.{self.foreign_key.name}"


@dataclass(frozen=True, slots=True)
class CreateIndex(Change):
    schema: str
    table: str
    index: Index

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.index.name}"


@dataclass(frozen=True, slots=True)
class DropIndex(Change):
    schema: str
    table: str
    index: Index

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.index.name}"


@dataclass(frozen=True, slots=True)
class RenameIndex(Change):
    schema: str
    old_name: str
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.old_name}"


@dataclass(frozen=True, slots=True)
class SetIndexStorage(Change):
    """Storage parameters of an index changed in place (ALTER INDEX ... SET / RESET)."""

    schema: str
    table: str
    index: str
    set: tuple[tuple[str, str], ...]  # parameters given a new value
    reset: tuple[str, ...]  # parameters back to their defaults

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.index}"


@dataclass(frozen=True, slots=True)
class SetIndexComment(Change):
    schema: str
    table: str
    index: str
    comment: str | None

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.index}"


@dataclass(frozen=True, slots=True)
class RenameSequence(Change):
    """The sequence behind a serial or identity column follows its table or column rename.

    `old_name` is the name PostgreSQL would have given it; the SQL finds the sequence the
    column really owns, so a sequence renamed by hand long ago is found too.
    """

    schema: str
    table: str
    column: str
    old_name: str
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.old_name}"


PHASES: tuple[type[Change], ...] = (
    CreateSchema, CreateExtension, SetExtensionSchema,
    RenameEnum, CreateEnum, AddEnumValue,
    DropForeignKey, DropIndex, DropConstraint,
    DropColumn, DropTable,  # before renames and additions, which may reuse their names
    RenameTable, RenameColumn, RenameSequence, RenameConstraint, RenameIndex,
    CreateTable,
    DropGeneration, DropIdentity, DropDefault, DropSerial, AlterColumnType, SetCollation,
    AddColumn,  # after type changes: a generated column may read a column whose type changes
    DropNotNull, SetNotNull,
    SetDefault, AddSerial, AddIdentity, SetIdentity, SetSequenceType, SerialToIdentity, IdentityToSerial,
    SetSequenceOptions,
    SetEnumComment, SetTableComment, SetColumnComment,
    AddConstraint, CreateIndex, AddForeignKey,
    SetForeignKeyDeferrable, SetConstraintComment, SetIndexStorage, SetIndexComment,
    DropEnum, DropExtension, DropSchema,
)
CHANGE_KINDS: tuple[type[Change], ...] = PHASES
# renames of names that share namespaces (a schema's relations, a table's constraints): one phase,
# kept in the order diff gives them, which frees each name before it is taken
NAME_MOVES: tuple[type[Change], ...] = (RenameSequence, RenameConstraint, RenameIndex)
_PHASE = {kind: i for i, kind in enumerate(PHASES)} | {kind: PHASES.index(NAME_MOVES[0]) for kind in NAME_MOVES}
_ORDER_BY_DIFF: tuple[type[Change], ...] = (RenameTable, *NAME_MOVES)


def _object_key(c: Change) -> str:
    for attr in ("table", "enum"):
        value = getattr(c, attr, None)
        if isinstance(value, Table | Enum):
            return value.key
    if hasattr(c, "schema") and hasattr(c, "table"):
        return f"{c.schema}.{c.table}"
    return c.subject


def by_kind_and_object(changes: list[Change]) -> list[Change]:
    """Changes sorted by their kind's place in PHASES, then by object: the order renames start from."""
    return sorted(changes, key=lambda c: (PHASES.index(type(c)), _object_key(c)))


def ordered(changes: list[Change]) -> list[Change]:
    """Changes sorted into an order PostgreSQL accepts; stable within one object."""
    def key(c: Change) -> tuple[int, str]:
        if isinstance(c, _ORDER_BY_DIFF):
            return _PHASE[type(c)], c.schema  # type: ignore[attr-defined] # diff ordered them: chains, swaps
        return _PHASE[type(c)], _object_key(c)
    return sorted(changes, key=key)
