"""seeds/*.yaml -> Seeds: rows checked against the schema, every problem a positioned error.

Seed files live in `seeds/` beside `definitions/`, not inside it: definitions/ describes the schema
and everything in it is read as a table, enum or extension, so a project without seeds compiles
exactly as before, and rows (data, often many) never slow the schema's compile --check.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ..errors import DefinitionError, DefinitionErrors, did_you_mean
from ..model.domains import base_type
from ..model.schema import Column, Schema, Table
from ..model.seed_keys import compared
from ..model.seed_values import SeedValueError, reset_on_reload, seed_literal
from ..model.seeds import SeedRef, SeedRow, Seeds, SeedTable, SeedValue
from ..model.types import enum_type_spelling, extension_type_schemas
from .load import Document, Mapping, Pos, load_sources
from .reader import Reader
from .seed_order import Placed, order_seeds

SEED_KEYS = frozenset({"table", "schema", "key", "rows"})
SEEDS_FOLDER = "seeds"


def seed_sources(project: Path) -> list[tuple[str, bytes]]:
    """Every *.yaml and *.yml under seeds/, as (path shown in messages, contents), in path order."""
    root = project / SEEDS_FOLDER
    if not root.is_dir():
        return []
    files = sorted((p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()),
                   key=lambda p: p.relative_to(root).as_posix())
    return [(f.relative_to(project).as_posix(), f.read_bytes()) for f in files]


def read_seeds(project: Path, schema: Schema) -> Seeds:
    """The project's seeds checked against `schema`; DefinitionErrors lists every problem."""
    errors: list[DefinitionError] = []
    seeds = build_seeds(load_sources(seed_sources(project), errors, "seed files"), schema, errors)
    if errors:
        raise DefinitionErrors(errors)
    return seeds


class _Pending:
    """One seeded table while it is read: rows with their positions, refs resolved later."""

    def __init__(self, doc: Document, table: Table, declared: tuple[str, ...] | None) -> None:
        self.doc, self.table, self.declared = doc, table, declared
        self.rows: list[tuple[Pos, dict[str, SeedValue | Mapping], dict[str, Pos]]] = []


def build_seeds(docs: list[Document], schema: Schema, errors: list[DefinitionError]) -> Seeds:
    """Seeds from loaded seed documents; problems appended to `errors`."""
    pending: dict[str, _Pending] = {}
    first_at: dict[str, str] = {}
    for doc in docs:
        found = _read_document(doc, schema, errors)
        if found is None:
            continue
        where = f"{doc.path}:{doc.body.pos[0]}"
        if found.table.key in pending:
            Reader(doc.path, errors).error(doc.body.value_pos.get("table", doc.body.pos),
                                           f"table {found.table.key} is seeded twice (first at "
                                           f"{first_at[found.table.key]}); put its rows in one document")
            continue
        pending[found.table.key], first_at[found.table.key] = found, where
    finished = [_finish(p, pending, schema, errors) for p in pending.values()]
    placed = [Placed(t, pending[t.key].table, pending[t.key].doc.path,
                     tuple((pos, places) for pos, _, places in pending[t.key].rows))
              for t in finished if t is not None]
    return Seeds(tuple(order_seeds(placed, errors)))


def _read_document(doc: Document, schema: Schema, errors: list[DefinitionError]) -> _Pending | None:
    r, m = Reader(doc.path, errors), doc.body
    r.keys(m, SEED_KEYS, "a seed document")
    name = r.name(m, "table", "a seed document", required=True)
    schema_name = r.name(m, "schema", "a seed document") or "public"
    if name is None:
        return None
    table = schema.tables.get(f"{schema_name}.{name}")
    if table is None:
        r.error(r.pos(m, "table"), f"unknown table {schema_name}.{name}"
                                   f"{did_you_mean(f'{schema_name}.{name}', schema.tables)}")
        return None
    declared = r.names(m, "key", "a seed document")
    if declared is not None:
        for column in declared:
            if table.column(column) is None:
                r.error(r.pos(m, "key"), f"'key' names {column}, which is not a column of {table.key}")
                declared = None
                break
    found = _Pending(doc, table, tuple(declared) if declared else None)
    if r.sequence(m, "rows", "a seed document", required=True) is None:
        return found
    for row, pos in r.mappings(m, "rows", "a seed document"):
        values = _read_row(r, row, table, schema)
        if values is not None:
            found.rows.append((pos, values, {k: r.pos(row, k) for k in row}))
    return found


