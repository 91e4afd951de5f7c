"""The one schema model: frozen dataclasses holding canonical values only.

YAML, state.json and a live database are three ways of reading a Schema; two schemas are
equal when `diff(a, b) == []`. Hints that only steer a diff (`renamed_from`), how to build an
object on a live table (`concurrently`, `online`: no catalog holds them) and the written text of
expressions take no part in equality.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar

from .security import Grants, Namespace, Policy
from .warehouse import Warehouse

if TYPE_CHECKING:  # their modules use Expression from here
    from .domains import Domain
    from .partitions import Partition, PartitionKey
    from .routines import Routine, Trigger
    from .standalone_sequences import Sequence
    from .view import View


@dataclass(frozen=True, slots=True)
class CastName:
    """A type named in a cast without its schema (`x::mood`, `CAST(x AS mood)`), which DDL
    qualifies (see qualify.py): where the name starts in the expression's text, and how it reads."""

    start: int
    name: str  # as written, without its quotes
    quoted: bool


@dataclass(frozen=True, slots=True)
class Expression:
    """A SQL expression, read once when the model is built (see expressions.py).

    `text` is emitted into DDL as written; `normal` is what compares: a structural form with
    parentheses and spelling differences gone, in which every odd item is the name of a column
    the expression reads, so a column rename maps those items and nothing is read again.
    The rest are facts of the text that later stages need.
    """

    text: str = field(compare=False)
    normal: tuple[str, ...]
    columns: tuple[str, ...] = field(default=(), compare=False)  # read, in order of first use
    literals: frozenset[str] = field(default=frozenset(), compare=False)  # every string constant
    casts: tuple[CastName, ...] = field(default=(), compare=False)  # to types DDL names with their schema
    bare_default: bool = field(default=False, compare=False)  # may follow DEFAULT without brackets
    index_label: str = field(default="expr", compare=False)  # its part of a default index name
    volatile: bool = field(default=False, compare=False)  # calls a VOLATILE function (random(), nextval())
    calls: tuple[str, ...] = field(default=(), compare=False)  # names of the functions it calls (routine_uses.py)

    def __str__(self) -> str:
        return self.text

    def with_columns_renamed(self, renames: Mapping[str, str]) -> Expression:
        """The expression as PostgreSQL holds it after its columns were renamed (RENAME COLUMN
        rewrites stored expressions): the written text is kept, the columns follow the new names."""
        moved = {old: new for old, new in renames.items() if old != new and old in self.columns}
        if not moved:
            return self
        normal = tuple(moved.get(item, item) if i % 2 else item for i, item in enumerate(self.normal))
        columns = tuple(dict.fromkeys(moved.get(c, c) for c in self.columns))
        return replace(self, normal=normal, columns=columns)


# a serial column is an integer column with a sequence of its own as its default
SERIAL_SPELLINGS = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # as format_type() prints it (a serial column's: integer, bigint or smallint)
    nullable: bool = True
    default: Expression | None = None  # never a serial column's own nextval(...)
    identity: str | None = None  # 'always' | 'by default'
    generated: Expression | None = None  # stored generated column
    comment: str | None = None
    renamed_from: str | None = field(default=None, compare=False)
    collation: str | None = None  # when not the type's default: 'name' or 'schema.name'
    # options of the identity or serial sequence that differ from the defaults (see sequences.py)
    sequence: tuple[tuple[str, int | bool], ...] = ()
    serial: bool = False  # serial, bigserial or smallserial, by its integer type
    # SET NOT NULL through a NOT VALID check validated apart (plan/online.py); its reference and
    # check are made online too (the builder sets theirs)
    online: bool = field(default=False, compare=False)

    @property
    def declared_type(self) -> str:
        """The type as a column definition declares it: `serial` for a serial integer column."""
        return SERIAL_SPELLINGS[self.type] if self.serial else self.type


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    KIND: ClassVar[str] = "primary key"
    name: str
    columns: tuple[str, ...]
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Unique:
    KIND: ClassVar[str] = "unique"
    name: str
    columns: tuple[str, ...]
    nulls_not_distinct: bool = False
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Check:
    KIND: ClassVar[str] = "check"
    name: str
    expression: Expression
    no_inherit: bool = False
    comment: str | None = None
    online: bool = field(default=False, compare=False)  # added NOT VALID, validated apart
    # pg_constraint.convalidated: False only when read from a database (NOT VALID, rows unchecked)
    valid: bool = True


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str = "no action"
    on_update: str = "no action"
    deferrable: bool = False
    initially_deferred: bool = False
    match: str = "simple"  # 'simple' | 'full'
    comment: str | None = None
    online: bool = field(default=False, compare=False)  # added NOT VALID, validated apart
    # pg_constraint.convalidated: False only when read from a database (NOT VALID, rows unchecked)
    valid: bool = True

    def rebuilt_form(self) -> ForeignKey:
        """The key without what ALTER CONSTRAINT, VALIDATE CONSTRAINT and COMMENT change in place."""
        return replace(self, deferrable=False, initially_deferred=False, comment=None, valid=True)

    @property
    def ref_key(self) -> str:
        return f"{self.ref_schema}.{self.ref_table}"


