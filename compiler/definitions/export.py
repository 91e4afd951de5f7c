"""Schema -> definitions/ YAML, written the way a person would write it (for `schemac import`)."""
from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..model.names import default_name
from ..model.schema import Column, Exclusion, ForeignKey, Index, IndexPart, Schema, Table, Unique
from ..model.types import enum_type_spelling
from .export_partitions import partitioning_document
from .export_routines import Block, routine_document, trigger_document
from .export_security import schema_document, table_security_keys
from .export_seqdom import domain_document, domains_in_order, sequence_document, type_names
from .export_views import view_document
from .json_schema import modeline

_LITERAL_CAST = re.compile(r"^('(?:[^']|'')*')::(.+)$", re.S)
_INTEGER = re.compile(r"^-?\d+$")


def _default(col: Column) -> object:
    """A stored default in the form a person writes: no cast of a literal to the column's own type."""
    text = col.default.text  # type: ignore[union-attr]
    m = _LITERAL_CAST.match(text)
    if m and m[2] in (col.type, col.type.strip('"')):
        text = m[1]
    if _INTEGER.match(text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    return text


def _type_name(type_: str, enum_names: dict[str, str]) -> str:
    array = "[]" if type_.endswith("[]") else ""
    base = type_.removesuffix("[]")
    return enum_names[base] + array if base in enum_names else _written_type(type_)


def _column(t: Table, col: Column, enum_names: dict[str, str], pk_inline: bool, unique_inline: dict[str, str],
            fk_inline: dict[str, ForeignKey], check_inline: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": col.name, "type": _type_name(col.declared_type, enum_names)}
    in_pk = bool(t.primary_key and col.name in t.primary_key.columns)
    if pk_inline and in_pk:
        out["primary_key"] = True
    implied_not_null = in_pk or col.identity or col.serial
    if not col.nullable and not implied_not_null:
        out["nullable"] = False
    if col.identity:
        out["identity"] = {"kind": col.identity, **dict(col.sequence)} if col.sequence else col.identity
    elif col.sequence:
        out["sequence"] = dict(col.sequence)
    if col.generated is not None:
        out["generated"] = col.generated.text
    if col.default is not None:
        out["default"] = _default(col)
    if col.name in unique_inline:
        out["unique"] = True
    fk = fk_inline.get(col.name)
    if fk is not None:
        target = fk.ref_table if fk.ref_schema == t.schema else f"{fk.ref_schema}.{fk.ref_table}"
        out["references"] = f"{target}.{fk.ref_columns[0]}"
        if fk.on_delete != "no action":
            out["on_delete"] = fk.on_delete
        if fk.on_update != "no action":
            out["on_update"] = fk.on_update
        out |= _key_timing(fk)
    if col.name in check_inline:
        out["check"] = check_inline[col.name]
    if col.collation is not None:
        out["collation"] = col.collation
    if col.comment is not None:
        out["comment"] = col.comment
    return out


def _index_part(p: IndexPart) -> object:
    """A part as written: a bare column or expression, or a mapping when it has options."""
    plain = p.column if p.column is not None else p.expression.text  # type: ignore[union-attr]
    if not p.has_options:
        return plain
    return ({"column": p.column} if p.column is not None else {"expression": plain}) | p.options()


def _index(t: Table, i: Index) -> dict[str, Any]:
    out: dict[str, Any] = {}
    columns = [p.column for p in i.parts]
    label = [c for c in columns if c] if all(columns) else None
    if any(p.has_options for p in i.parts):
        key = "columns" if all(columns) else "expression"
        out[key] = [_index_part(p) for p in i.parts]
    elif all(columns):
        out["columns"] = columns
    elif len(i.parts) == 1:
        out["expression"] = i.parts[0].expression.text  # type: ignore[union-attr]
        label = None
    else:
        out["expression"] = [p.column if p.column else p.expression.text for p in i.parts]  # type: ignore[union-attr]
    if label is None or i.name != default_name(t.name, label, "idx"):
        out = {"name": i.name, **out}
    if i.unique:
        out["unique"] = True
    if i.using != "btree":
        out["using"] = i.using
    if i.where is not None:
        out["where"] = i.where.text
    if i.include:
        out["include"] = list(i.include)
    if i.storage:
        out["with"] = {k: _storage_value(v) for k, v in i.storage}
    if i.nulls_not_distinct:
        out["nulls_not_distinct"] = True
    if i.comment is not None:
        out["comment"] = i.comment
    return out


def _storage_value(text: str) -> object:
    return int(text) if _INTEGER.match(text) else {"true": True, "false": False}.get(text, text)


def table_document(t: Table, enum_names: dict[str, str]) -> dict[str, Any]:
    """One table as a definitions document, column-level forms wherever PostgreSQL's default name fits."""
    doc: dict[str, Any] = {"table": t.name}
    if t.schema != "public":
        doc["schema"] = t.schema
    if t.comment is not None:
        doc["comment"] = t.comment
    pk = t.primary_key
    # the column-level forms hold no name and no options: only what they would create exactly
    pk_inline = bool(pk and len(pk.columns) == 1 and pk.name == default_name(t.name, [], "pkey")
                     and pk.comment is None)
    unique_inline = {u.columns[0]: u.name for u in t.uniques if len(u.columns) == 1 and not u.nulls_not_distinct
                     and u.name == default_name(t.name, list(u.columns), "key") and u.comment is None}
    fk_inline = {f.columns[0]: f for f in t.foreign_keys
                 if len(f.columns) == 1 and f.name == default_name(t.name, list(f.columns), "fkey")
                 and f.comment is None}
    check_inline: dict[str, str] = {}
    inlined: set[str] = set()
    for c in t.checks:
        cols = list(c.expression.columns)
        if (len(cols) == 1 and c.name == default_name(t.name, cols, "check") and cols[0] not in check_inline
                and not c.no_inherit and c.comment is None):
            check_inline[cols[0]] = c.expression.text
            inlined.add(c.name)
    doc["columns"] = [_column(t, c, enum_names, pk_inline, unique_inline, fk_inline, check_inline) for c in t.columns]
    if pk and not pk_inline:
        named = pk.name != default_name(t.name, [], "pkey")
        doc["primary_key"] = (list(pk.columns) if not named and pk.comment is None
                              else ({"name": pk.name} if named else {}) | {"columns": list(pk.columns)}
                              | _comment(pk.comment))
    uniques = [u for u in t.uniques if u.name not in unique_inline.values()]
    if uniques:
        doc["unique"] = [_unique(t, u) for u in uniques]
    if t.indexes:
        doc["indexes"] = [_index(t, i) for i in t.indexes]
    fks = [f for f in t.foreign_keys if fk_inline.get(f.columns[0]) is not f]
    if fks:
        doc["foreign_keys"] = [_foreign_key(t, f) for f in fks]
    if t.exclusions:
        doc["exclusions"] = [_exclusion(t, x) for x in t.exclusions]
    checks = [c for c in t.checks if c.name not in inlined]
    if checks:
        doc["checks"] = [{"name": c.name, "expression": c.expression.text}
                         | ({"no_inherit": True} if c.no_inherit else {}) | _comment(c.comment) for c in checks]
    if t.partition_by is not None:
        doc |= partitioning_document(t.schema, t.partition_by, t.partitions)
    return doc | table_security_keys(t)


def _comment(comment: str | None) -> dict[str, Any]:
    return {"comment": comment} if comment is not None else {}


def _exclusion(t: Table, x: Exclusion) -> dict[str, Any]:
    labels = [p.column or p.expression.index_label for p in x.parts]  # type: ignore[union-attr]
    out: dict[str, Any] = {} if x.name == default_name(t.name, labels, "excl") else {"name": x.name}
    if x.using != "gist":
        out["using"] = x.using
    out["elements"] = [({"column": p.column} if p.column is not None else {"expression": p.expression.text})  # type: ignore[union-attr]
                       | p.options() | {"with": operator} for p, operator in zip(x.parts, x.operators, strict=True)]
    if x.where is not None:
        out["where"] = x.where.text
    if x.deferrable and not x.initially_deferred:
        out["deferrable"] = True
    if x.initially_deferred:
        out["initially_deferred"] = True
    return out | _comment(x.comment)


def _unique(t: Table, u: Unique) -> object:
    named = u.name != default_name(t.name, list(u.columns), "key")
    if not named and not u.nulls_not_distinct and u.comment is None:
        return list(u.columns)
    out: dict[str, Any] = {"name": u.name} if named else {}
    out["columns"] = list(u.columns)
    if u.nulls_not_distinct:
        out["nulls_not_distinct"] = True
    return out | _comment(u.comment)


def _foreign_key(t: Table, f: ForeignKey) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.name != default_name(t.name, list(f.columns), "fkey"):
        out["name"] = f.name
    ref: dict[str, Any] = {"table": f.ref_table, "columns": list(f.ref_columns)}
    if f.ref_schema != t.schema:
        ref = {"schema": f.ref_schema, **ref}
    out |= {"columns": list(f.columns), "references": ref}
    if f.on_delete != "no action":
        out["on_delete"] = f.on_delete
    if f.on_update != "no action":
        out["on_update"] = f.on_update
    return out | _key_timing(f) | _comment(f.comment)


def _key_timing(f: ForeignKey) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.deferrable and not f.initially_deferred:  # initially_deferred says deferrable too
        out["deferrable"] = True
    if f.initially_deferred:
        out["initially_deferred"] = True
    if f.match != "simple":
        out["match"] = f.match
    return out


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_ .()/+*<>=-]*")


def _reads_back(text: str) -> bool:
    try:
        read: object = yaml.safe_load(text)
        return read == text
    except yaml.YAMLError:  # '=' is YAML's value tag, which safe_load cannot build
        return False


def _scalar(value: object) -> str:
    """A YAML scalar: plain when it reads back as the same string, else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text == text.strip() and _reads_back(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _document(doc: dict[str, Any]) -> str:
    """A definitions document as a person writes it: block keys, one flow mapping per list item,
    text of several lines (a view's query) as a literal block."""
    lines = []
    for key, value in doc.items():
        if isinstance(value, Block):  # a routine's body, its lines as they are
            lines.append(f"{key}: |2")
            lines += [f"  {line}" if line else "" for line in value.split("\n")]
        elif isinstance(value, str) and "\n" in value and _block_safe(value):
            lines.append(f"{key}: |-")
            lines += [f"  {line}" if line else "" for line in value.split("\n")]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{key}:")
            lines += [f"  - {_flow(v)}" for v in value]
        elif isinstance(value, list) and value and all(isinstance(v, list) for v in value):
            lines.append(f"{key}:")
            lines += [f"  - {_flow(v)}" for v in value]
        else:
            lines.append(f"{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def _block_safe(text: str) -> bool:
    """Does a literal block give `text` back: no blank space at its ends or lines' ends, nothing unprintable?"""
    return (text == text.strip() and all(line == line.rstrip() for line in text.split("\n"))
            and all(c.isprintable() or c == "\n" for c in text))


def _dump(docs: list[dict[str, Any]], path: str) -> str:
    """The file at definitions/`path`; each document names the JSON Schema for editors, which read the
    comment in the document that holds it only."""
    header = modeline(path.count("/") + 1)
    return "---\n".join(header + _document(d) for d in docs)


# canonical spelling -> the alias people write
_ALIASES = [(re.compile(r"character varying(\(\d+\))?$"), r"varchar\1"),
            (re.compile(r"character(\(\d+\))$"), r"char\1"),
            (re.compile(r"timestamp(\(\d\))? with time zone$"), r"timestamptz\1"),
            (re.compile(r"timestamp(\(\d\))? without time zone$"), r"timestamp\1"),
            (re.compile(r"time(\(\d\))? with time zone$"), r"timetz\1"),
            (re.compile(r"time(\(\d\))? without time zone$"), r"time\1")]


def _written_type(type_: str) -> str:
    array = "[]" if type_.endswith("[]") else ""
    base = type_.removesuffix("[]")
    for pattern, alias in _ALIASES:
        if pattern.match(base):
            return pattern.sub(alias, base) + array
    return type_


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "table"


def definition_files(schema: Schema) -> dict[str, str]:
    """definitions/ as {relative path: YAML}: one file per table and per view (its triggers with it),
    types.yaml for enums and extensions, routines.yaml for the functions and procedures of each schema."""
    enum_names = {enum_type_spelling(e.schema, e.name): (e.name if e.schema == "public" else f"{e.schema}.{e.name}")
                  for e in schema.enums.values()}
    enum_names |= type_names(schema)  # domains: named as enums are
    files: dict[str, str] = {}
    types: list[dict[str, Any]] = [{"extension": n} | ({"schema": x.schema} if x.schema != "public" else {})
             for n, x in sorted(schema.extensions.items())]
    types += [({"enum": e.name} | ({"schema": e.schema} if e.schema != "public" else {}) | _comment(e.comment)
               | {"values": list(e.values)})
              for e in schema.enums.values()]
    types += [domain_document(d, schema, _type_name(d.type, enum_names)) for d in domains_in_order(schema)]
    types += [sequence_document(q) for q in schema.sequences.values()]
    if types:
        files["types.yaml"] = _dump(types, "types.yaml")
    if schema.namespaces:
        files["schemas.yaml"] = _dump([schema_document(n) for n in schema.namespaces.values()], "schemas.yaml")
    for t in schema.tables.values():
        path = _free_path(files, t.schema, t.name)
        # a table's triggers are documents of its file
        files[path] = _dump([table_document(t, enum_names), *_triggers_on(schema, t.key, False)], path)
    for folder in sorted({r.schema for r in schema.routines.values()}):
        path = "routines.yaml" if folder == "public" else f"{_file_name(folder)}/routines.yaml"
        while path in files:
            path = path.removesuffix(".yaml") + "_.yaml"
        files[path] = _dump([routine_document(r, lambda type_: _type_name(type_, enum_names))
                             for r in schema.routines.values() if r.schema == folder], path)
    for v in schema.views.values():
        path = _free_path(files, v.schema, v.name)
        files[path] = _dump([view_document(v, _index), *_triggers_on(schema, v.key, True)], path)
    return files


def _triggers_on(schema: Schema, key: str, view: bool) -> list[dict[str, Any]]:
    """The trigger documents of the table or view `key`: written in its file, after it."""
    return [trigger_document(x, set(schema.routines)) for x in schema.triggers.values()
            if x.table_key == key and x.on_view == view]


def _free_path(files: dict[str, str], schema: str, name: str) -> str:
    """`name.yaml`, in a folder named for its schema unless public; numbered when that is taken."""
    folder = "" if schema == "public" else f"{_file_name(schema)}/"
    path = f"{folder}{_file_name(name)}.yaml"
    n = 2
    while path in files:
        path, n = f"{folder}{_file_name(name)}_{n}.yaml", n + 1
    return path
