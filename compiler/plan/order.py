"""The plan: the changes diff found, put in an order PostgreSQL accepts and cut into blocks.

diff says what changes; this module says when. Every ordering rule is one named step of
`order()`, run in this sequence:

1. renames through free names: columns, then tables, then the sequences, indexes and
   constraints that share a schema's or a table's namespace (chains back to front, swaps and
   cycles through a temporary name);
2. foreign-key rebuilds: keys leaning on a key that is rebuilt, or whose columns change type on
   both sides, are dropped and added again;
3. the phases: PHASES, a tuple of named groups of change kinds (drops before renames, renames
   before creations, ...), then a stable sort by phase and by the object a change touches;
4. the online forms (plan/online.py) and the blocks: one transaction, or two when a new enum value
   is used by a later change (PostgreSQL cannot use a value in the transaction that added it);
   then a follow-up transaction validating what was added NOT VALID, then the statements that
   run outside any transaction (CREATE / DROP INDEX CONCURRENTLY).
"""
from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import TypeVar

from ..model.schema import Check, Expression, PrimaryKey, Schema, Unique
from ..model.types import enum_type_spelling
from . import called_function_changes as cf
from . import changes as ch
from . import routine_changes as rc
from . import security_changes as sec
from .online import online_parts
from .renames import NameMove, Renames, move_steps, rename_steps


class BlockKind(enum.Enum):
    TRANSACTION = "transaction"
    # a transaction of its own, committed before the next block uses the enum values it adds
    ENUM_COMMIT = "enum-commit"
    # after the migration's row is written: validations of what was added NOT VALID
    FOLLOW_UP = "follow-up-transaction"
    # statements PostgreSQL refuses to run in a transaction block, each run on its own, last
    OUTSIDE_TRANSACTION = "outside-transaction"


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    changes: tuple[ch.Change, ...]
    note: str | None = None  # why this block stands on its own, for the reader of the file


@dataclass(frozen=True, slots=True)
class Plan:
    """Ordered blocks of typed changes: what a migration file holds, before it is SQL."""

    blocks: tuple[Block, ...]

    @property
    def changes(self) -> list[ch.Change]:
        return [c for b in self.blocks for c in b.changes]


# -- phases: groups of change kinds, in the order they run

# policies first: PostgreSQL refuses to drop a view a policy reads, and nothing depends on a policy
POLICY_DROPS = (sec.DropPolicy,)
# views next: PostgreSQL refuses to change or drop what a view reads (deepest views first)
VIEW_DROPS = (ch.DropView, ch.DropMaterializedView)
NAMESPACES = (ch.CreateSchema, ch.CreateExtension, ch.SetExtensionSchema)
# a recreated enum is renamed out of the way first; new values before anything uses them
ENUMS_BEFORE_USE = (ch.RenameEnum, ch.CreateEnum, ch.AddEnumValue)
# functions that defaults, checks, indexes, generated columns, partition keys and domains call:
# after the enums their arguments may be, before their callers (model/routine_uses.py); a
# replaced one moved aside first, so its successor can take the name
CALLED_FUNCTIONS_BEFORE_USE = (cf.RenameFunctionAside, cf.CreateCalledFunction)
# sequences before the defaults that call them and the domains whose defaults may; domains after the
# enums they may be over, each after the domain it is over (diff's order), before the tables using them
SEQUENCES_AND_DOMAINS_BEFORE_USE = (
    ch.CreateSequence, ch.RenameDomain, ch.SetDomainSchema, ch.CreateDomain, ch.DropDomainCheck, ch.RenameDomainCheck,
    ch.DropDomainDefault, ch.DropDomainNotNull, ch.SetDomainDefault, ch.SetDomainNotNull, ch.AddDomainCheck,
    ch.ValidateDomainCheck,
)
# a called function over a domain: after the domains, before the tables that call it
CALLED_FUNCTIONS_OVER_DOMAINS = (cf.CreateCalledFunctionOverDomain,)
# drops before renames and additions, which may reuse their names; keys before what they lean on;
# triggers before their tables and columns, routines after the tables whose defaults call them
# (a partition whose bounds change leaves its parent here, and comes back once the new partitions are in)
DROPS_BEFORE_RENAMES = (ch.DropSequenceOwner, rc.DropTrigger, ch.DropForeignKey, ch.DropIndex,
                        ch.DropConstraint, ch.DropColumn, ch.DropPartition, ch.DetachPartition, ch.DropTable,
                        rc.DropFunction, rc.DropProcedure)
