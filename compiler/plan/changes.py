"""The closed set of schema changes, one frozen dataclass per kind.

A change carries what its SQL needs (the old object too, for drops, so a warning can say what
is lost). The kinds share bases by the object they touch: a schema, an extension, an enum, a
table (and within a table a column, a constraint or an index). What is said about a change is
derived from its base and its class: `subject` (the object, for comments and messages),
`description` (the difference, in words, as drift reports it) and `data_loss` (why it is
destructive, or None). A change kind is a class without subclasses (`change_kinds()`).

Each kind declares `EFFECTS` (plan/hazards.py): the lock it takes, whether it scans or rewrites
the table, fails on existing rows or breaks running code; `effects` refines them from the
change's fields where they decide (a type change PostgreSQL makes in place, an index built
concurrently), and `hazards` names what follows.

When each kind runs is plan/order.py's business.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from ..model.schema import Check, Column, Enum, Exclusion, Expression, ForeignKey, Index, PrimaryKey, Table, Unique
from .hazards import NO_TABLE, Effects, Lock, brief, rewrites_for_type


@dataclass(frozen=True, slots=True, order=True)
class TableName:
    """A table as changes name it: its schema and its name (no Table needed to say which)."""

    schema: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Change:
    # the difference in words, `{s}` standing for the subject: what drift says is wrong
    DESCRIPTION: ClassVar[str] = ""
    # what a destructive change loses, said before its subject (`column public.t.x`)
    LOSES: ClassVar[str] = "data of"
    # what it does to a database in use; every kind declares its own (a test holds them to it)
    EFFECTS: ClassVar[Effects | None] = None

    @property
    def subject(self) -> str:
        """The object changed, as `schema.table[.column]`, for comments and messages."""
        raise NotImplementedError

    @property
    def object_key(self) -> str:
        """The object ordering groups by: the table or enum the change touches, else its subject."""
        return self.subject

    @property
    def phase_key(self) -> str:
        """What orders the changes of one phase: the object they touch (views: their depth first)."""
        return self.object_key

    @property
    def data_loss(self) -> str | None:
        """Why the change loses data (or rewrites it past recovery), in one line; None when it does not."""
        return None

    @property
    def destructive(self) -> bool:
        return self.data_loss is not None

    @property
    def effects(self) -> Effects:
        """The kind's declared effects, refined by this change's fields where they decide."""
        if self.EFFECTS is None:
            raise NotImplementedError(f"{self.kind} declares no EFFECTS")
        return self.EFFECTS

    @property
    def hazards(self) -> tuple[str, ...]:
        """The hazard names of this change (plan/hazards.py HAZARDS), as if its table were in use."""
        return self.effects.hazards(self.destructive)

    @property
    def description(self) -> str:
        """The difference this change makes up for, said as what is wrong in a database that needs it."""
        return self.DESCRIPTION.format(s=self.subject)

    @property
    def lost_data(self) -> str:
        """What a destructive change loses, in a phrase: `column public.t.x`."""
        return f"{self.LOSES} {self.subject}"

    @property
    def kind(self) -> str:
        return type(self).__name__

    @property
    def template(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.kind).lower() + ".sql.j2"


# the online form of an index build or drop, as a definition asks for it
CONCURRENTLY = "add `concurrently: true` to the index (CONCURRENTLY: reads and writes go on)"


def change_kinds() -> tuple[type[Change], ...]:
    """Every kind of change: the classes below Change that have no subclasses of their own."""
    out: list[type[Change]] = []
    todo: list[type[Change]] = [Change]
    while todo:
        cls = todo.pop()
        # dataclass(slots=True) makes a new class: the one it replaced lingers among the subclasses
        below = [k for k in cls.__subclasses__() if "__slots__" in k.__dict__]
        if below:
            todo += below
        elif cls is not Change:
            out.append(cls)
    return tuple(sorted(out, key=lambda k: k.__name__))


# -- schemas and extensions

@dataclass(frozen=True, slots=True)
class SchemaChange(Change):
    name: str

    @property
    def subject(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class CreateSchema(SchemaChange):
    DESCRIPTION = "schema {s} is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class DropSchema(SchemaChange):
    DESCRIPTION = "schema {s} is not in the definitions"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class ExtensionChange(Change):
    name: str

    @property
    def subject(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class CreateExtension(ExtensionChange):
    DESCRIPTION = "extension {s} is not installed"
    EFFECTS = NO_TABLE
    schema: str = "public"


@dataclass(frozen=True, slots=True)
class SetExtensionSchema(ExtensionChange):
    """An extension moved to another schema, its types with it."""

    DESCRIPTION = "extension {s} is installed in another schema"
    EFFECTS = NO_TABLE
    schema: str


@dataclass(frozen=True, slots=True)
class DropExtension(ExtensionChange):
    DESCRIPTION = "extension {s} is installed but not declared"
    EFFECTS = NO_TABLE

    @property
    def data_loss(self) -> str | None:
        return f"{self.kind} {self.subject}"


# -- enums

@dataclass(frozen=True, slots=True)
class EnumChange(Change):
    enum: Enum

    @property
    def subject(self) -> str:
        return self.enum.key

    @property
    def object_key(self) -> str:
        return self.enum.key


@dataclass(frozen=True, slots=True)
class CreateEnum(EnumChange):
    DESCRIPTION = "enum {s} is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class DropEnum(EnumChange):
    DESCRIPTION = "enum {s} is not in the definitions"
    EFFECTS = NO_TABLE  # the columns of a recreated enum change type in AlterColumnType
    LOSES = "values of enum"
    replaced_by: Enum | None = None  # set when the enum is recreated to remove or reorder values

    @property
    def removed_values(self) -> tuple[str, ...]:
        """The values rows can no longer hold: none when the whole type goes (PostgreSQL drops a
        type no column uses, so no row holds one of its values then)."""
        if self.replaced_by is None:
            return ()
        keep = set(self.replaced_by.values)
        return tuple(v for v in self.enum.values if v not in keep)

    @property
    def data_loss(self) -> str | None:
        # a reorder loses no value but rewrites every column of the type and changes how it sorts
        if self.replaced_by is None:
            return f"drop enum {self.subject}"
        if self.removed_values:
            return (f"remove value(s) {', '.join(self.removed_values)} from enum {self.replaced_by.name}: "
                    f"rows using them fail")
        return (f"reorder the values of enum {self.replaced_by.name}: every column of the type is "
                f"rewritten and sorts differently")


@dataclass(frozen=True, slots=True)
class RenameEnum(EnumChange):
    DESCRIPTION = "enum {s} has other values or another order"
    EFFECTS = NO_TABLE
    new_name: str


@dataclass(frozen=True, slots=True)
class AddEnumValue(EnumChange):
    DESCRIPTION = "enum value {s} is missing"
    EFFECTS = NO_TABLE
    # enum: the enum as it will be
    value: str
    before: str | None = None
    after: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.enum.key}.{self.value}"


@dataclass(frozen=True, slots=True)
class SetEnumComment(EnumChange):
    DESCRIPTION = "enum {s} has another comment"
    EFFECTS = NO_TABLE
    # enum: as it will be


# -- tables

@dataclass(frozen=True, slots=True)
class TableChange(Change):
    """A change to one table, named by `table`: as it was for drops (they run before renames),
    as it will be for the rest."""

    table: TableName

    @property
    def schema(self) -> str:
        return self.table.schema

    @property
    def subject(self) -> str:
        return self.table.key

    @property
    def object_key(self) -> str:
        return self.table.key


@dataclass(frozen=True, slots=True)
class WholeTableChange(TableChange):
    """A table created or dropped whole: its definition, which names it."""

    table: TableName = field(init=False, repr=False)
    definition: Table

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", TableName(self.definition.schema, self.definition.name))


@dataclass(frozen=True, slots=True)
class CreateTable(WholeTableChange):
    DESCRIPTION = "table {s} is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class DropTable(WholeTableChange):
    DESCRIPTION = "table {s} is not in the definitions"
    EFFECTS = brief(breaks_code=True)
    LOSES = "table"
    # set when the table is dropped to be created again (a new partition key): why
    rebuilt_for: str | None = None

    @property
    def data_loss(self) -> str | None:
        if self.rebuilt_for is not None:
            return f"drop and create table {self.subject} again, {self.rebuilt_for}: its rows are lost"
        return f"drop table {self.subject}: its rows are lost"


@dataclass(frozen=True, slots=True)
class RenameTable(TableChange):
    DESCRIPTION = "table {s} has another name"
    EFFECTS = brief(breaks_code=True)
    new_name: str

    @property
    def old_name(self) -> str:
        return self.table.name


@dataclass(frozen=True, slots=True)
class SetTableComment(TableChange):
    DESCRIPTION = "table {s} has another comment"
    EFFECTS = brief(Lock.SHARE_UPDATE_EXCLUSIVE)
    comment: str | None


# -- columns

@dataclass(frozen=True, slots=True)
class ColumnChange(TableChange):
    column: str

    @property
    def subject(self) -> str:
        return f"{self.table.key}.{self.column}"


@dataclass(frozen=True, slots=True)
class WholeColumnChange(ColumnChange):
    """A column added or dropped whole: its definition, which names it."""

    column: str = field(init=False, repr=False)
    definition: Column

    def __post_init__(self) -> None:
        object.__setattr__(self, "column", self.definition.name)


@dataclass(frozen=True, slots=True)
class AddColumn(WholeColumnChange):
    DESCRIPTION = "column {s} is missing"
    EFFECTS = brief()  # refined below: a default computed per row rewrites, NOT NULL alone fails

    @property
    def effects(self) -> Effects:
        c = self.definition
        per_row = c.identity is not None or c.serial or c.generated is not None or (
            c.default is not None and c.default.volatile)
        # NOT NULL without a default: every row already there holds NULL
        unfilled = not c.nullable and c.default is None and not per_row
        online = ("add the column without its default, then set the default and fill the rows in batches"
                  if per_row else None)
        return Effects(Lock.ACCESS_EXCLUSIVE, rewrites=per_row, fails_on_rows=unfilled, online=online)


@dataclass(frozen=True, slots=True)
class DropColumn(WholeColumnChange):
    DESCRIPTION = "column {s} is not in the definitions"
    EFFECTS = brief(breaks_code=True)
    LOSES = "column"

    @property
    def data_loss(self) -> str | None:
        if self.definition.generated is not None:
            return None  # a generated column's values come back by themselves
        return f"drop column {self.subject} ({self.definition.declared_type}): its data is lost"


@dataclass(frozen=True, slots=True)
class RenameColumn(ColumnChange):
    DESCRIPTION = "column {s} has another name"
    EFFECTS = brief(breaks_code=True)
    new_name: str


@dataclass(frozen=True, slots=True)
class AlterColumnType(ColumnChange):
    DESCRIPTION = "column {s} has another type"
    EFFECTS = Effects(Lock.ACCESS_EXCLUSIVE, rewrites=True)  # refined below
    LOSES = "values of column"
    old_type: str
    new_type: str
    using: bool  # USING column::new_type: no assignment cast exists
    using_via: str | None  # a type cast to first in USING: an enum casts to nothing but text
    lossy: bool  # narrowing: values may be cut or refused
    collation: str | None = None  # kept through the change: ALTER TYPE resets it otherwise
    # (old, new) as stored, when a domain is on either side (model/domains.py base_type)
    stored: tuple[str, str] | None = None
    checked: bool = False  # the new type is a domain with checks or NOT NULL (at any level)

    @property
    def data_loss(self) -> str | None:
        if not self.lossy:
            return None
        return f"narrow column {self.subject} from {self.old_type} to {self.new_type}: values may be cut or refused"

    @property
    def effects(self) -> Effects:
        if self.stored is not None:
            # into or out of a domain: the values are rewritten if what is stored changes, or if the
            # new domain has constraints (PostgreSQL 15 rewrites to check them: measured by relfilenode)
            stored_rewrite = rewrites_for_type(*self.stored) or self.checked
            return Effects(Lock.ACCESS_EXCLUSIVE, rewrites=stored_rewrite, fails_on_rows=self.lossy or self.checked,
                           online="add a column of the new type, fill it in batches, switch the code, drop the old one"
                           if stored_rewrite else None)
        rewrites = self.using or rewrites_for_type(self.old_type, self.new_type)
        # a cast with USING (text -> integer, to an enum) can refuse a value, as narrowing can
        return Effects(Lock.ACCESS_EXCLUSIVE, rewrites=rewrites, fails_on_rows=self.lossy or self.using,
                       online="add a column of the new type, fill it in batches, switch the code, drop the old one"
                       if rewrites else None)


@dataclass(frozen=True, slots=True)
class SetCollation(ColumnChange):
    """A column's collation changed (ALTER COLUMN ... TYPE its own type COLLATE ...)."""

    DESCRIPTION = "column {s} has another collation"
    EFFECTS = Effects(Lock.ACCESS_EXCLUSIVE, scans=True)  # the column's indexes are rebuilt
    type: str
    collation: str | None  # None: the type's default


