"""Schema -> ChartDB 1.20's JSON documents (shared/chartdb/FORMAT.md), deterministic to the byte.

- `diagram_document`: the whole-diagram format ChartDB's *Import diagram* reads, laid out.
- `metadata_document`: the smart-query database metadata pasted into *New diagram*.
- `table_documents`: a simple per-table format and an index of the table files.
Ids are readable and stable (`t_public_users`, `f_public_users_email`), so an unchanged schema
gives unchanged bytes and a small change a small diff. Pure: no I/O.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..jsontext import Items, dump_json
from ..model.schema import Column, Index, Schema, Table
from .chartdb_metadata import metadata_document, table_document, table_file_name, table_index
from .diagram_views import view_reads, view_tables
from .diagramfacts import (
    TypeParts,
    TypeSplitter,
    is_unique,
    sorted_tables,
    unique_sets,
    unsniffable,
)
from .layout import Box, layout, table_size
from .mermaid import schema_markdown

DIAGRAM_NAME = "schemac"
INDEX_TYPES = ("btree", "hash", "gist", "gin", "spgist", "brin", "nonclustered", "clustered", "xml",
               "fulltext", "spatial", "index")  # what ChartDB's diagram schema accepts
PALETTE = ("#8eb7ff", "#4dee8a", "#ff9f74", "#c05dcf", "#42e0c0", "#ffe374", "#ff6b8a", "#7175fa",
           "#9ef07a", "#ff6363", "#b067e9", "#8a61f5")  # ChartDB's palette, neighbours far apart
ROOT_FOLDER = "definitions"
VIEW_COLOURS = {False: "#b0b0b0", True: "#7d7d7d"}  # ChartDB's own for views and materialized views
EXPAND_OVER = 10  # ChartDB shows 10 fields of a longer table unless it is `expanded`


# ---------------------------------------------------------------- ids and groups

class Ids:
    """Readable ids, unique across the file: a rare clash of two spellings gets a hash suffix."""

    def __init__(self, items: Iterable[tuple[tuple[str, ...], str]]) -> None:
        self.ids: dict[tuple[str, ...], str] = {}
        owner: dict[str, tuple[str, ...]] = {}  # the first key of each candidate
        clashes: dict[str, list[tuple[str, ...]]] = {}  # every key of a candidate given more than once
        for key, candidate in items:
            first = owner.setdefault(candidate, key)
            if first is not key:  # (a key is a new tuple each time: `is` tells them apart)
                clashes.setdefault(candidate, [first]).append(key)
            self.ids[key] = candidate
        for candidate, keys in clashes.items():
            for key in keys:
                digest = hashlib.sha1(json.dumps(key).encode()).hexdigest()[:8]
                self.ids[key] = f"{candidate}_{digest}"

    def __getitem__(self, key: tuple[str, ...]) -> str:
        return self.ids[key]


def _schema_ids(schema: Schema, tables: list[Table]) -> Ids:
    items: list[tuple[tuple[str, ...], str]] = []
    for t in tables:
        s, n = t.schema, t.name
        items.append((("t", s, n), f"t_{s}_{n}"))
        items.extend((("f", s, n, c.name), f"f_{s}_{n}_{c.name}") for c in t.columns)
        if t.primary_key:
            items.append((("i", s, n, t.primary_key.name), f"i_{s}_{t.primary_key.name}"))
        items.extend((("i", s, n, u.name), f"i_{s}_{u.name}") for u in t.uniques)
        items.extend((("i", s, n, i.name), f"i_{s}_{i.name}") for i in t.indexes)
        items.extend((("c", s, n, c.name), f"c_{s}_{c.name}") for c in t.checks)
        for fk in t.foreign_keys:
            for col in fk.columns:
                suffix = f"_{col}" if len(fk.columns) > 1 else ""
                items.append((("r", s, n, fk.name, col), f"r_{s}_{fk.name}{suffix}"))
    items.extend((("ct", e.schema, e.name), f"ct_{e.schema}_{e.name}") for e in schema.enums.values())
    return Ids(items)


def area_of(tables: list[Table], folders: dict[str, str] | None) -> dict[str, str]:
    """Each table's area: its schema, or with one schema its folder of definitions/."""
    if len({t.schema for t in tables}) > 1 or not folders:
        return {t.key: t.schema for t in tables}
    return {t.key: folders.get(t.key) or ROOT_FOLDER for t in tables}


