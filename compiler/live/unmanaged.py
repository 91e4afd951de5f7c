"""What a live database holds that schemac does not manage, and an imported schema made safe without it.

`import` writes what it can and says what it left out, one warning line per object:
functions, triggers, policies, grants, inheriting tables... (queries/unmanaged.sql), and the
parts of tables that use them (queries/unmanaged_uses.sql): a default calling a function of the
database, a column whose type is a composite or range type (or a domain over one). Standalone
sequences and domains are managed (`sequence:`, `domain:`) and so are not among them. Nothing is
lost silently, and nothing written refers to an object that is not written.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import psycopg

from ..model.routines import standing_triggers
from ..model.schema import Column, Schema, Table
from .database import read_as_migrations_write
from .introspect import query


@dataclass(frozen=True, slots=True)
class Note:
    """One thing import does not write, or writes differently."""

    schema: str | None  # None: an object of the whole database (event trigger, publication)
    text: str  # the warning, without "warning: "
    skipped: bool  # an object left out (else a property not written)
    table: str | None = None  # schema.name of a table this leaves out of the import


@dataclass(frozen=True, slots=True)
class Use:
    """A part of a table that uses an object schemac does not manage."""

    schema: str
    table: str
    kind: str  # default | generated | constraint | index | policy | partition key | type | view (`table`: the view)
    part: str  # column, constraint or index name
    used: str  # "function twice(integer)", "type posint<TAB>integer" for a domain


@dataclass(frozen=True, slots=True)
class CatalogPart:
    """A constraint or index as the catalog lists it, to find those the model has no place for."""

    schema: str
    table: str
    kind: str  # constraint | index
    name: str
    definition: str


def read_unmanaged(conn: psycopg.Connection) -> tuple[list[Note], list[Use], list[CatalogPart]]:
    """Everything in the database `conn` is connected to that an import must warn about."""
    notes, uses = unmanaged_notes(conn)
    with conn.transaction():  # the parts are compared with the model, read as introspect reads
        read_as_migrations_write(conn)
        parts = [CatalogPart(*row) for row in conn.execute(query("table_parts")).fetchall()]
    return notes, uses, parts


def unmanaged_notes(conn: psycopg.Connection) -> tuple[list[Note], list[Use]]:
    """What the database holds that schemac does not manage, and the parts of tables that use it."""
    # both queries sent at once, read as introspect reads (a use names a function of public unqualified)
    with conn.transaction(), conn.pipeline():
        read_as_migrations_write(conn)
        found, using = conn.execute(query("unmanaged")), conn.execute(query("unmanaged_uses"))
        notes = [Note(schema, f"{what}: {kind}, not managed by schemac; skipped" if skipped else f"{what}: {kind}",
                      skipped, table)
                 for schema, what, kind, skipped, table in found.fetchall()]
        return notes, [Use(*row) for row in using.fetchall()]


def _leaves_out_table(use: Use) -> bool:
    """A column whose type or generation schemac cannot write: its table cannot be managed at all."""
    return use.kind in ("generated", "partition key") or (use.kind == "type" and "\t" not in use.used)


def unmanaged_tables(notes: list[Note], uses: list[Use], written: set[str] | None = None) -> set[str]:
    """schema.name of each table import leaves out whole: inheritance children, tables with a
    column schemac cannot write (`written`: routines it writes, which a table may call). drift and
    apply --baseline leave out the same, so that nothing schemac never managed is reported or dropped."""
    return {n.table for n in notes if n.table is not None} | {
        f"{u.schema}.{u.table}" for u in uses
        if _leaves_out_table(u) and u.used.partition("\t")[0] not in (written or set())}


def managed_part(conn: psycopg.Connection, schema: Schema) -> Schema:
    """The live `schema` without the tables and views import would leave out as unmanaged, nor the
    foreign keys that reference them (import leaves those out too)."""
    notes, uses = unmanaged_notes(conn)
    schema = without_tables(schema, unmanaged_tables(notes, uses, routines_written(schema)))
    return without_views(schema, uses)[0]


def without_views(schema: Schema, uses: list[Use]) -> tuple[Schema, list[str]]:
    """`schema` without the views whose query uses what schemac does not manage (a function, a
    sequence, a domain...), nor those reading them or a table left out; a warning for each."""
    gone: dict[str, str] = {}
    written = routines_written(schema)  # created before the views: a view may call them
    for use in uses:
        key = f"{use.schema}.{use.table}"
        if use.kind == "view" and key in schema.views and key not in gone and use.used not in written:
            gone[key] = f"uses {use.used.partition(chr(9))[0]}, which schemac does not manage"
    grew = bool(gone)
    while grew:
        grew = False
        for key, v in schema.views.items():
            read = v.reading.relations if v.reading is not None else ()
            missing = (r for r in read if r in gone or (r not in schema.tables and r not in schema.views))
            if key not in gone and (reason := next(missing, None)):
                gone[key] = f"reads {reason}, which is left out"
                grew = True
    if not gone:
        return schema, []
    warnings = [f"{schema.views[k].kind} {k}: {why}; skipped" for k, why in sorted(gone.items())]
    views = {k: v for k, v in schema.views.items() if k not in gone}
    triggers = standing_triggers(schema.triggers, schema.tables, views)
    warnings += [f"trigger {x.name} on {x.table_key}: its view is skipped; skipped"
                 for k, x in schema.triggers.items() if k not in triggers]
    return replace(schema, views=views, triggers=triggers), warnings


def routines_written(schema: Schema) -> set[str]:
    """The routines of `schema` as pg_describe_object names them in a use ("function f(integer,text)")."""
    return {f"{r.kind} {r.name if r.schema == 'public' else r.schema + '.' + r.name}({','.join(r.input_types)})"
            for r in schema.routines.values()}


def without_tables(schema: Schema, left_out: set[str]) -> Schema:
    """`schema` without the tables `left_out` (schema.name) and the foreign keys that reference them."""
    if not left_out:
        return schema
    tables = {k: t for k, t in schema.tables.items() if k not in left_out}
    tables = {k: replace(t, foreign_keys=tuple(f for f in t.foreign_keys if f.ref_key not in left_out))
              for k, t in tables.items()}
    return replace(schema, tables=tables, triggers=standing_triggers(schema.triggers, tables, schema.views))


def leave_out_unmanaged(schema: Schema, notes: list[Note], uses: list[Use],
                        parts: list[CatalogPart]) -> tuple[Schema, list[str]]:
    """`schema` without what it cannot stand on, and a warning for each thing changed or left out."""
    warnings: list[str] = []
    tables = dict(schema.tables)
    # a routine schemac writes is created before the tables that call it (model/routine_uses.py)
    written = routines_written(schema)
    for note in notes:
        if note.table is not None:
            tables.pop(note.table, None)
    for use in uses:
        key = f"{use.schema}.{use.table}"
        t = tables.get(key)
        if t is None:
            continue
        used, _, base = use.used.partition("\t")
        if used in written:
            continue
        why = "which schemac does not manage"
        what = f"{key}.{use.part}" if use.kind in ("default", "generated", "type") else f"{key} {use.kind} {use.part}"
        if use.kind == "type" and base:
            column = t.column(use.part)
            if column is not None:
                array = "[]" if column.type.endswith("[]") else ""
                tables[key] = _with_column(t, replace(column, type=base + array))
                warnings.append(f"{what}: its type is {used}, which schemac does not manage; written as "
                                f"{base + array}, without the domain's checks")
            continue
        if _leaves_out_table(use):
            del tables[key]
            what = "its partition key" if use.kind == "partition key" else f"column {use.part}"
            warnings.append(f"table {key}: {what} uses {used}, {why}; table skipped")
        elif use.kind == "default":
            column = t.column(use.part)
            if column is not None:
                tables[key] = _with_column(t, replace(column, default=None))
            warnings.append(f"{what}: its default uses {used}, {why}; default skipped")
        elif use.kind == "constraint":
            tables[key] = replace(t, checks=tuple(c for c in t.checks if c.name != use.part),
                                  exclusions=tuple(x for x in t.exclusions if x.name != use.part))
            warnings.append(f"{what}: uses {used}, {why}; skipped")
        elif use.kind == "index":
            tables[key] = replace(t, indexes=tuple(i for i in t.indexes if i.name != use.part))
            warnings.append(f"{what}: uses {used}, {why}; skipped")
        elif use.kind == "policy":
            tables[key] = replace(t, policies=tuple(p for p in t.policies if p.name != use.part))
            warnings.append(f"{what}: uses {used}, {why}; skipped")
    warnings += _parts_without_a_place(tables, parts, uses)
    tables, dangling = without_dangling_foreign_keys(tables)
    triggers = standing_triggers(schema.triggers, tables, schema.views)
    warnings += [f"trigger {x.name} on {x.table_key}: its table is not imported; skipped"
                 for k, x in schema.triggers.items() if k not in triggers]
    kept, left_views = without_views(replace(schema, tables=tables, triggers=triggers), uses)
    return kept, warnings + dangling + left_views


def _with_column(t: Table, column: Column) -> Table:
    return replace(t, columns=tuple(column if c.name == column.name else c for c in t.columns))


def _parts_without_a_place(tables: dict[str, Table], parts: list[CatalogPart], uses: list[Use]) -> list[str]:
    """Constraints and indexes of imported tables that the model could not hold (exclusion constraints...)."""
    out = []
    warned = {(u.schema, u.table, u.part) for u in uses}
    for p in parts:
        t = tables.get(f"{p.schema}.{p.table}")
        if t is None or (p.schema, p.table, p.name) in warned:
            continue
        held = {c.name for c in t.constraints} | {f.name for f in t.foreign_keys} | {i.name for i in t.indexes}
        if p.name not in held:
            out.append(f"{t.key} {p.kind} {p.name}: {p.definition}: schemac does not manage it; skipped")
    return out


def without_dangling_foreign_keys(tables: dict[str, Table]) -> tuple[dict[str, Table], list[str]]:
    """Foreign keys to tables that are not imported are left out: the definitions must compile."""
    warnings = []
    for key, t in list(tables.items()):
        kept = tuple(f for f in t.foreign_keys if f.ref_key in tables)
        for f in t.foreign_keys:
            if f.ref_key not in tables:
                warnings.append(f"{key} foreign key {f.name}: references {f.ref_key}, which is not imported; skipped")
        if len(kept) != len(t.foreign_keys):
            tables[key] = replace(t, foreign_keys=kept)
    return tables, warnings