@dataclass(frozen=True, slots=True)
class SetNotNull(ColumnChange):
    DESCRIPTION = "column {s} allows NULL but should be NOT NULL"
    EFFECTS = Effects(Lock.ACCESS_EXCLUSIVE, scans=True, fails_on_rows=True,
                      online="add `online: true` to the column (a NOT VALID check validated in a transaction of its "
                             "own, then SET NOT NULL without a scan)")
    # online: the NOT VALID check AddNotNullCheck added and ValidateConstraint validated, which
    # lets PostgreSQL skip its scan; dropped once the column is NOT NULL
    check: str | None = None

    @property
    def effects(self) -> Effects:
        return brief() if self.check is not None else self.EFFECTS


@dataclass(frozen=True, slots=True)
class AddNotNullCheck(ColumnChange):
    """The first step of an online SET NOT NULL: CHECK (column IS NOT NULL) NOT VALID, which
    takes a brief lock and reads no row."""

    DESCRIPTION = "column {s} lacks its NOT VALID not-null check"
    EFFECTS = brief()
    check: str


@dataclass(frozen=True, slots=True)
class DropNotNull(ColumnChange):
    DESCRIPTION = "column {s} is NOT NULL but should allow NULL"
    EFFECTS = brief()
    # the not-null check of an online SET NOT NULL whose validation failed, dropped if it is there
    # (the rollback of such a migration must not leave it behind)
    check: str | None = None