def _read_row(r: Reader, row: Mapping, table: Table, schema: Schema) -> dict[str, SeedValue | Mapping] | None:
    values: dict[str, SeedValue | Mapping] = {}
    ok = True
    for key, value in row.items():
        column = table.column(key)
        if column is None:
            r.error(row.key_pos[key], f"unknown column '{key}' of {table.key}"
                                      f"{did_you_mean(key, [c.name for c in table.columns])}")
            ok = False
            continue
        refusal = _not_insertable(column)
        if refusal:
            r.error(row.key_pos[key], f"column '{key}' of {table.key} {refusal}")
            ok = False
            continue
        if isinstance(value, Mapping) and "ref" in value:
            values[key] = value  # resolved once every table's rows are read
            continue
        literal = _literal(r, row, key, column, schema, table)
        if literal is None:
            ok = False
        else:
            values[key] = literal
    for column in table.columns:
        if column.name not in row and _required(column):
            r.error(row.pos, f"no value for column '{column.name}' of {table.key}, which is NOT NULL "
                             f"and has no default")
            ok = False
    return values if ok else None


def _exact(m: Mapping, key: str) -> object:
    """The value of `key` as written: a YAML float stays 12.50, not a binary fraction."""
    value = m[key]
    raw = m.raw.get(key)
    if isinstance(value, float) and raw:
        try:
            return Decimal(raw.replace("_", ""))
        except ArithmeticError:
            return value
    return value


def _literal(r: Reader, m: Mapping, key: str, column: Column, schema: Schema, table: Table) -> str | None:
    """The SQL literal of `m[key]` for `column`, or None with the problem said at its place."""
    pos = r.pos(m, key)
    if m[key] is None and not column.nullable:
        r.error(pos, f"column '{column.name}' of {table.key} is NOT NULL")
        return None
    try:
        stored = base_type(column.type, {enum_type_spelling(d.schema, d.name): d for d in schema.domains.values()})
        return seed_literal(column.type, _exact(m, key), _enum_labels(schema, stored),
                            extension_type_schemas(schema.extensions.values()), stored)
    except SeedValueError as e:
        r.error(pos, f"column '{column.name}' ({column.type}): {e}")
        return None


def _enum_labels(schema: Schema, type_name: str) -> tuple[str, ...] | None:
    name = type_name.removesuffix("[]").replace('"', "")
    found = schema.enums.get(name if "." in name else f"public.{name}")
    return found.values if found else None


def _not_insertable(column: Column) -> str | None:
    if column.generated is not None:
        return "is generated; PostgreSQL computes its value"
    if column.identity == "always":
        return "is an identity column GENERATED ALWAYS; PostgreSQL assigns its value"
    return None


def _required(column: Column) -> bool:
    return (not column.nullable and column.default is None and column.identity is None
            and not column.serial and column.generated is None)


def _finish(p: _Pending, pending: dict[str, _Pending], schema: Schema,
            errors: list[DefinitionError]) -> SeedTable | None:
    r = Reader(p.doc.path, errors)
    rows: list[SeedRow] = []
    for _, values, places in p.rows:
        resolved: list[tuple[str, SeedValue]] = []
        for column in p.table.columns:
            if column.name not in values:
                continue
            value = values[column.name]
            if isinstance(value, Mapping):
                ref = _resolve_ref(r, value, places[column.name], p.table, column, pending, schema)
                if ref is None:
                    continue
                value = ref
            resolved.append((column.name, value))
        if len(resolved) == len(values):
            rows.append(SeedRow(tuple(resolved)))
    if len(rows) != len(p.rows):
        return None
    conflict = _conflict_key(r, p, rows)
    if conflict is None:
        return None
    if not _distinct_keys(r, p, rows):
        return None
    resettable = reset_on_reload(p.table, schema)
    placed = [replace(row, origin=f"{p.doc.path}:{pos[0]}",
                      reset=tuple(c.name for c in p.table.columns if c.name in resettable
                                  and c.name not in dict(row.values) and c.name not in conflict))
              for row, (pos, _, _) in zip(rows, p.rows, strict=True)]
    given = {c for row in placed for c, _ in row.values}
    advance = tuple(c.name for c in p.table.columns if (c.identity is not None or c.serial) and c.name in given)
    return SeedTable(p.table.schema, p.table.name, conflict, tuple(placed), advance=advance)