# renames of names that share namespaces (a schema's relations, a table's constraints) are one
# phase, kept in the order the rename steps give them
NAME_MOVES = (ch.RenameColumnSequence, ch.RenameSequence, ch.RenameConstraint, ch.RenameIndex)
# functions and procedures share a namespace: one phase, in the order of their rename steps
ROUTINE_RENAMES = (rc.RenameFunction, rc.RenameProcedure)
RENAMES = (ch.RenameTable, ch.RenameColumn, *NAME_MOVES, *ROUTINE_RENAMES, rc.RenameTrigger,
           ch.RenameView, ch.RenameMaterializedView,
           ch.SetSequenceSchema)  # renamed in its old schema first; before the defaults that name it
# without their foreign keys: cycles and self-references need nothing; partitions once their parents are there
CREATE_TABLES = (ch.CreateTable, ch.CreatePartition, ch.AttachPartition)
COLUMNS = (
    ch.DropGeneration, ch.DropIdentity, ch.DropDefault, ch.DropSerial, ch.AlterColumnType, ch.SetCollation,
    ch.AddColumn,  # after type changes: a generated column may read a column whose type changes
    ch.DropNotNull, ch.AddNotNullCheck, ch.SetNotNull,
    ch.SetDefault, ch.AddSerial, ch.AddIdentity, ch.SetIdentity, ch.SetSequenceType, ch.SerialToIdentity,
    ch.IdentityToSerial, ch.SetSequenceOptions,
)
# a standalone sequence after renames (its new name) and columns (its owner)
SEQUENCES_AFTER_COLUMNS = (ch.AlterSequence, ch.SetSequenceLogged, ch.SetSequenceOwner)
# routines once the tables and columns a sql body reads are there (PostgreSQL checks a sql body
# when it is created), triggers once their routines are
ROUTINES = (rc.CreateFunction, rc.ReplaceFunction, rc.CreateProcedure, rc.ReplaceProcedure, rc.CreateTrigger,
            rc.SetTriggerEnabled)
COMMENTS = (sec.SetSchemaComment, ch.SetSequenceComment, ch.SetDomainComment, ch.SetEnumComment, ch.SetTableComment,
            ch.SetColumnComment, rc.SetFunctionComment, rc.SetProcedureComment, rc.SetTriggerComment)
# foreign keys last among additions: the keys and unique indexes they reference exist by then
# (ValidateConstraint: only plan/online.py makes one, in a follow-up block of its own)
# (AttachIndex: only plan/online_partitions.py makes one, outside the transaction)
KEYS_AND_INDEXES = (ch.AddConstraint, ch.CreateIndex, ch.AttachIndex, ch.AddForeignKey, ch.ValidateConstraint,
                    ch.SetForeignKeyDeferrable, ch.SetConstraintComment, ch.SetIndexStorage, ch.SetIndexComment)
# views once what they read is complete, in dependency order (one phase: a view replaced may
# read one created); a materialized view's indexes come with it
VIEW_BUILDS = (ch.CreateView, ch.CreateMaterializedView, ch.ReplaceView)
VIEWS = (ch.RenameViewColumn, *VIEW_BUILDS, ch.RefreshMaterializedView, ch.SetViewOptions, ch.SetViewComment,
         ch.SetViewColumnComment, rc.CreateViewTrigger)  # a view's triggers once it is there
# policies once the tables, columns (and functions) they read are there; switched on after them
ROW_SECURITY = (sec.RenamePolicy, sec.DisableRowSecurity, sec.NoForceRowSecurity, sec.AlterPolicy, sec.CreatePolicy,
                sec.SetPolicyComment, sec.EnableRowSecurity, sec.ForceRowSecurity)
GRANTS = (sec.Revoke, sec.Grant)  # last of all: every object they name exists by now
# once nothing uses them: a domain before the enum it may be over and the sequence its default may call
# (a function tables or domains called once they are gone, before the enums its arguments may be)
DROPS_LAST = (cf.DropCalledFunctionOverDomain, ch.DropDomain, ch.DropSequence, cf.DropCalledFunction, ch.DropEnum,
              ch.DropExtension, ch.DropSchema)