@dataclass(frozen=True, slots=True)
class SetDefault(ColumnChange):
    DESCRIPTION = "column {s} has another default or none"
    EFFECTS = brief()
    default: Expression


@dataclass(frozen=True, slots=True)
class DropDefault(ColumnChange):
    DESCRIPTION = "column {s} has a default it should not have"
    EFFECTS = brief()
    old_default: Expression


@dataclass(frozen=True, slots=True)
class AddIdentity(ColumnChange):
    DESCRIPTION = "column {s} should be an identity column"
    EFFECTS = brief()
    identity: str
    options: tuple[tuple[str, int | bool], ...] = ()  # sequence options other than the defaults
    start: int | None = None  # with options: the first number when no row is there yet


@dataclass(frozen=True, slots=True)
class SetIdentity(ColumnChange):
    DESCRIPTION = "identity column {s} has the other kind (always / by default)"
    EFFECTS = brief()
    identity: str


@dataclass(frozen=True, slots=True)
class DropIdentity(ColumnChange):
    DESCRIPTION = "column {s} is an identity column but should not be"
    EFFECTS = brief()
    old_identity: str


@dataclass(frozen=True, slots=True)
class AddSerial(ColumnChange):
    """A column becomes serial: a sequence it owns, numbering on from the highest value."""

    DESCRIPTION = "column {s} should be serial (a sequence of its own as its default)"
    EFFECTS = brief()
    sequence: str
    integer_type: str
    options: tuple[tuple[str, int | bool], ...] = ()  # sequence options other than the defaults
    start: int | None = None  # with options: the first number when no row is there yet


