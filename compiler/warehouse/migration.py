"""BigQuery statements that bring the warehouse from one compiled schema to the next, written beside
the PostgreSQL migration of the same number.

BigQuery changes a table in place only in a few ways: ADD COLUMN (never REQUIRED), DROP COLUMN,
RENAME COLUMN, DROP NOT NULL, SET DATA TYPE to a wider type, and SET OPTIONS. Anything else
(a narrower or other type, new partitioning or clustering) rebuilds the table (DROP and CREATE:
its rows go), which, like a column or table drop, is destructive: compile refuses it without
--allow-destructive, and names it.

A migration names its tables without a dataset: the one history is run against each dataset the
project has (staging, production), with `SET @@dataset_id = '...';` ahead of it (BigQuery's default
dataset of a multi-statement query), so no compile bakes the environment's BIGQUERY_DATASET into it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from sqlglot import exp

from ..model.schema import Column, Enum, Schema, Table
from ..model.warehouse import Held, bigquery_type
from .bigquery import (
    bigquery_table_name,
    column_def,
    column_description,
    create_table,
    enums_by_type,
    render,
    table_options,
    table_reference,
)

_PARAMETERS = re.compile(r"\((\d+)(?:, (\d+))?\)")


@dataclass
class WarehouseMigration:
    statements: list[str] = field(default_factory=list)  # each with its `-- what` line, ending in `;`
    destructive: list[str] = field(default_factory=list)  # what loses data: refused without --allow-destructive
    notes: list[str] = field(default_factory=list)  # what BigQuery holds differently from the definitions
    # each warehouse table of the new schema (by key): how the table the migrations made differs from a
    # fresh one of its definitions (None: it does not), for state.json and the full-table files
    held: dict[str, Held | None] = field(default_factory=dict)


def warehouse_migration(old: Schema, new: Schema) -> WarehouseMigration:
    """The statements from `old`'s warehouse tables to `new`'s, in table order, each naming its table
    in the default dataset."""
    out = WarehouseMigration()
    old_enums, new_enums = enums_by_type(old), enums_by_type(new)
    before = {k: t for k, t in old.tables.items() if t.warehouse is not None}
    after = {k: t for k, t in new.tables.items() if t.warehouse is not None}
    for key in sorted(before.keys() - after.keys()):
        _drop(out, before[key], "it left the warehouse" if key in new.tables else "the table is dropped")
    for key in sorted(after):
        table = after[key]
        if key not in before:
            _say(out, f"CreateTable {bigquery_table_name(table)}", render(create_table(_fresh(table), None,
                                                                                        new_enums)))
            out.held[key] = None
        else:
            out.held[key] = _alter(out, before[key], table, old_enums, new_enums)
    return out


def with_held(schema: Schema, held: dict[str, Held | None]) -> Schema:
    """`schema` with each warehouse table's Held of the migration that leads to it."""
    tables = {k: replace(t, warehouse=replace(t.warehouse, held=held.get(k)))
              if t.warehouse is not None else t for k, t in schema.tables.items()}
    return replace(schema, tables=tables)


def _fresh(table: Table) -> Table:
    """The table as its definitions create it (a CREATE TABLE of a migration: every mode PostgreSQL's)."""
    assert table.warehouse is not None
    return replace(table, warehouse=replace(table.warehouse, held=None))


def _required(c: Column, held: Held | None) -> bool:
    """Whether BigQuery holds the column REQUIRED (arrays aside, which are REPEATED)."""
    return not c.nullable and (held is None or c.name not in held.nullable)


def warehouse_migration_file(name: str, migration: WarehouseMigration, why: str, alone: bool = False) -> str:
    """The file beside PostgreSQL's migration `name` (`alone`: a change to the warehouse keys only, with
    no PostgreSQL migration of its number): a header, its destructive lines and notes, the statements."""
    beside = ("a change to the warehouse alone (no PostgreSQL migration has this number)" if alone
              else f"beside generated/migrations/{name}.sql")
    lines = [f"-- {name}: BigQuery, {beside}; made by schemac",
             "-- tables of the default dataset: run it after SET @@dataset_id = '<dataset>';"]
    lines += [f"-- destructive ({why}): {line}" for line in migration.destructive]
    lines += [f"-- note: {line}" for line in migration.notes]
    return "\n".join(lines) + "\n\n" + "\n".join(migration.statements)


