"""A checker of ChartDB 1.20's two JSON formats, rule by rule from shared/chartdb/FORMAT.md.

`diagram_problems` and `metadata_problems` return one line per broken rule (empty: valid).
Written from FORMAT.md alone, so it also checks the compiler's reading of that document.
"""
from __future__ import annotations

import json
import re
from typing import Any

DATABASE_TYPES = {"generic", "postgresql", "mysql", "sql_server", "mariadb", "sqlite", "clickhouse",
                  "cockroachdb", "oracle"}
DATABASE_EDITIONS = {"supabase", "timescale", "mysql_5_7", "sql_server_2016_and_below", "cloudflare_d1"}
INDEX_TYPES = {"btree", "hash", "gist", "gin", "spgist", "brin", "nonclustered", "clustered", "xml", "fulltext",
               "spatial", "index"}
CARDINALITIES = {"one", "many"}
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SIZED_TYPE = re.compile(r"\(\s*\d+\s*(,\s*\d+\s*)?\)")  # varchar(255) shows as varchar(255)(255)

# ChartDB's table node: 42 px header, 32 px per field, 10 fields and a 32 px footer unless expanded
HEADER, FIELD, MINIMISED, FOOTER, DEFAULT_WIDTH = 42, 32, 10, 32, 224

STR, NUM, BOOL, LIST, DICT = "string", "number", "boolean", "array", "object"
_TYPES = {STR: (str,), NUM: (int, float), BOOL: (bool,), LIST: (list,), DICT: (dict,)}


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def is_kind(self, value: Any, kind: str) -> bool:
        if kind == NUM and isinstance(value, bool):
            return False
        return isinstance(value, _TYPES[kind])

    def keys(self, where: str, obj: Any, required: dict[str, str | tuple[str, ...]],
             optional: dict[str, str | tuple[str, ...]] | None = None,
             null_ok: frozenset[str] = frozenset()) -> bool:
        """Required keys present, every key of the right type; `null` only where `null_ok`."""
        optional = optional or {}
        before = len(self.problems)
        if not isinstance(obj, dict):
            self.problems.append(f"{where}: must be an object")
            return False
        for key, kinds in {**required, **optional}.items():
            kinds = (kinds,) if isinstance(kinds, str) else kinds
            if key not in obj:
                if key in required:
                    self.problems.append(f"{where}: required key '{key}' missing")
                continue
            value = obj[key]
            if value is None:
                if key not in null_ok:
                    self.problems.append(f"{where}: '{key}' is null, which ChartDB rejects")
                continue
            if not any(self.is_kind(value, k) for k in kinds):
                self.problems.append(f"{where}: '{key}' must be {' or '.join(kinds)}, not {json.dumps(value)[:40]}")
        return len(self.problems) == before

    def one_of(self, where: str, value: Any, allowed: set[str]) -> None:
        if value is not None and value not in allowed:
            self.problems.append(f"{where}: {json.dumps(value)} is not one of {sorted(allowed)}")


# ---------------------------------------------------------------- diagram JSON (FORMAT.md 1b)

def table_box(table: dict) -> tuple[float, float, float, float]:
    """x, y, width, height of a table as ChartDB draws it."""
    n = len(table.get("fields") or [])
    shown = n if table.get("expanded") or n <= MINIMISED else MINIMISED
    height = HEADER + FIELD * max(shown, 1) + (FOOTER if shown < n else 0)
    return table["x"], table["y"], table.get("width") or DEFAULT_WIDTH, height


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(inner: tuple, outer: tuple) -> bool:
    return (outer[0] <= inner[0] and outer[1] <= inner[1] and inner[0] + inner[2] <= outer[0] + outer[2]
            and inner[1] + inner[3] <= outer[1] + outer[3])


