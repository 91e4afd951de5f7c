"""Schema -> ChartDB's smart-query "database metadata" JSON, and a simple per-table JSON format.

The metadata format is what ChartDB's PostgreSQL introspection query returns; its quirks
(shared/chartdb/FORMAT.md section 1a and 2) are kept: every required key, string
`character_maximum_length`, bare type names, `reference_schema` always set, `index_type` from
ChartDB's list, `comment` on tables never null. Pure: no I/O.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from ..jsontext import Items
from ..model.names import qualified, quote_ident
from ..model.schema import Schema, Table
from ..model.view import View
from .diagram_views import view_tables
from .diagramfacts import TypeSplitter, sorted_tables, unique_sets

METADATA_INDEX_TYPES = ("btree", "hash", "gist", "gin", "spgist", "brin")


def _columns(t: Table, types: TypeSplitter) -> list[dict[str, Any]]:
    pk = set(t.primary_key.columns) if t.primary_key else set()
    out = []
    for position, c in enumerate(t.columns, start=1):
        parts = types[c.declared_type]
        precision = None
        if parts.precision is not None:
            precision = {"precision": parts.precision, "scale": parts.scale}
        row: dict[str, Any] = {"schema": t.schema, "table": t.name, "name": c.name, "ordinal_position": position,
                     "type": parts.name, "nullable": c.nullable and c.name not in pk}
        # optional keys are left out rather than null: the file stays small and nothing is lost
        if parts.length is not None:
            row["character_maximum_length"] = parts.length
        if precision is not None:
            row["precision"] = precision
        if c.default is not None:
            row["default"] = c.default.text
        if c.comment:
            row["comment"] = c.comment
        if c.collation is not None:
            row["collation"] = c.collation
        if c.identity or c.serial:
            row["is_identity"] = True
        if parts.is_array:
            row["is_array"] = True
        out.append(row)
    return out


def _index_rows(t: Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(name: str, columns: list[str], unique: bool, using: str) -> None:
        kind = using if using in METADATA_INDEX_TYPES else "btree"
        for position, column in enumerate(columns, start=1):
            rows.append({"schema": t.schema, "table": t.name, "name": name, "column": column,
                         "index_type": kind, "unique": unique,
                         "column_position": position, "direction": "asc"})

    if t.primary_key:
        add(t.primary_key.name, list(t.primary_key.columns), True, "btree")
    for u in t.uniques:
        add(u.name, list(u.columns), True, "btree")
    for i in t.indexes:
        columns = [p.column for p in i.parts if p.column is not None]
        # a partial unique index is not a unique column; ChartDB would mark it so
        add(i.name, columns, i.unique and i.where is None, i.using)
    return rows


def _identifiers(names: tuple[str, ...]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def _pk_rows(t: Table) -> list[dict[str, Any]]:
    if not t.primary_key:
        return []
    definition = f"PRIMARY KEY ({_identifiers(t.primary_key.columns)})"
    return [{"schema": t.schema, "table": t.name, "column": c, "pk_def": definition} for c in t.primary_key.columns]


def _fk_rows(t: Table) -> list[dict[str, Any]]:
    rows = []
    for fk in t.foreign_keys:
        definition = (f"FOREIGN KEY ({_identifiers(fk.columns)}) REFERENCES "
                      f"{quote_ident(fk.ref_schema)}.{quote_ident(fk.ref_table)}({_identifiers(fk.ref_columns)})"
                      f" ON UPDATE {fk.on_update.upper()} ON DELETE {fk.on_delete.upper()}")
        for col, ref_col in zip(fk.columns, fk.ref_columns, strict=True):
            rows.append({"schema": t.schema, "table": t.name, "column": col, "foreign_key_name": fk.name,
                         "reference_schema": fk.ref_schema, "reference_table": fk.ref_table,
                         "reference_column": ref_col, "fk_def": definition})
    return rows


def _check_rows(t: Table) -> list[dict[str, Any]]:
    return [{"schema": t.schema, "table": t.name, "expression": c.expression.text} for c in t.checks]


def metadata_document(schema: Schema, database_name: str, lazy: bool = False) -> dict[str, Any]:
    """The smart-query JSON ChartDB's *New diagram* paste box accepts for PostgreSQL.

    `lazy`: its long lists are Items, made table by table as they are written (see jsontext.Items)."""
    tables = sorted_tables(schema) + view_tables(schema)  # ChartDB reads a view as a table listed in views
    types = TypeSplitter(schema)

    def listed(rows_of: Callable[[Table], list[dict[str, Any]]]) -> Items | list[dict[str, Any]]:
        rows = (row for t in tables for row in rows_of(t))
        return Items(rows) if lazy else list(rows)

    return {
        "fk_info": listed(_fk_rows),
        "pk_info": listed(_pk_rows),
        "columns": listed(lambda t: _columns(t, types)),
        "indexes": listed(_index_rows),
        "tables": [{"schema": t.schema, "table": t.name, "comment": t.comment or ""} for t in tables],
        "views": [{"schema": v.schema, "view_name": v.name, "view_definition": _definition(v)}
                  for v in sorted(schema.views.values(), key=lambda v: (v.schema, v.name))],
        "check_constraints": listed(_check_rows),
        "custom_types": [{"schema": e.schema, "type": e.name, "kind": "enum", "values": list(e.values)}
                         for e in sorted(schema.enums.values(), key=lambda e: (e.schema, e.name))],
        "database_name": database_name,
        "version": "",
    }


def _definition(v: View) -> str:
    """base64 of the view's SQL, as ChartDB decodes it; a materialized view's says "materialized",
    which is how ChartDB tells one."""
    text = (f"CREATE MATERIALIZED VIEW {qualified(v.schema, v.name)} AS\n" if v.materialized else "") + v.query.text
    return base64.b64encode(text.encode()).decode()


# ---------------------------------------------------------------- the simple per-table format

def table_file_name(t: Table) -> str:
    """`<schema>.<table>.json`; characters unsafe in a file name are %-escaped (UTF-8 bytes)."""
    def safe(name: str) -> str:
        return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else
                       "".join(f"%{b:02X}" for b in ch.encode()) for ch in name)
    return f"{safe(t.schema)}.{safe(t.name)}.json"


def table_document(t: Table) -> dict[str, Any]:
    """One table: its columns with type, keys, nullability, default, reference and comment."""
    pk = set(t.primary_key.columns) if t.primary_key else set()
    singles = {next(iter(u)) for u in unique_sets(t) if len(u) == 1}
    references: dict[str, str] = {}
    for fk in t.foreign_keys:
        for col, ref_col in zip(fk.columns, fk.ref_columns, strict=True):
            references.setdefault(col, f"{fk.ref_schema}.{fk.ref_table}.{ref_col}")
    return {
        "table_name": t.name,
        "schema": t.schema,
        "comment": t.comment,
        "columns": [{"name": c.name, "type": c.declared_type, "primary_key": c.name in pk,
                     "unique": c.name in singles,
                     "nullable": c.nullable and c.name not in pk,
                     "default": c.default.text if c.default is not None else None,
                     "references": references.get(c.name), "comment": c.comment}
                    for c in t.columns],
    }


def table_index(schema: Schema) -> dict[str, Any]:
    """Every table file, with its column count."""
    return {"tables": [{"schema": t.schema, "table": t.name, "file": f"schemas/{table_file_name(t)}",
                        "columns": len(t.columns)} for t in sorted_tables(schema)]}