def warehouse_tables_changed(old: Schema, new: Schema) -> list[str]:
    """The tables whose warehouse keys differ (added, changed, removed), by key: what names a migration
    of the warehouse alone."""
    before = {k: t.warehouse for k, t in old.tables.items() if t.warehouse is not None}
    after = {k: t.warehouse for k, t in new.tables.items() if t.warehouse is not None}
    return [k for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)]


def _say(out: WarehouseMigration, what: str, sql: str) -> None:
    out.statements.append(f"-- {what}\n{sql}")


def _target(table: Table) -> str:
    return table_reference(table, None).sql(dialect="bigquery")


def _ident(name: str) -> str:
    return exp.to_identifier(name).sql(dialect="bigquery")


def _drop(out: WarehouseMigration, table: Table, why: str) -> None:
    name = bigquery_table_name(table)
    out.destructive.append(f"BigQuery table {name} is dropped ({why}): its rows are lost")
    _say(out, f"DropTable {name}", f"DROP TABLE {_target(table)};\n")


def _rebuild(out: WarehouseMigration, old: Table, new: Table, enums: dict[str, Enum], why: str) -> None:
    name = bigquery_table_name(new)
    out.destructive.append(f"BigQuery table {name} is rebuilt ({why}, which BigQuery cannot change in place): "
                           f"its rows are lost; reload it")
    _say(out, f"DropTable {name}", f"DROP TABLE {_target(old)};\n")
    _say(out, f"CreateTable {name}", render(create_table(_fresh(new), None, enums)))


def _alter(out: WarehouseMigration, old: Table, new: Table, old_enums: dict[str, Enum],
           new_enums: dict[str, Enum]) -> Held | None:
    """The statements that change `old`'s BigQuery table into `new`'s, and how the table they leave
    differs from a fresh one of `new`'s definitions."""
    assert old.warehouse is not None and new.warehouse is not None
    ow, nw = old.warehouse, new.warehouse
    layout = ((ow.partition_by, ow.granularity, ow.integer_range, ow.cluster_by)
              != (nw.partition_by, nw.granularity, nw.integer_range, nw.cluster_by))
    old_types = {c.name: bigquery_type(c.type, frozenset(old_enums)) for c in old.columns}
    new_types = {c.name: bigquery_type(c.type, frozenset(new_enums)) for c in new.columns}
    narrowed = [c.name for c in new.columns if c.name in old_types and c.renamed_from is None
                and old_types[c.name] != new_types[c.name] and not _widens(old_types[c.name], new_types[c.name])]
    if layout or narrowed:
        why = "new partitioning or clustering" if layout else f"column(s) {', '.join(narrowed)} change type"
        _rebuild(out, old, new, new_enums, why)
        return None  # a fresh table of the definitions
    target, name = _target(new), bigquery_table_name(new)
    old_held = ow.held
    old_columns = {c.name: c for c in old.columns}
    # BigQuery's columns in their order, renamed, dropped and appended as the statements do
    order = list(old_held.order if old_held is not None else (c.name for c in old.columns))
    nullable: set[str] = set()  # NOT NULL in PostgreSQL, NULLABLE in BigQuery
    kept: set[str] = set()
    for c in new.columns:
        previous = old_columns.get(c.name)
        if previous is None and c.renamed_from in old_columns and c.renamed_from not in {x.name for x in new.columns}:
            previous = old_columns[c.renamed_from]
            _say(out, f"RenameColumn {name}.{c.renamed_from}",
                 f"ALTER TABLE {target} RENAME COLUMN {_ident(c.renamed_from)} TO {_ident(c.name)};\n")
            order[order.index(previous.name)] = c.name
        if previous is None:
            _add(out, target, name, c, new_types[c.name], new_enums)
            order.append(c.name)
            if not c.nullable:
                nullable.add(c.name)
            continue
        kept.add(previous.name)
        if not c.nullable and not _required(previous, old_held):
            nullable.add(c.name)
        _column_changes(out, target, name, previous, c, _required(previous, old_held), old_types[previous.name],
                        new_types[c.name], old_enums, new_enums)
    for c in old.columns:
        if c.name not in kept:
            out.destructive.append(f"BigQuery column {name}.{c.name} is dropped: its values are lost")
            _say(out, f"DropColumn {name}.{c.name}", f"ALTER TABLE {target} DROP COLUMN {_ident(c.name)};\n")
            order.remove(c.name)
    old_options = {p.name: p.sql(dialect="bigquery") for p in table_options(old, ow)}
    new_options = table_options(new, nw)
    changed = [p for p in new_options if old_options.get(p.name) != p.sql(dialect="bigquery")]
    cleared = [exp.Property(this=exp.var(k), value=exp.null()) for k in old_options
               if k not in {p.name for p in new_options}]
    if changed or cleared:
        props = exp.Properties(expressions=changed + cleared).sql(dialect="bigquery")
        _say(out, f"SetOptions {name}", f"ALTER TABLE {target} SET {props};\n")
    arrays = {c.name for c in new.columns if new_types[c.name].startswith("ARRAY<")}  # REPEATED: no mode to tell
    held = Held(tuple(order), frozenset(nullable - arrays))
    return None if held.order == tuple(c.name for c in new.columns) and not held.nullable else held