@dataclass(frozen=True, slots=True)
class SetSequenceOptions(ColumnChange):
    """Options of the sequence behind an identity or serial column, every one spelled out so that
    a return to a default is said too; the sequence keeps its position."""

    DESCRIPTION = "the sequence of column {s} has other options"
    EFFECTS = brief(Lock.SHARE_ROW_EXCLUSIVE)  # on the sequence, not the table
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

    DESCRIPTION = "column {s} is serial but should not be"
    EFFECTS = brief()


@dataclass(frozen=True, slots=True)
class SetSequenceType(ColumnChange):
    """serial <-> bigserial <-> smallserial: the same sequence, now of the column's integer type."""

    DESCRIPTION = "the sequence of serial column {s} has another integer type"
    EFFECTS = brief(Lock.SHARE_ROW_EXCLUSIVE)  # on the sequence
    integer_type: str


@dataclass(frozen=True, slots=True)
class SerialToIdentity(ColumnChange):
    """A serial column becomes an identity column that numbers on where the serial's sequence stood."""

    DESCRIPTION = "column {s} is serial but should be an identity column"
    EFFECTS = brief()
    identity: str


@dataclass(frozen=True, slots=True)
class IdentityToSerial(ColumnChange):
    """An identity column becomes serial, its new sequence numbering on where the identity's stood."""

    DESCRIPTION = "column {s} is an identity column but should be serial"
    EFFECTS = brief()
    sequence: str
    integer_type: str


