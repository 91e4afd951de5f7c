"""The online forms of changes to tables that already hold rows, where the definitions ask for them.

A migration runs in three parts (plan/order.py cuts the blocks):

1. its transaction (or two, with new enum values), which writes the migration's row;
2. follow-up: one more transaction that validates what the first added NOT VALID (checks,
   foreign keys, the not-null check of an online SET NOT NULL, domains' checks) and finishes
   SET NOT NULL;
3. outside any transaction: CREATE / DROP INDEX CONCURRENTLY, one statement at a time (on a
   partitioned table: each partition's index, attached to the parent's, plan/online_partitions.py).

Parts 2 and 3 come after the row is written; each statement in them says in the file when it is
done (sql/render.py), so that `apply` can finish them after a failure (live/run_migration.py).

An online form is chosen only where it helps and cannot break the transaction around it:
- an index on a table created in the same migration is built plainly (the table is empty and
  nobody sees it yet); so is a unique index that a foreign key added here leans on (the key
  needs it inside the transaction);
- a concurrent drop stays a plain DROP INDEX inside the transaction when its name is taken
  again in this migration, when a column it uses is dropped, or when a foreign key on its table
  is added again (the key must not find the index that is about to go);
- NOT VALID + VALIDATE is used on tables that exist before the migration only.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..model.names import default_name
from ..model.schema import Check, Schema
from . import changes as ch
from .online_partitions import online_partitioned_index


@dataclass(frozen=True, slots=True)
class OnlineParts:
    """The changes of a migration, by the part they run in."""

    transaction: list[ch.Change]
    follow_up: list[ch.Change]
    outside: list[ch.Change]


def _new_tables(changes: list[ch.Change]) -> set[str]:
    return {c.table.key for c in changes if isinstance(c, ch.CreateTable)}


def _names_taken(changes: list[ch.Change]) -> set[tuple[str, str]]:
    """(schema, name) of every relation name a change takes: a drop of the same name must run first."""
    out: set[tuple[str, str]] = set()
    for c in changes:
        if isinstance(c, ch.CreateIndex):
            out.add((c.schema, c.index.name))
        elif isinstance(c, ch.AddConstraint):
            out.add((c.schema, c.constraint.name))
        elif isinstance(c, ch.CreateTable):
            t = c.definition
            out |= {(t.schema, n) for n in (t.name, *(k.name for k in t.constraints), *(i.name for i in t.indexes))}
        elif isinstance(c, ch.RenameIndex | ch.RenameConstraint | ch.RenameColumnSequence | ch.RenameSequence):
            out.add((c.schema, c.new_name))
        elif isinstance(c, ch.RenameTable):
            out.add((c.schema, c.new_name))
    return out


def _index_columns(index_change: ch.WholeIndexChange) -> set[str]:
    index = index_change.index
    out = {p.column for p in index.parts if p.column is not None} | set(index.include)
    for p in index.parts:
        if p.expression is not None:
            out |= set(p.expression.columns)
    if index.where is not None:
        out |= set(index.where.columns)
    return out


def _concurrent_drop(c: ch.DropIndex, changes: list[ch.Change], taken: set[tuple[str, str]]) -> bool:
    if not c.index.concurrently or (c.schema, c.index.name) in taken:
        return False
    renamed = {x.table.key: f"{x.schema}.{x.new_name}" for x in changes if isinstance(x, ch.RenameTable)}
    table_now = renamed.get(c.table.key, c.table.key)
    dropped_columns = {x.column for x in changes if isinstance(x, ch.DropColumn) and x.table == c.table}
    if dropped_columns & _index_columns(c):
        return False
    return not any(isinstance(x, ch.AddForeignKey) and x.foreign_key.ref_key in (c.table.key, table_now)
                   for x in changes)


# why an index that asks for `concurrently` is built plainly on a table that exists: the advice
KEY_NEEDS_INDEX = ("built without CONCURRENTLY although it asks for `concurrently: true`: a foreign key added "
                   "in this migration needs it inside the transaction; build the index in a migration of its "
                   "own first")


def _needed_by_a_new_key(c: ch.CreateIndex, changes: list[ch.Change]) -> bool:
    columns = {p.column for p in c.index.parts}
    return c.index.unique and any(isinstance(x, ch.AddForeignKey) and x.foreign_key.ref_key == c.table.key
                                  and set(x.foreign_key.ref_columns) == columns for x in changes)


def _concurrent_build(c: ch.CreateIndex, changes: list[ch.Change], new_tables: set[str]) -> bool:
    if not c.index.concurrently or c.table.key in new_tables:
        return False
    return not _needed_by_a_new_key(c, changes)


def _online_not_null(c: ch.SetNotNull, new: Schema, changes: list[ch.Change]) -> bool:
    table = new.tables.get(c.table.key)
    column = table.column(c.column) if table is not None else None
    if column is None or not column.online:
        return False
    # an identity needs NOT NULL before it is added, in the same transaction
    return not any(isinstance(x, ch.AddIdentity | ch.SerialToIdentity) and x.table == c.table
                   and x.column == c.column for x in changes)


def not_null_check_name(new: Schema, table: ch.TableName, column: str) -> str:
    """The temporary check of an online SET NOT NULL: `<table>_<column>_not_null`, made free of
    the table's constraint and index names and of the other helper checks of the table.

    Long names are cut to 63 bytes, so two columns can give the same name: as PostgreSQL does
    (ChooseConstraintName), the label then takes a counter, `not_null1`, ... The names are given
    to the table's online NOT NULL columns in column order, from `new` alone: the rollback finds
    the same name from the same schema (see _left_check)."""
    t = new.tables.get(table.key)
    if t is None:
        return default_name(table.name, [column], "not_null")
    taken = ({k.name for k in t.constraints} | {f.name for f in t.foreign_keys}
             | {i.name for i in t.indexes})
    for c in t.columns:
        if not (c.online and not c.nullable) and c.name != column:
            continue
        name, n = default_name(table.name, [c.name], "not_null"), 0
        while name in taken:
            n += 1
            name = default_name(table.name, [c.name], f"not_null{n}")
        if c.name == column:
            return name
        taken.add(name)
    raise AssertionError(f"no column {column} in {table.key}")


def _left_check(c: ch.DropNotNull, old: Schema) -> str | None:
    """The not-null check an online SET NOT NULL of the column may have left (its validation
    failed), to drop with the NOT NULL: the rollback of that migration."""
    table = old.tables.get(c.table.key)
    column = table.column(c.column) if table is not None else None
    return not_null_check_name(old, c.table, c.column) if column is not None and column.online else None


def _partitioned(schema: Schema, table: ch.TableName) -> bool:
    t = schema.tables.get(table.key)
    return t is not None and t.partition_by is not None


def online_parts(old: Schema, new: Schema, changes: list[ch.Change]) -> OnlineParts:
    """The ordered changes split into the three parts, each changed into its online form where
    the definitions ask for it and it is safe (see the module's docstring)."""
    new_tables = _new_tables(changes)
    taken = _names_taken(changes)
    main: list[ch.Change] = []
    follow_up: list[ch.Change] = []
    outside_drops: list[ch.Change] = []
    outside_builds: list[ch.Change] = []
    for c in changes:
        existing = c.object_key not in new_tables
        if isinstance(c, ch.DropIndex) and not _partitioned(old, c.table) and _concurrent_drop(c, changes, taken):
            outside_drops.append(replace(c, concurrently=True))  # (PostgreSQL drops a partitioned one plainly)
        elif (isinstance(c, ch.CreateIndex) and _partitioned(new, c.table)
              and _concurrent_build(c, changes, new_tables)):
            inside, outside = online_partitioned_index(c, new.tables[c.table.key])
            main += inside
            outside_builds += outside
        elif isinstance(c, ch.CreateIndex) and _concurrent_build(c, changes, new_tables):
            outside_builds.append(replace(c, index=replace(c.index, comment=None), concurrently=True))
            if c.index.comment is not None:  # its own statement: CONCURRENTLY must stand alone
                outside_builds.append(ch.SetIndexComment(c.table, c.index.name, c.index.comment))
        elif isinstance(c, ch.CreateIndex) and c.index.concurrently and c.table.key not in new_tables:
            # asked for, yet no CONCURRENTLY: a new foreign key needs it (see _concurrent_build)
            main.append(replace(c, built_plainly=KEY_NEEDS_INDEX))
        elif isinstance(c, ch.AddForeignKey) and c.foreign_key.online and existing:
            main.append(replace(c, not_valid=True))
            follow_up.append(ch.ValidateConstraint(c.table, c.foreign_key.name))
        elif (isinstance(c, ch.AddConstraint) and isinstance(c.constraint, Check) and c.constraint.online
              and existing):
            main.append(replace(c, not_valid=True))
            follow_up.append(ch.ValidateConstraint(c.table, c.constraint.name))
        elif isinstance(c, ch.AddDomainCheck) and c.check.online:  # only ever on a domain that exists
            main.append(replace(c, not_valid=True))
            follow_up.append(ch.ValidateDomainCheck(c.domain, c.check))
        elif isinstance(c, ch.SetNotNull) and _online_not_null(c, new, changes):
            check = not_null_check_name(new, c.table, c.column)
            main.append(ch.AddNotNullCheck(c.table, c.column, check))
            follow_up += [ch.ValidateConstraint(c.table, check, c.column), replace(c, check=check)]
        elif isinstance(c, ch.DropNotNull) and (left := _left_check(c, old)) is not None:
            main.append(replace(c, check=left))
        else:
            main.append(c)
    return OnlineParts(main, follow_up, outside_drops + outside_builds)