def _add(out: WarehouseMigration, target: str, name: str, c: Column, bq_type: str, enums: dict[str, Enum]) -> None:
    # BigQuery adds no REQUIRED column to a table that has rows: it is added NULLABLE
    column = column_def(c, bq_type, enums.get(c.type.removesuffix("[]")), required=False)
    if not c.nullable and not bq_type.startswith("ARRAY<"):
        out.notes.append(f"BigQuery column {name}.{c.name} is added NULLABLE: BigQuery adds no REQUIRED column "
                         f"to an existing table")
    _say(out, f"AddColumn {name}.{c.name}", f"ALTER TABLE {target} ADD COLUMN {column.sql(dialect='bigquery')};\n")


def _column_changes(out: WarehouseMigration, target: str, name: str, old: Column, new: Column, required: bool,
                    old_type: str, new_type: str, old_enums: dict[str, Enum], new_enums: dict[str, Enum]) -> None:
    """`required`: whether BigQuery holds the old column REQUIRED (it may not, though PostgreSQL's was
    NOT NULL: see Held)."""
    column = _ident(new.name)
    if old_type != new_type:
        _say(out, f"AlterColumnType {name}.{new.name}",
             f"ALTER TABLE {target} ALTER COLUMN {column} SET DATA TYPE {new_type};\n")
    if required and new.nullable and not new_type.startswith("ARRAY<"):
        _say(out, f"DropNotNull {name}.{new.name}", f"ALTER TABLE {target} ALTER COLUMN {column} DROP NOT NULL;\n")
    elif old.nullable and not new.nullable and not new_type.startswith("ARRAY<"):
        out.notes.append(f"BigQuery column {name}.{new.name} stays NULLABLE: BigQuery makes no column REQUIRED "
                         f"in place")
    before = column_description(old.comment, old_enums.get(old.type.removesuffix("[]")))
    after = column_description(new.comment, new_enums.get(new.type.removesuffix("[]")))
    if before != after:
        value = exp.Literal.string(after) if after is not None else exp.null()
        props = exp.Properties(expressions=[exp.Property(this=exp.var("description"), value=value)])
        _say(out, f"SetColumnOptions {name}.{new.name}",
             f"ALTER TABLE {target} ALTER COLUMN {column} SET {props.sql(dialect='bigquery')};\n")


def _widens(old: str, new: str) -> bool:
    """Whether BigQuery's SET DATA TYPE takes `old` to `new` in place: INT64 to NUMERIC, BIGNUMERIC or
    FLOAT64; NUMERIC to BIGNUMERIC or FLOAT64; a parameterised type to a wider one of its kind."""
    old_base, new_base = old.split("(")[0], new.split("(")[0]
    coercions = {"INT64": {"NUMERIC", "BIGNUMERIC", "FLOAT64"}, "NUMERIC": {"BIGNUMERIC", "FLOAT64"},
                 "BIGNUMERIC": {"FLOAT64"}}
    if old_base != new_base:
        return new_base in coercions.get(old_base, set())
    if old_base in ("STRING", "BYTES"):
        return "(" not in new or ("(" in old and _size(new)[0] >= _size(old)[0])
    if old_base in ("NUMERIC", "BIGNUMERIC"):
        (op, os_), (np_, ns) = _size(old), _size(new)
        return ns >= os_ and np_ - ns >= op - os_
    return False


def _size(bq_type: str) -> tuple[int, int]:
    m = _PARAMETERS.search(bq_type)
    return (int(m.group(1)), int(m.group(2) or 0)) if m else (10**6, 0)