@dataclass(frozen=True, slots=True)
class DropGeneration(ColumnChange):
    """A generated column becomes a plain one, keeping its values (DROP EXPRESSION)."""

    DESCRIPTION = "column {s} is generated but should not be"
    EFFECTS = brief()
    old_expression: Expression


@dataclass(frozen=True, slots=True)
class SetColumnComment(ColumnChange):
    DESCRIPTION = "column {s} has another comment"
    EFFECTS = brief(Lock.SHARE_UPDATE_EXCLUSIVE)
    comment: str | None


@dataclass(frozen=True, slots=True)
class RenameColumnSequence(ColumnChange):
    """The sequence behind a serial or identity column follows its table or column rename.

    `old_name` is the name PostgreSQL would have given it; the SQL finds the sequence the
    column really owns, so a sequence renamed by hand long ago is found too.
    """

    DESCRIPTION = "sequence {s} has another name"
    EFFECTS = brief()  # on the sequence
    old_name: str
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.old_name}"  # a sequence is a relation of its schema


# -- constraints

@dataclass(frozen=True, slots=True)
class ConstraintChange(TableChange):
    """A change to one constraint of a table; constraint names are unique per table."""

    @property
    def constraint_name(self) -> str:
        raise NotImplementedError

    @property
    def subject(self) -> str:
        return f"{self.table.key}.{self.constraint_name}"


@dataclass(frozen=True, slots=True)
class WholeConstraintChange(ConstraintChange):
    """A primary key, unique, check or exclusion constraint added or dropped whole."""

    constraint: PrimaryKey | Unique | Check | Exclusion

    @property
    def constraint_name(self) -> str:
        return self.constraint.name


@dataclass(frozen=True, slots=True)
class AddConstraint(WholeConstraintChange):
    DESCRIPTION = "constraint {s} is missing or differs"
    not_valid: bool = False  # online: existing rows are checked later, by ValidateConstraint
    EFFECTS = Effects(Lock.ACCESS_EXCLUSIVE, scans=True, fails_on_rows=True)  # refined below

    @property
    def effects(self) -> Effects:
        if self.not_valid:  # no row read: ValidateConstraint does that
            return brief()
        online = None
        # schemac builds a key's index inside ADD CONSTRAINT: the advice says what the YAML can do
        if isinstance(self.constraint, PrimaryKey):
            online = ("schemac builds a primary key's index under this lock: add the key while the table is "
                      "small, or acknowledge it with `allow: [lock]`")
        elif isinstance(self.constraint, Unique):
            online = ("declare a unique index with `concurrently: true` instead (the same uniqueness; foreign "
                      "keys can reference it), or acknowledge it with `allow: [lock]`")
        elif isinstance(self.constraint, Check):
            online = "add `online: true` to the check (NOT VALID, then VALIDATE in a transaction of its own)"
        return Effects(Lock.ACCESS_EXCLUSIVE, scans=True, fails_on_rows=True, online=online)


@dataclass(frozen=True, slots=True)
class DropConstraint(WholeConstraintChange):
    DESCRIPTION = "constraint {s} is not in the definitions or differs"
    EFFECTS = brief()


@dataclass(frozen=True, slots=True)
class RenameConstraint(ConstraintChange):
    DESCRIPTION = "constraint {s} has another name"
    EFFECTS = brief()
    old_name: str
    new_name: str

    @property
    def constraint_name(self) -> str:
        return self.old_name


@dataclass(frozen=True, slots=True)
class ForeignKeyChange(ConstraintChange):
    foreign_key: ForeignKey  # as it will be, but for a drop

    @property
    def constraint_name(self) -> str:
        return self.foreign_key.name