PHASES: tuple[type[ch.Change], ...] = (
    *POLICY_DROPS,
    *VIEW_DROPS, *NAMESPACES, *ENUMS_BEFORE_USE, *CALLED_FUNCTIONS_BEFORE_USE, *SEQUENCES_AND_DOMAINS_BEFORE_USE,
    *CALLED_FUNCTIONS_OVER_DOMAINS, *DROPS_BEFORE_RENAMES, *RENAMES, *CREATE_TABLES, *COLUMNS,
    *SEQUENCES_AFTER_COLUMNS, *ROUTINES, *COMMENTS, *KEYS_AND_INDEXES, *VIEWS, *ROW_SECURITY, *GRANTS, *DROPS_LAST,
)
_PHASE = ({kind: i for i, kind in enumerate(PHASES)} | {kind: PHASES.index(NAME_MOVES[0]) for kind in NAME_MOVES}
          | {kind: PHASES.index(VIEW_DROPS[0]) for kind in VIEW_DROPS}
          | {kind: PHASES.index(VIEW_BUILDS[0]) for kind in VIEW_BUILDS}
          | {kind: PHASES.index(ROUTINE_RENAMES[0]) for kind in ROUTINE_RENAMES})
_IN_STEP_ORDER = (ch.RenameTable, *NAME_MOVES)  # ordered by their rename steps, not by object
# each domain after (dropped before) the one it is over; routine renames in their steps (diff_routines.py)
_IN_DIFF_ORDER = (ch.CreateDomain, ch.DropDomain, *ROUTINE_RENAMES)
_C = TypeVar("_C", bound=ch.Change)


def order(old: Schema, new: Schema, renames: Renames, changes: list[ch.Change]) -> Plan:
    """The changes that turn `old` into `new` (as diff found them, renames resolved in `renames`)
    in an order PostgreSQL accepts, cut into blocks."""
    changes = order_column_renames(old, renames, changes)
    changes = order_table_renames(old, new, renames, changes)
    rebuilt = rebuild_dependent_foreign_keys(new, renames, changes)
    changes = without_renames_of_rebuilt_keys(changes, rebuilt)
    changes = order_name_moves(new, changes) + rebuilt
    parts = online_parts(old, new, sort_by_phase(changes))
    blocks = cut_blocks(parts.transaction) if parts.transaction or not (parts.follow_up or parts.outside) else ()
    if parts.follow_up:
        domains = any(isinstance(c, ch.ValidateDomainCheck) for c in parts.follow_up)
        blocks += (Block(BlockKind.FOLLOW_UP, tuple(parts.follow_up),
                         FOLLOW_UP_NOTE + (DOMAIN_FOLLOW_UP_NOTE if domains else "")),)
    if parts.outside:
        blocks += (Block(BlockKind.OUTSIDE_TRANSACTION, tuple(parts.outside), OUTSIDE_NOTE),)
    return Plan(blocks)


FOLLOW_UP_NOTE = ("Follow-up, after the migration is recorded: what was added NOT VALID above is checked against "
                  "the existing rows here while reads and writes go on (SHARE UPDATE EXCLUSIVE); SET NOT NULL "
                  "after its validated check reads no row.")
# PostgreSQL validates a domain's check under SHARE on each table with a column of it
DOMAIN_FOLLOW_UP_NOTE = " A domain's check is validated under SHARE on each table of the domain: writes to them wait."
OUTSIDE_NOTE = ("Outside any transaction, one statement at a time (CONCURRENTLY refuses a transaction block), "
                "after the migration is recorded; apply finishes them if one fails.")


# -- 1. renames through free names

def order_column_renames(old: Schema, renames: Renames, changes: list[ch.Change]) -> list[ch.Change]:
    """Column renames of each table in an order that frees each name before it is taken. Drops
    run first, so only the columns that stay hold their names while renaming."""
    moves: dict[ch.TableName, list[tuple[str, str]]] = {}
    for c in changes:
        if isinstance(c, ch.RenameColumn):
            moves.setdefault(c.table, []).append((c.column, c.new_name))
    if not moves:
        return changes
    dropped: dict[ch.TableName, set[str]] = {}
    for c in changes:
        if isinstance(c, ch.DropColumn):
            dropped.setdefault(c.table, set()).add(c.column)
    old_key = {new_key: old_key for old_key, new_key in renames.tables.items()}
    ordered: list[ch.Change] = []
    for table, pairs in moves.items():
        was = old.tables[old_key.get(table.key, table.key)]
        gone = dropped.get(ch.TableName(was.schema, was.name), set())
        staying = {col.name for col in was.columns if col.name not in gone}
        ordered += [ch.RenameColumn(table, o, n) for o, n in rename_steps(pairs, staying)]
    return [c for c in changes if not isinstance(c, ch.RenameColumn)] + ordered