@dataclass(frozen=True, slots=True)
class IndexPart:
    """One element of an index: a column or an expression, with its order and operator class.

    `nulls` is kept only when it differs from the order's default (last for asc, first for
    desc), and `opclass` only when it is not the type's default, as pg_get_indexdef prints them.
    """

    column: str | None = None
    expression: Expression | None = None
    order: str = "asc"  # 'asc' | 'desc'
    nulls: str | None = None  # 'first' | 'last', when not the default for `order`
    opclass: str | None = None  # 'name' or 'schema.name'

    def options(self) -> dict[str, str]:
        """The options that differ from the defaults, keyed as definitions and state.json write them."""
        out = {"order": self.order} if self.order != "asc" else {}
        if self.nulls is not None:
            out["nulls"] = self.nulls
        if self.opclass is not None:
            out["opclass"] = self.opclass
        return out

    @property
    def has_options(self) -> bool:
        return bool(self.options())


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    parts: tuple[IndexPart, ...]
    unique: bool = False
    using: str = "btree"
    where: Expression | None = None
    include: tuple[str, ...] = ()  # non-key columns (INCLUDE)
    storage: tuple[tuple[str, str], ...] = ()  # storage parameters (WITH), sorted by name
    nulls_not_distinct: bool = False
    comment: str | None = None
    concurrently: bool = field(default=False, compare=False)  # built and dropped CONCURRENTLY
    # pg_index.indisvalid: False only when read from a database (a concurrent build that failed;
    # it costs every write and answers no query): only a rebuild mends it
    valid: bool = True

    def rebuilt_form(self) -> Index:
        """The index without what ALTER INDEX and COMMENT change in place."""
        return replace(self, storage=(), comment=None)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """EXCLUDE USING method (part WITH operator, ...): no two rows whose parts all match."""

    KIND: ClassVar[str] = "exclude"
    name: str
    parts: tuple[IndexPart, ...]
    operators: tuple[str, ...]  # one per part
    using: str = "gist"
    where: Expression | None = None
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None


Constraint = PrimaryKey | Unique | Check | ForeignKey | Exclusion


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: PrimaryKey | None = None
    uniques: tuple[Unique, ...] = ()
    checks: tuple[Check, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    renamed_from: str | None = field(default=None, compare=False)
    exclusions: tuple[Exclusion, ...] = ()
    # its BigQuery copy (model/warehouse.py): no PostgreSQL object, so no part of equality or state.json
    warehouse: Warehouse | None = field(default=None, compare=False)
    # a partitioned table: its key and its partitions (model/partitions.py)
    partition_by: PartitionKey | None = None
    partitions: tuple[Partition, ...] = ()
    # row-level security (model/security.py): ENABLE / FORCE ROW LEVEL SECURITY, its policies
    row_security: bool = False
    force_row_security: bool = False
    policies: tuple[Policy, ...] = ()  # sorted by name
    grants: Grants = ()  # its ACL but the owner's (model/security.py)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    @property
    def constraints(self) -> tuple[PrimaryKey | Unique | Check | Exclusion, ...]:
        """All constraints but foreign keys' companions, primary key first."""
        pk: tuple[PrimaryKey, ...] = (self.primary_key,) if self.primary_key else ()
        return pk + self.uniques + self.checks + self.exclusions


@dataclass(frozen=True, slots=True)
class Enum:
    schema: str
    name: str
    values: tuple[str, ...]
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Extension:
    name: str
    schema: str = "public"  # where its types live; CREATE EXTENSION's default with the default search_path


@dataclass(frozen=True, slots=True)
class Schema:
    """A whole database schema. Keys are 'schema.name' (extensions: their name)."""

    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)
    routines: dict[str, Routine] = field(default_factory=dict)  # functions and procedures, by schema.name(types)
    triggers: dict[str, Trigger] = field(default_factory=dict)  # by schema.table.name
    # views and materialized views (model/view.py), in one namespace and one dependency graph
    views: dict[str, View] = field(default_factory=dict)
    # schemas declared by `schema:` documents (their comments and grants), by name
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    sequences: dict[str, Sequence] = field(default_factory=dict)  # standalone ones (model/standalone_sequences.py)
    domains: dict[str, Domain] = field(default_factory=dict)  # model/domains.py

    @property
    def schema_names(self) -> frozenset[str]:
        """Schemas other than public that hold a table, a view, a type or a routine (an extension's among
        them), or are declared."""
        from .partitions import all_partitions  # a partition may be in a schema of its own
        names = ({t.schema for t in self.tables.values()} | {e.schema for e in self.enums.values()}
                 | {x.schema for x in self.extensions.values()} | {r.schema for r in self.routines.values()}
                 | {q.schema for q in self.sequences.values()} | {d.schema for d in self.domains.values()}
                 | {v.schema for v in self.views.values()}
                 | {p.schema for t in self.tables.values() if t.partitions
                    for _, _, p in all_partitions(t.schema, t.name, t.partitions)} | set(self.namespaces))
        return frozenset(names - {"public"})