@dataclass(frozen=True, slots=True)
class AddForeignKey(ForeignKeyChange):
    DESCRIPTION = "foreign key {s} is missing or differs"
    not_valid: bool = False  # online: existing rows are checked later, by ValidateConstraint
    EFFECTS = Effects(Lock.SHARE_ROW_EXCLUSIVE, scans=True, fails_on_rows=True,  # on both tables
                      online="add `online: true` to the foreign key (NOT VALID, then VALIDATE under SHARE UPDATE "
                             "EXCLUSIVE in a transaction of its own: reads and writes go on)")

    @property
    def effects(self) -> Effects:
        return brief(Lock.SHARE_ROW_EXCLUSIVE) if self.not_valid else self.EFFECTS


@dataclass(frozen=True, slots=True)
class DropForeignKey(ForeignKeyChange):
    DESCRIPTION = "foreign key {s} is not in the definitions or differs"
    EFFECTS = brief()  # on both tables


@dataclass(frozen=True, slots=True)
class ValidateConstraint(ConstraintChange):
    """A check or foreign key added NOT VALID checked against the rows already there, in a
    transaction of its own (SHARE UPDATE EXCLUSIVE: reads and writes go on meanwhile)."""

    DESCRIPTION = "constraint {s} is not validated"
    EFFECTS = Effects(Lock.SHARE_UPDATE_EXCLUSIVE, scans=True, fails_on_rows=True)
    constraint: str
    # the column whose online SET NOT NULL this check serves: it is dropped once the column is
    # NOT NULL, so that is what says the validation is done
    not_null_of: str | None = None

    @property
    def constraint_name(self) -> str:
        return self.constraint


@dataclass(frozen=True, slots=True)
class SetConstraintComment(ConstraintChange):
    DESCRIPTION = "constraint {s} has another comment"
    EFFECTS = brief(Lock.ACCESS_SHARE)
    constraint: str
    comment: str | None

    @property
    def constraint_name(self) -> str:
        return self.constraint


@dataclass(frozen=True, slots=True)
class SetForeignKeyDeferrable(ForeignKeyChange):
    """A foreign key's timing changed in place (ALTER CONSTRAINT ... [NOT] DEFERRABLE)."""

    DESCRIPTION = "foreign key {s} is deferrable or deferred otherwise"
    EFFECTS = brief()


# -- indexes

@dataclass(frozen=True, slots=True)
class IndexChange(TableChange):
    """A change to one index of a table; an index is a relation, named within its schema."""

    @property
    def index_name(self) -> str:
        raise NotImplementedError

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.index_name}"


@dataclass(frozen=True, slots=True)
class WholeIndexChange(IndexChange):
    """An index created or dropped whole."""

    index: Index

    @property
    def index_name(self) -> str:
        return self.index.name


@dataclass(frozen=True, slots=True)
class CreateIndex(WholeIndexChange):
    DESCRIPTION = "index {s} is missing or differs"
    concurrently: bool = False  # CREATE INDEX CONCURRENTLY, outside any transaction (plan/online.py)
    # set where the index asks for `concurrently` but is built plainly: why (plan/online.py)
    built_plainly: str | None = None
    # ON ONLY: a partitioned table's index alone, its partitions' built concurrently and attached
    # after (plan/online_partitions.py); it reads no row
    only: bool = False
    EFFECTS = Effects(Lock.SHARE, scans=True, online=CONCURRENTLY)  # refined below

    @property
    def effects(self) -> Effects:
        if getattr(self, "only", False):
            return brief(Lock.SHARE)
        # a `concurrently` field, where the index asks for it, builds without blocking writes
        if getattr(self, "concurrently", False):
            return Effects(Lock.SHARE_UPDATE_EXCLUSIVE, scans=True, fails_on_rows=self.index.unique)
        return Effects(Lock.SHARE, scans=True, fails_on_rows=self.index.unique,
                       online=getattr(self, "built_plainly", None) or CONCURRENTLY)


@dataclass(frozen=True, slots=True)
class DropIndex(WholeIndexChange):
    DESCRIPTION = "index {s} is not in the definitions or differs"
    concurrently: bool = False  # DROP INDEX CONCURRENTLY, outside any transaction (plan/online.py)
    EFFECTS = brief()  # refined below

    @property
    def effects(self) -> Effects:
        return brief(Lock.SHARE_UPDATE_EXCLUSIVE if getattr(self, "concurrently", False) else Lock.ACCESS_EXCLUSIVE)