def order_table_renames(old: Schema, new: Schema, renames: Renames, changes: list[ch.Change]) -> list[ch.Change]:
    """Table renames in an order that frees each name before it is taken (chains, swaps)."""
    moves = [c for c in changes if isinstance(c, ch.RenameTable)]
    if len(moves) < 2:
        return changes
    ordered: list[ch.Change] = []
    for schema in sorted({c.schema for c in moves}):
        staying = {t.name for k, t in old.tables.items() if t.schema == schema and renames.table(k) in new.tables}
        pairs = [(c.old_name, c.new_name) for c in moves if c.schema == schema]
        ordered += [ch.RenameTable(ch.TableName(schema, o), n) for o, n in rename_steps(pairs, staying)]
    return [c for c in changes if not isinstance(c, ch.RenameTable)] + ordered


def _index_backed(new: Schema, c: ch.RenameConstraint) -> bool:
    """Is the renamed constraint one whose index carries its name (primary key, unique)?"""
    table = new.tables.get(c.table.key)
    return table is not None and any(k.name == c.new_name for k in table.constraints if not isinstance(k, Check))


def by_kind_and_object(changes: list[_C]) -> list[_C]:
    """Changes sorted by their kind's place in PHASES, then by object: the order renames start from."""
    return sorted(changes, key=lambda c: (PHASES.index(type(c)), c.object_key))


def order_name_moves(new: Schema, changes: list[ch.Change]) -> list[ch.Change]:
    """Sequence, index and constraint renames in an order that frees each name before it is taken.

    They follow table and column renames, and share namespaces: sequences, indexes and the
    indexes of primary keys and unique constraints are relations of their schema; constraint
    names are unique per table. When tables chain or swap, so do their default-named objects
    (a_pkey -> b_pkey while b_pkey -> c_pkey), so they are ordered together, through a free
    name where they form a cycle.
    """
    moves = by_kind_and_object([c for c in changes if isinstance(c, NAME_MOVES)])
    if not moves:
        return changes

    def spaces(c: ch.RenameColumnSequence | ch.RenameSequence | ch.RenameConstraint | ch.RenameIndex
               ) -> tuple[object, ...]:
        if isinstance(c, ch.RenameConstraint):
            table = ("constraint", c.table)
            return (table, ("relation", c.schema)) if _index_backed(new, c) else (table,)
        return (("relation", c.schema),)

    steps = move_steps([NameMove(c.old_name, c.new_name, spaces(c)) for c in moves])
    return ([c for c in changes if not isinstance(c, NAME_MOVES)]
            + [replace(moves[i], old_name=step.old, new_name=step.new) for i, step in steps])


# -- 2. foreign-key rebuilds

def rebuild_dependent_foreign_keys(new: Schema, renames: Renames, planned: list[ch.Change]) -> list[ch.Change]:
    """Foreign keys leaning on a key that is dropped and re-added must be dropped and re-added too,
    and so must those whose columns change type on both sides: between the two ALTERs the key
    would compare values of unrelated types (text against integer), which PostgreSQL refuses."""
    def now(table: ch.TableName) -> str:  # drops name tables as they were
        return renames.table(table.key)

    # (table, columns) of keys dropped and added again; an expression part of an index is None
    dropped: set[tuple[str, frozenset[str | None]]]
    dropped = {(now(c.table), frozenset(c.constraint.columns)) for c in planned
               if isinstance(c, ch.DropConstraint) and isinstance(c.constraint, PrimaryKey | Unique)}
    dropped |= {(now(c.table), frozenset(p.column for p in c.index.parts)) for c in planned
                if isinstance(c, ch.DropIndex) and c.index.unique}
    touched = {(now(c.table), c.foreign_key.name) for c in planned
               if isinstance(c, ch.DropForeignKey | ch.AddForeignKey)}
    retyped = {(c.table.key, c.column) for c in planned if isinstance(c, ch.AlterColumnType)}
    old_names = {new_key: old_key.split(".", 1)[1] for old_key, new_key in renames.tables.items()}
    # drops run before renames: a key renamed in this migration is dropped under its old name
    renamed = {(c.table, c.new_name): c.old_name for c in planned if isinstance(c, ch.RenameConstraint)}
    out: list[ch.Change] = []
    for t in new.tables.values():
        here = ch.TableName(t.schema, t.name)
        for fk in t.foreign_keys:
            both_retyped = any((t.key, c) in retyped and (fk.ref_key, r) in retyped
                               for c, r in zip(fk.columns, fk.ref_columns, strict=True))
            rebuilt = (fk.ref_key, frozenset(fk.ref_columns)) in dropped or both_retyped
            if rebuilt and (t.key, fk.name) not in touched:
                was = replace(fk, name=renamed.get((here, fk.name), fk.name))
                out += [ch.DropForeignKey(ch.TableName(t.schema, old_names.get(t.key, t.name)), was),
                        ch.AddForeignKey(here, fk)]
    return out