def _resolve_ref(r: Reader, m: Mapping, pos: Pos, table: Table, column: Column, pending: dict[str, _Pending],
                 schema: Schema) -> SeedRef | None:
    target_name = m["ref"]
    if not isinstance(target_name, str):
        r.error(r.pos(m, "ref"), "'ref' must name a seeded table")
        return None
    target_key = target_name if "." in target_name else f"public.{target_name}"
    target = pending.get(target_key)
    if target is None:
        known = "an unknown table" if target_key not in schema.tables else "a table with no seeds"
        r.error(r.pos(m, "ref"), f"'ref' names {target_key}, {known}{did_you_mean(target_key, pending)}")
        return None
    referenced = _referenced_column(table, column, target.table)
    if referenced is None:
        r.error(pos, f"column '{column.name}' of {table.key} is no foreign key to {target_key}"
                     f"{_foreign_keys_of(table, column)}, so 'ref' cannot say which of its values to use; "
                     f"write the value itself")
        return None
    where: list[tuple[str, str]] = []
    for key in m:
        if key == "ref":
            continue
        target_column = target.table.column(key)
        if target_column is None:
            r.error(m.key_pos[key], f"unknown column '{key}' of {target_key}"
                                    f"{did_you_mean(key, [c.name for c in target.table.columns])}")
            return None
        if m[key] is None:
            r.error(r.pos(m, key), f"'ref' to {target_key} gives no value for '{key}': a null matches no row")
            return None
        literal = _literal(r, m, key, target_column, schema, target.table)
        if literal is None:
            return None
        where.append((key, literal))
    if not where:
        r.error(m.pos, f"'ref' to {target_key} needs a natural key: one or more columns with their values")
        return None
    keys = _keys(target.table)
    if not any(set(k) <= {c for c, _ in where} for k in keys):
        r.error(m.pos, f"'ref' to {target_key} by ({', '.join(c for c, _ in where)}) must give its primary key "
                       f"or a unique key ({'; '.join(', '.join(k) for k in keys) or 'it has none'}), so that it "
                       f"matches one row whatever else the table holds")
        return None
    matches = [n for n, (_, values, _) in enumerate(target.rows)
               if all(compared(values.get(c)) == compared(v) for c, v in where)]
    shown = ", ".join(f"{c} = {v}" for c, v in where)
    if len(matches) != 1:
        how = "no seeded row" if not matches else f"{len(matches)} seeded rows"
        r.error(m.pos, f"'ref' matches {how} of {target_key} where {shown}"
                       f"{'; add columns until one row matches' if matches else ''}")
        return None
    return SeedRef(target.table.schema, target.table.name, referenced, tuple(where), row=matches[0])


def _referenced_column(table: Table, column: Column, target: Table) -> str | None:
    """The column of `target` that `column`'s single-column foreign key references; None when it
    has no such key (a ref then could only guess which value to take)."""
    for fk in table.foreign_keys:
        if fk.columns == (column.name,) and (fk.ref_schema, fk.ref_table) == (target.schema, target.name):
            return fk.ref_columns[0]
    return None


def _foreign_keys_of(table: Table, column: Column) -> str:
    """What the column's foreign keys do reference, for the message of a ref that follows none."""
    targets = [fk.ref_key for fk in table.foreign_keys if column.name in fk.columns]
    if not targets:
        return " (it is no foreign key at all)"
    return f" (its foreign key references {', '.join(dict.fromkeys(targets))})"


def _keys(table: Table) -> list[tuple[str, ...]]:
    pk = [table.primary_key.columns] if table.primary_key else []
    return pk + [u.columns for u in table.uniques] + [
        tuple(part.column for part in i.parts if part.column) for i in table.indexes
        if i.unique and i.where is None and all(part.column for part in i.parts)]


def _conflict_key(r: Reader, p: _Pending, rows: list[SeedRow]) -> tuple[str, ...] | None:
    """The declared `key`, else the primary key, else the first unique key every row gives."""
    keys = _keys(p.table)
    m = p.doc.body
    if p.declared is not None:
        if not any(set(p.declared) == set(k) for k in keys):
            r.error(r.pos(m, "key"), f"'key' must be the primary key or a unique key of {p.table.key} "
                                     f"({'; '.join(', '.join(k) for k in keys) or 'it has none'})")
            return None
        choices = [next(k for k in keys if set(p.declared) == set(k))]
    else:
        choices = keys
    for key in choices:
        if all(all(dict(row.values).get(c) not in (None, "NULL") for c in key) for row in rows):
            return key
    where = p.declared is not None and r.pos(m, "key") or m.pos
    r.error(where, f"every row of {p.table.key} must give the columns of its primary key or of a unique key "
                   f"({'; '.join(', '.join(k) for k in choices) or 'it has none'}), so loading the seeds again "
                   f"updates rows rather than adding them")
    return None


def _distinct_keys(r: Reader, p: _Pending, rows: list[SeedRow]) -> bool:
    ok = True
    for key in _keys(p.table):
        seen: dict[tuple[object, ...], int] = {}
        for n, row in enumerate(rows):
            values = dict(row.values)
            if not all(values.get(c) not in (None, "NULL") for c in key):
                continue
            found = tuple(compared(values[c]) for c in key)
            if found in seen:
                first = p.rows[seen[found]][0][0]
                r.error(p.rows[n][0], f"duplicate key ({', '.join(key)}) of {p.table.key}: the same values as "
                                      f"the seeded row at line {first}")
                ok = False
            else:
                seen[found] = n
    return ok