def diagram_problems(doc: Any, layout: bool = True) -> list[str]:
    """Every FORMAT.md rule of the whole-diagram JSON; with `layout`, also no table overlaps another
    and each lies inside exactly one area, areas not overlapping (what ChartDB uses to group)."""
    c = _Checker()
    if not c.keys("diagram", doc, {"id": STR, "name": STR, "databaseType": STR},
                  {"databaseEdition": STR, "tables": LIST, "relationships": LIST, "dependencies": LIST,
                   "areas": LIST, "customTypes": LIST, "notes": LIST, "createdAt": (STR, NUM),
                   "updatedAt": (STR, NUM)}):
        return c.problems
    c.one_of("databaseType", doc.get("databaseType"), DATABASE_TYPES)
    c.one_of("databaseEdition", doc.get("databaseEdition"), DATABASE_EDITIONS)
    ids: dict[str, str] = {}

    def new_id(where: str, value: Any) -> None:
        if isinstance(value, str):
            if value in ids:
                c.problems.append(f"{where}: id '{value}' also used by {ids[value]}")
            ids[value] = where

    fields_of: dict[str, set[str]] = {}
    table_list = doc.get("tables") or []
    for ti, t in enumerate(table_list):
        w = f"tables[{ti}]"
        if not c.keys(w, t, {"id": STR, "name": STR, "x": NUM, "y": NUM, "fields": LIST, "indexes": LIST,
                             "color": STR, "isView": BOOL, "createdAt": NUM},
                      {"schema": STR, "isMaterializedView": BOOL, "width": NUM, "comments": STR, "order": NUM,
                       "expanded": BOOL, "parentAreaId": STR, "checkConstraints": LIST},
                      frozenset({"schema", "isMaterializedView", "width", "comments", "order", "expanded",
                                 "parentAreaId", "checkConstraints"})):
            continue
        w = f"table {t.get('schema')}.{t.get('name')}"
        new_id(w, t.get("id"))
        if isinstance(t.get("color"), str) and not HEX_COLOUR.match(t["color"]):
            c.problems.append(f"{w}: color {t['color']!r} is not a hex colour")
        own = fields_of.setdefault(t.get("id"), set())
        pk_fields = []
        for fi, f in enumerate(t.get("fields") or []):
            fw = f"{w} fields[{fi}]"
            if not c.keys(fw, f, {"id": STR, "name": STR, "type": DICT, "primaryKey": BOOL, "unique": BOOL,
                                  "nullable": BOOL, "createdAt": NUM},
                          {"increment": BOOL, "isArray": BOOL, "characterMaximumLength": STR, "precision": NUM,
                           "scale": NUM, "default": STR, "collation": STR, "comments": STR, "check": STR},
                          frozenset({"increment", "isArray", "characterMaximumLength", "precision", "scale",
                                     "default", "collation", "comments", "check"})):
                continue
            new_id(fw, f.get("id"))
            own.add(f.get("id"))
            c.keys(f"{fw} type", f.get("type"), {"id": STR, "name": STR})
            if isinstance(f.get("type"), dict) and SIZED_TYPE.search(str(f["type"].get("name"))):
                c.problems.append(f"{fw}: type name {f['type']['name']!r} carries a size; ChartDB shows it twice")
            if f.get("primaryKey"):
                pk_fields.append(f.get("id"))
        for ii, i in enumerate(t.get("indexes") or []):
            iw = f"{w} indexes[{ii}]"
            if not c.keys(iw, i, {"id": STR, "name": STR, "unique": BOOL, "fieldIds": LIST, "createdAt": NUM},
                          {"type": STR, "isPrimaryKey": BOOL, "comments": STR},
                          frozenset({"isPrimaryKey", "comments"})):
                continue
            new_id(iw, i.get("id"))
            c.one_of(f"{iw} type", i.get("type"), INDEX_TYPES)
            for fid in i.get("fieldIds") or []:
                if fid not in own:
                    c.problems.append(f"{iw}: fieldId {fid!r} is not a field of this table")
            if i.get("isPrimaryKey") and sorted(i.get("fieldIds") or []) != sorted(pk_fields):
                c.problems.append(f"{iw}: the primary-key index must list the table's primaryKey fields")
        if pk_fields and not any(i.get("isPrimaryKey") for i in t.get("indexes") or [] if isinstance(i, dict)):
            c.problems.append(f"{w}: has primary-key fields but no primary-key index (ChartDB always adds one)")
        for ci, chk in enumerate(t.get("checkConstraints") or []):
            c.keys(f"{w} checkConstraints[{ci}]", chk, {"id": STR, "expression": STR, "createdAt": NUM})
    tables_by_id = {t.get("id"): t for t in table_list if isinstance(t, dict)}
    for ri, r in enumerate(doc.get("relationships") or []):
        rw = f"relationships[{ri}]"
        if not c.keys(rw, r, {"id": STR, "name": STR, "sourceTableId": STR, "sourceFieldId": STR,
                              "targetTableId": STR, "targetFieldId": STR, "sourceCardinality": STR,
                              "targetCardinality": STR, "createdAt": NUM},
                      {"sourceSchema": STR, "targetSchema": STR}, frozenset({"sourceSchema", "targetSchema"})):
            continue
        new_id(rw, r.get("id"))
        c.one_of(f"{rw} sourceCardinality", r.get("sourceCardinality"), CARDINALITIES)
        c.one_of(f"{rw} targetCardinality", r.get("targetCardinality"), CARDINALITIES)
        for side in ("source", "target"):
            table_id, field_id = r.get(f"{side}TableId"), r.get(f"{side}FieldId")
            if table_id not in tables_by_id:
                c.problems.append(f"{rw}: {side}TableId {table_id!r} resolves to no table (ChartDB drops it)")
            elif field_id not in fields_of.get(table_id, set()):
                c.problems.append(f"{rw}: {side}FieldId {field_id!r} is no field of {table_id!r} (ChartDB drops it)")
    for di, d in enumerate(doc.get("dependencies") or []):
        dw = f"dependencies[{di}]"
        if c.keys(dw, d, {"id": STR, "tableId": STR, "dependentTableId": STR, "createdAt": NUM},
                  {"schema": STR, "dependentSchema": STR}, frozenset({"schema", "dependentSchema"})):
            new_id(dw, d.get("id"))
            for key in ("tableId", "dependentTableId"):
                if d.get(key) not in tables_by_id:
                    c.problems.append(f"{dw}: {key} resolves to no table")
    for ci, ct in enumerate(doc.get("customTypes") or []):
        cw = f"customTypes[{ci}]"
        if c.keys(cw, ct, {"id": STR, "name": STR, "kind": STR},
                  {"schema": STR, "values": LIST, "fields": LIST, "order": NUM},
                  frozenset({"schema", "values", "fields", "order"})):
            new_id(cw, ct.get("id"))
            c.one_of(f"{cw} kind", ct.get("kind"), {"enum", "composite"})
            if any(not isinstance(v, str) for v in ct.get("values") or []):
                c.problems.append(f"{cw}: values must be strings")
    for kind, extra in (("areas", {}), ("notes", {"content": STR})):
        for ai, a in enumerate(doc.get(kind) or []):
            aw = f"{kind}[{ai}]"
            if c.keys(aw, a, {"id": STR, "name": STR, "x": NUM, "y": NUM, "width": NUM, "height": NUM,
                              "color": STR, **extra} if kind == "areas" else
                      {"id": STR, "x": NUM, "y": NUM, "width": NUM, "height": NUM, "color": STR, **extra},
                      {"order": NUM}):
                new_id(aw, a.get("id"))
    if layout and not c.problems:
        c.problems += layout_problems(doc)
    return c.problems