def _index_comment(index: Index) -> str | None:
    notes = [f"expression: {p.expression.text}" for p in index.parts if p.expression is not None]
    if index.where is not None:
        notes.append(f"where: {index.where.text}")
    return "; ".join(notes) or None


# ---------------------------------------------------------------- diagram JSON

def _field(ids: Ids, t: Table, c: Column, parts: TypeParts, pk: set[str], unique: bool) -> dict[str, Any]:
    f: dict[str, Any] = {"id": ids["f", t.schema, t.name, c.name], "name": c.name,
                         "type": {"id": parts.id, "name": parts.name},
                         "primaryKey": c.name in pk, "unique": unique, "nullable": c.nullable and c.name not in pk}
    if c.identity or c.serial:
        f["increment"] = True
    if parts.is_array:
        f["isArray"] = True
    if parts.length is not None:
        f["characterMaximumLength"] = parts.length
    if parts.precision is not None:
        f["precision"] = parts.precision
    if parts.scale is not None:
        f["scale"] = parts.scale
    if c.default is not None:
        f["default"] = c.default.text
    if c.comment:
        f["comments"] = c.comment
    if c.collation is not None:
        f["collation"] = c.collation
    f["createdAt"] = 0
    return f


def _indexes(ids: Ids, t: Table) -> list[dict[str, Any]]:
    s, n = t.schema, t.name
    out: list[dict[str, Any]] = []
    if t.primary_key:
        out.append({"id": ids["i", s, n, t.primary_key.name], "name": "", "unique": True, "isPrimaryKey": True,
                    "fieldIds": [ids["f", s, n, c] for c in t.primary_key.columns], "createdAt": 0})
    for u in t.uniques:
        out.append({"id": ids["i", s, n, u.name], "name": u.name, "unique": True, "type": "btree",
                    "fieldIds": [ids["f", s, n, c] for c in u.columns], "createdAt": 0})
    for i in t.indexes:
        columns = [p.column for p in i.parts if p.column is not None]
        if not columns:
            continue  # an index of expressions only has no field to point at
        d: dict[str, Any] = {"id": ids["i", s, n, i.name], "name": i.name, "unique": i.unique}
        if i.using in INDEX_TYPES:
            d["type"] = i.using
        d["fieldIds"] = [ids["f", s, n, c] for c in columns]
        comment = _index_comment(i)
        if comment:
            d["comments"] = comment
        d["createdAt"] = 0
        out.append(d)
    return out


def _longest_text(t: Table, parts: dict[str, TypeParts]) -> int:
    return max([len(t.name) + 4] + [len(c.name) + len(parts[c.name].display) + 2 for c in t.columns])


def diagram_document(schema: Schema, folders: dict[str, str] | None = None, lazy: bool = False) -> dict[str, Any]:
    """ChartDB's whole-diagram JSON (databaseType postgresql), with a computed layout and areas.

    `lazy`: its tables are Items, made as they are written (see jsontext.Items). Views are tables
    with `isView` (ChartDB's own grey), their reads its dependencies."""
    tables = sorted_tables(schema) + view_tables(schema)
    ids = _schema_ids(schema, tables)
    types = TypeSplitter(schema)
    areas_of = area_of(tables, folders)
    groups: dict[str, list[str]] = {}
    for t in tables:
        groups.setdefault(areas_of[t.key], []).append(t.key)
    groups = dict(sorted(groups.items()))
    colour = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    typed = {t.key: {c.name: types[c.declared_type] for c in t.columns} for t in tables}
    sizes = {t.key: table_size(len(t.columns), _longest_text(t, typed[t.key])) for t in tables}
    edges = [(fk.ref_key, t.key) for t in tables for fk in t.foreign_keys if fk.ref_key in schema.tables]
    boxes, area_boxes = layout(groups, sizes, edges)

    def table_dict(t: Table) -> dict[str, Any]:
        s, n = t.schema, t.name
        pk = set(t.primary_key.columns) if t.primary_key else set()
        singles = {next(iter(u)) for u in unique_sets(t) if len(u) == 1}
        box: Box = boxes[t.key]
        view = schema.views.get(t.key)
        d: dict[str, Any] = {"id": ids["t", s, n], "name": n, "schema": s, "x": box.x, "y": box.y, "width": box.width,
                   "color": colour[areas_of[t.key]] if view is None else VIEW_COLOURS[view.materialized],
                   "isView": view is not None, "createdAt": 0}
        if view is not None and view.materialized:
            d["isMaterializedView"] = True
        if len(t.columns) > EXPAND_OVER:
            d["expanded"] = True
        if t.comment:
            d["comments"] = t.comment
        d["fields"] = [_field(ids, t, c, typed[t.key][c.name], pk, c.name in singles) for c in t.columns]
        d["indexes"] = _indexes(ids, t)
        if t.checks:
            d["checkConstraints"] = [{"id": ids["c", s, n, c.name], "expression": c.expression.text,
                                      "createdAt": 0} for c in t.checks]
        return d

    return {
        "id": "schemac",
        "name": DIAGRAM_NAME,
        "databaseType": "postgresql",
        "tables": Items(map(table_dict, tables)) if lazy else [table_dict(t) for t in tables],
        "relationships": _relationships(schema, tables, ids),
        "dependencies": [{"id": f"d_{ids['t', *view.split('.', 1)]}_{ids['t', *read.split('.', 1)]}",
                          "schema": read.split(".", 1)[0], "tableId": ids["t", *read.split(".", 1)],
                          "dependentSchema": view.split(".", 1)[0], "dependentTableId": ids["t", *view.split(".", 1)],
                          "createdAt": 0} for view, read in view_reads(schema)],
        "areas": [{"id": f"a_{g}", "name": g, "x": b.x, "y": b.y, "width": b.width, "height": b.height,
                   "color": colour[g], "order": i} for i, (g, b) in enumerate(area_boxes.items())],
        "customTypes": [{"id": ids["ct", e.schema, e.name], "name": e.name, "kind": "enum", "schema": e.schema,
                         "values": list(e.values)}
                        for e in sorted(schema.enums.values(), key=lambda e: (e.schema, e.name))],
        "notes": [],
    }