def without_renames_of_rebuilt_keys(changes: list[ch.Change], rebuilt: list[ch.Change]) -> list[ch.Change]:
    """A key dropped under its old name and added under its new one is not renamed as well."""
    superseded = {(c.table, c.foreign_key.name) for c in rebuilt if isinstance(c, ch.AddForeignKey)}
    return [c for c in changes if not (isinstance(c, ch.RenameConstraint) and (c.table, c.new_name) in superseded)]


# -- 3. phases

def sort_by_phase(changes: list[ch.Change]) -> list[ch.Change]:
    """Changes sorted by phase, then by the object they touch; stable, so generation order holds
    within one object (column order, enum value order). Renames ordered by their steps keep that
    order within their schema."""
    over_dropped = _routines_over_dropped_tables(changes)

    def key(c: ch.Change) -> tuple[int, str]:
        if id(c) in over_dropped:  # before every table dropped: "" sorts before a table's key
            return _PHASE[ch.DropTable], ""
        if isinstance(c, _IN_STEP_ORDER):
            return _PHASE[type(c)], c.schema
        if isinstance(c, _IN_DIFF_ORDER):
            return _PHASE[type(c)], ""
        return _PHASE[type(c)], c.phase_key
    return sorted(changes, key=key)


def _routines_over_dropped_tables(changes: list[ch.Change]) -> set[int]:
    """The routine drops whose arguments or result are of the row type of a table dropped too: they
    run before the table's (PostgreSQL refuses to drop a table whose row type a routine uses)."""
    tables = {enum_type_spelling(c.definition.schema, c.definition.name) for c in changes
              if isinstance(c, ch.DropTable)}
    return {id(c) for c in changes if isinstance(c, rc.DropFunction | rc.DropProcedure)
            and c.routine.types_used & tables}


# -- 4. blocks

def _exprs(value: object) -> Iterator[Expression]:
    if isinstance(value, Expression):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _exprs(item)
    elif is_dataclass(value):
        for f in fields(value):
            yield from _exprs(getattr(value, f.name))


def _types_cast_to(change: ch.Change) -> set[str]:
    """Types whose values a change converts existing rows to."""
    if isinstance(change, ch.AlterColumnType):
        return {change.new_type.removesuffix("[]")}
    return set()


def _labels_used(change: ch.Change) -> set[str]:
    """String constants the expressions of a change use (a new enum label shows up here)."""
    out: set[str] = set()
    for e in _exprs(change):
        out |= e.literals
    return out


def cut_blocks(changes: list[ch.Change]) -> tuple[Block, ...]:
    """One transaction; or two when a later change uses a new enum value, in an expression or by
    casting a column to the enum: the values are committed first."""
    adds = [c for c in changes if isinstance(c, ch.AddEnumValue)]
    if adds:
        added = {c.value for c in adds}
        grown = {enum_type_spelling(c.enum.schema, c.enum.name) for c in adds}
        split = max(i for i, c in enumerate(changes) if isinstance(c, ch.AddEnumValue)) + 1
        if any(added & _labels_used(c) or grown & _types_cast_to(c) for c in changes[split:]):
            note = (f"PostgreSQL cannot use a new enum value ({', '.join(sorted(added))}) in the transaction "
                    f"that added it, so the values are committed first.")
            return (Block(BlockKind.ENUM_COMMIT, tuple(changes[:split])),
                    Block(BlockKind.TRANSACTION, tuple(changes[split:]), note))
    return (Block(BlockKind.TRANSACTION, tuple(changes)),)