def layout_problems(doc: dict) -> list[str]:
    """No two tables overlap; with areas, each table lies in exactly one, and areas do not overlap."""
    problems = []
    boxes = [(f"{t.get('schema')}.{t['name']}", table_box(t)) for t in doc.get("tables") or []]
    ordered = sorted(boxes, key=lambda b: b[1][0])
    for i, (name, box) in enumerate(ordered):  # sweep by x: only boxes starting before this one ends
        for other, obox in ordered[i + 1:]:
            if obox[0] >= box[0] + box[2]:
                break
            if _overlap(box, obox):
                problems.append(f"tables {name} and {other} overlap")
    areas = [(a["name"], (a["x"], a["y"], a["width"], a["height"])) for a in doc.get("areas") or []]
    for i, (name, box) in enumerate(areas):
        for other, obox in areas[i + 1:]:
            if _overlap(box, obox):
                problems.append(f"areas {name} and {other} overlap")
    if areas:
        for name, box in boxes:
            holders = [a for a, abox in areas if _inside(box, abox)]
            if len(holders) != 1:
                problems.append(f"table {name} lies inside {len(holders)} areas, not one")
    return problems


# ---------------------------------------------------------------- metadata JSON (FORMAT.md 1a)

DDL_KEYWORDS = ("CREATE TABLE", "ALTER TABLE", "DROP TABLE", "CREATE INDEX", "CREATE VIEW", "CREATE PROCEDURE",
                "CREATE FUNCTION", "CREATE SCHEMA", "CREATE DATABASE")