def _relationships(schema: Schema, tables: list[Table], ids: Ids) -> list[dict[str, Any]]:
    out = []
    for t in tables:
        for fk in t.foreign_keys:
            ref = schema.tables.get(fk.ref_key)
            if ref is None:
                continue
            target = "one" if is_unique(t, fk.columns) else "many"
            for col, ref_col in zip(fk.columns, fk.ref_columns, strict=True):
                out.append({"id": ids["r", t.schema, t.name, fk.name, col], "name": fk.name,
                            "sourceSchema": ref.schema, "sourceTableId": ids["t", ref.schema, ref.name],
                            "sourceFieldId": ids["f", ref.schema, ref.name, ref_col],
                            "targetSchema": t.schema, "targetTableId": ids["t", t.schema, t.name],
                            "targetFieldId": ids["f", t.schema, t.name, col],
                            "sourceCardinality": "one", "targetCardinality": target, "createdAt": 0})
    return out


class DiagramFiles(Mapping[str, bytes]):
    """Every diagram file, by path relative to generated/: chartdb/... and schema.md.

    A file's bytes are made each time it is read and not kept: on a large schema the files
    take about 20 KB a table, and a writer or a comparison needs one at a time. Read each once.
    """

    def __init__(self, schema: Schema, folders: dict[str, str] | None = None) -> None:
        self.schema, self.folders = schema, folders
        tables = sorted_tables(schema)
        self._tables = {f"chartdb/schemas/{table_file_name(t)}": t for t in tables}
        self._names = [*_WHOLE[:3], *self._tables, _WHOLE[3]]
        self._known = frozenset(self._names)

    def __getitem__(self, rel: str) -> bytes:
        table = self._tables.get(rel)
        if table is not None:
            return dump_json(table_document(table))
        schema = self.schema
        if rel == "chartdb/diagram.json":
            return dump_json(diagram_document(schema, self.folders, lazy=True))
        if rel == "chartdb/metadata.json":
            return dump_json(metadata_document(schema, DIAGRAM_NAME, lazy=True), pieces=_unsniffable)
        if rel == "chartdb/schema_index.json":
            return dump_json(table_index(schema))
        if rel == "schema.md":
            return schema_markdown(schema, area_of(sorted_tables(schema), self.folders)).encode()
        raise KeyError(rel)

    def __contains__(self, rel: object) -> bool:
        return rel in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _unsniffable(text: bytes) -> bytes:
    return unsniffable(text.decode()).encode()


_WHOLE = ("chartdb/diagram.json", "chartdb/metadata.json", "chartdb/schema_index.json", "schema.md")


def diagram_files(schema: Schema, folders: dict[str, str] | None = None) -> DiagramFiles:
    """Every diagram file, by path relative to generated/ (made as each is read)."""
    return DiagramFiles(schema, folders)