@dataclass(frozen=True, slots=True)
class RenameIndex(IndexChange):
    DESCRIPTION = "index {s} has another name"
    EFFECTS = brief(Lock.SHARE_UPDATE_EXCLUSIVE)
    old_name: str
    new_name: str

    @property
    def index_name(self) -> str:
        return self.old_name

    @property
    def object_key(self) -> str:
        return self.subject  # renames of relations start from their names, whatever their tables


@dataclass(frozen=True, slots=True)
class IndexPropertyChange(IndexChange):
    """An index altered where it stands, named by its name alone."""

    index: str

    @property
    def index_name(self) -> str:
        return self.index


@dataclass(frozen=True, slots=True)
class SetIndexStorage(IndexPropertyChange):
    """Storage parameters of an index changed in place (ALTER INDEX ... SET / RESET)."""

    DESCRIPTION = "index {s} has other storage parameters"
    EFFECTS = brief(Lock.SHARE_UPDATE_EXCLUSIVE)
    set: tuple[tuple[str, str], ...]  # parameters given a new value
    reset: tuple[str, ...]  # parameters back to their defaults


@dataclass(frozen=True, slots=True)
class SetIndexComment(IndexPropertyChange):
    DESCRIPTION = "index {s} has another comment"
    EFFECTS = brief(Lock.SHARE_UPDATE_EXCLUSIVE)
    comment: str | None


# the change kinds of partitioned tables, functions, procedures, triggers, row-level security,
# policies, privileges, schema comments, standalone sequences and domains live in modules of their
# own, imported here so change_kinds() finds them (and `ch.CreateSequence` reads like every other kind)
from . import (  # noqa: E402,F401
    called_function_changes,  # noqa: E402,F401
    routine_changes,
    security_changes,
)
from .domain_changes import AddDomainCheck as AddDomainCheck  # noqa: E402
from .domain_changes import CreateDomain as CreateDomain  # noqa: E402
from .domain_changes import DomainChange as DomainChange  # noqa: E402
from .domain_changes import DropDomain as DropDomain  # noqa: E402
from .domain_changes import DropDomainCheck as DropDomainCheck  # noqa: E402
from .domain_changes import DropDomainDefault as DropDomainDefault  # noqa: E402
from .domain_changes import DropDomainNotNull as DropDomainNotNull  # noqa: E402
from .domain_changes import RenameDomain as RenameDomain  # noqa: E402
from .domain_changes import RenameDomainCheck as RenameDomainCheck  # noqa: E402
from .domain_changes import SetDomainComment as SetDomainComment  # noqa: E402
from .domain_changes import SetDomainDefault as SetDomainDefault  # noqa: E402
from .domain_changes import SetDomainNotNull as SetDomainNotNull  # noqa: E402
from .domain_changes import ValidateDomainCheck as ValidateDomainCheck  # noqa: E402
from .partition_changes import AttachIndex as AttachIndex  # noqa: E402
from .partition_changes import AttachPartition as AttachPartition  # noqa: E402
from .partition_changes import CreatePartition as CreatePartition  # noqa: E402
from .partition_changes import DetachPartition as DetachPartition  # noqa: E402
from .partition_changes import DropPartition as DropPartition  # noqa: E402
from .sequence_changes import AlterSequence as AlterSequence  # noqa: E402
from .sequence_changes import CreateSequence as CreateSequence  # noqa: E402
from .sequence_changes import DropSequence as DropSequence  # noqa: E402
from .sequence_changes import DropSequenceOwner as DropSequenceOwner  # noqa: E402
from .sequence_changes import RenameSequence as RenameSequence  # noqa: E402
from .sequence_changes import SequenceChange as SequenceChange  # noqa: E402
from .sequence_changes import SetSequenceComment as SetSequenceComment  # noqa: E402
from .sequence_changes import SetSequenceLogged as SetSequenceLogged  # noqa: E402
from .sequence_changes import SetSequenceOwner as SetSequenceOwner  # noqa: E402

# -- views and materialized views: their own module, listed here with the rest (after Change, which
# they subclass)
from .view_changes import *  # noqa: E402, F403