# JavaScript's ^ in multi-line mode also starts a line after \r, U+2028 and U+2029
_LINE = r"(?:^|(?<=[\n\r\u2028\u2029]))"
DBML_PATTERNS = [re.compile(_LINE + p) for p in (r"Table\s+\w+\s*\{", r"Ref:\s*\w+", r"Enum\s+\w+\s*\{",
                                                 r"TableGroup\s+", r"Note\s+\w+\s*\{")]
DBML_PATTERNS += [re.compile(r"\[pk\]"), re.compile(r"\[ref:\s*[<>-]")]


def detect_import_method(text: str) -> str | None:
    """What ChartDB's paste box decides the text is: 'dbml', 'ddl', 'query' (JSON) or None."""
    if not text.strip():
        return None
    if any(p.search(text) for p in DBML_PATTERNS):
        return "dbml"
    upper = text.upper()
    if any(k in upper for k in DDL_KEYWORDS):
        return "ddl"
    s = text.strip()
    if (s.startswith("{") and s.endswith("}")) or (s.startswith("[") and s.endswith("]")):
        return "query"
    return None


def metadata_problems(text: str) -> list[str]:
    """Every FORMAT.md rule of the smart-query metadata JSON, given the text a user pastes."""
    c = _Checker()
    method = detect_import_method(text)
    if method != "query":
        c.problems.append(f"ChartDB's paste box would read this text as {method!r}, not as JSON")
    doc = json.loads(text)
    if not c.keys("metadata", doc, {"fk_info": LIST, "pk_info": LIST, "columns": LIST, "indexes": LIST,
                                    "tables": LIST, "views": LIST, "database_name": STR, "version": STR},
                  {"check_constraints": LIST, "custom_types": LIST}):
        return c.problems
    tables: set[tuple[str, str]] = set()
    for i, t in enumerate(doc["tables"]):
        if c.keys(f"tables[{i}]", t, {"schema": STR, "table": STR},
                  {"rows": NUM, "type": STR, "engine": STR, "collation": STR, "comment": STR}):
            tables.add((t.get("schema", "").strip(), t.get("table")))
    columns: set[tuple[str, str, str]] = set()
    for i, col in enumerate(doc["columns"]):
        w = f"columns[{i}]"
        if not c.keys(w, col, {"schema": STR, "table": STR, "name": STR, "type": STR, "ordinal_position": NUM,
                               "nullable": (BOOL, NUM)},
                      {"character_maximum_length": STR, "precision": DICT, "default": STR, "collation": STR,
                       "comment": STR, "is_identity": BOOL, "is_array": BOOL},
                      frozenset({"character_maximum_length", "precision", "default", "collation", "comment",
                                 "is_identity", "is_array"})):
            continue
        key = (col.get("schema", "").strip(), col.get("table"))
        if key not in tables:
            c.problems.append(f"{w}: matches no table (ChartDB ignores it)")
        columns.add((*key, col.get("name")))
        if isinstance(col.get("type"), str) and SIZED_TYPE.search(col["type"]):
            c.problems.append(f"{w}: type {col['type']!r} is not a bare name")
        if isinstance(col.get("precision"), dict):
            c.keys(f"{w} precision", col["precision"], {"precision": NUM, "scale": NUM},
                   null_ok=frozenset({"precision", "scale"}))

    def column_ref(w: str, schema: Any, table: Any, column: Any) -> None:
        if (str(schema).strip(), table) not in tables:
            c.problems.append(f"{w}: table {schema}.{table} is not in tables[] (ChartDB drops the row)")
        elif (str(schema).strip(), table, column) not in columns:
            c.problems.append(f"{w}: column {column!r} is not a column of {schema}.{table}")

    for i, pk in enumerate(doc["pk_info"]):
        if c.keys(f"pk_info[{i}]", pk, {"schema": STR, "table": STR, "column": STR, "pk_def": STR}):
            column_ref(f"pk_info[{i}]", pk.get("schema"), pk.get("table"), str(pk.get("column")).strip())
    for i, ix in enumerate(doc["indexes"]):
        w = f"indexes[{i}]"
        if c.keys(w, ix, {"schema": STR, "table": STR, "name": STR, "column": STR, "column_position": NUM,
                          "unique": (BOOL, NUM), "index_type": STR, "direction": STR},
                  {"cardinality": NUM, "size": NUM}, frozenset({"cardinality", "size"})):
            column_ref(w, ix.get("schema"), ix.get("table"), ix.get("column"))
            if isinstance(ix.get("index_type"), str):
                c.one_of(f"{w} index_type", ix["index_type"].lower(), INDEX_TYPES)
    for i, fk in enumerate(doc["fk_info"]):
        w = f"fk_info[{i}]"
        if c.keys(w, fk, {"schema": STR, "table": STR, "column": STR, "foreign_key_name": STR,
                          "reference_table": STR, "reference_column": STR, "fk_def": STR,
                          # optional in ChartDB, but without it the row is dropped when the table has a schema
                          "reference_schema": STR}):
            column_ref(w, fk.get("schema"), fk.get("table"), fk.get("column"))
            column_ref(f"{w} reference", fk.get("reference_schema"), fk.get("reference_table"),
                       fk.get("reference_column"))
    for i, v in enumerate(doc["views"]):
        if c.keys(f"views[{i}]", v, {"schema": STR, "view_name": STR}, {"view_definition": STR}):
            if (v.get("schema", "").strip(), v.get("view_name")) not in tables:
                c.problems.append(f"views[{i}]: a view must also be listed in tables[]")
            if v.get("view_definition") and not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", v["view_definition"]):
                c.problems.append(f"views[{i}]: view_definition is not base64 (the import throws)")
    for i, ct in enumerate(doc.get("custom_types") or []):
        w = f"custom_types[{i}]"
        if c.keys(w, ct, {"schema": STR, "type": STR, "kind": STR}, {"values": LIST, "fields": LIST}):
            c.one_of(f"{w} kind", ct.get("kind"), {"enum", "composite"})
    for i, chk in enumerate(doc.get("check_constraints") or []):
        if c.keys(f"check_constraints[{i}]", chk, {"schema": STR, "table": STR, "expression": STR}):
            if (chk.get("schema", "").strip(), chk.get("table")) not in tables:
                c.problems.append(f"check_constraints[{i}]: matches no table")
    return c.problems
