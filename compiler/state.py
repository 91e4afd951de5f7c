"""generated/state.json: the schema as of the newest migration, and each migration's checksum."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .errors import StateError
from .model import (
    Check,
    Column,
    Enum,
    Exclusion,
    Extension,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    Unique,
)
from .types import enum_type_spelling, extension_type_names, make_expr

FORMAT = 1


@dataclass(frozen=True, slots=True)
class MigrationRecord:
    version: int
    name: str
    file: str  # relative to generated/
    sha256: str
    rollback: str
    rollback_sha256: str


@dataclass(frozen=True, slots=True)
class State:
    schema: Schema
    migrations: tuple[MigrationRecord, ...] = ()

    @property
    def next_version(self) -> int:
        return max((m.version for m in self.migrations), default=0) + 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- writing

def _column(c: Column) -> dict:
    out: dict = {"name": c.name, "type": c.type}
    if not c.nullable:
        out["nullable"] = False
    for key in ("default", "generated"):
        value = getattr(c, key)
        if value is not None:
            out[key] = value.text
    if c.identity:
        out["identity"] = c.identity
    if c.comment is not None:
        out["comment"] = c.comment
    if c.collation is not None:
        out["collation"] = c.collation
    if c.sequence:
        out["sequence"] = dict(c.sequence)
    return out


def _index_part(p: IndexPart) -> dict:
    out: dict = {"column": p.column} if p.column is not None else {"expression": p.expression.text}  # type: ignore[union-attr]
    return out | p.options()


def _index(i: Index) -> dict:
    out: dict = {"name": i.name, "parts": [_index_part(p) for p in i.parts]}
    if i.unique:
        out["unique"] = True
    if i.using != "btree":
        out["using"] = i.using
    if i.where is not None:
        out["where"] = i.where.text
    # keys added later are written only when set, so an older state.json dumps byte-identically
    if i.include:
        out["include"] = list(i.include)
    if i.storage:
        out["with"] = dict(i.storage)
    if i.nulls_not_distinct:
        out["nulls_not_distinct"] = True
    if i.comment is not None:
        out["comment"] = i.comment
    return out


def _unique(u: Unique) -> dict:
    out: dict = {"name": u.name, "columns": list(u.columns)}
    if u.nulls_not_distinct:
        out["nulls_not_distinct"] = True
    return _with_comment(out, u.comment)


def _with_comment(out: dict, comment: str | None) -> dict:
    if comment is not None:
        out["comment"] = comment
    return out


def _check(c: Check) -> dict:
    out: dict = {"name": c.name, "expression": c.expression.text}
    if c.no_inherit:
        out["no_inherit"] = True
    return _with_comment(out, c.comment)


def _foreign_key(f: ForeignKey) -> dict:
    out: dict = {"name": f.name, "columns": list(f.columns), "ref_schema": f.ref_schema, "ref_table": f.ref_table,
                 "ref_columns": list(f.ref_columns), "on_delete": f.on_delete, "on_update": f.on_update}
    if f.deferrable:
        out["deferrable"] = True
    if f.initially_deferred:
        out["initially_deferred"] = True
    if f.match != "simple":
        out["match"] = f.match
    return _with_comment(out, f.comment)


def _exclusion(x: Exclusion) -> dict:
    out: dict = {"name": x.name, "using": x.using,
                 "elements": [_index_part(p) | {"with": op} for p, op in zip(x.parts, x.operators, strict=True)]}
    if x.where is not None:
        out["where"] = x.where.text
    if x.deferrable:
        out["deferrable"] = True
    if x.initially_deferred:
        out["initially_deferred"] = True
    return _with_comment(out, x.comment)


def _table(t: Table) -> dict:
    out: dict = {"schema": t.schema, "name": t.name}
    if t.comment is not None:
        out["comment"] = t.comment
    out["columns"] = [_column(c) for c in t.columns]
    if t.primary_key:
        out["primary_key"] = _with_comment({"name": t.primary_key.name, "columns": list(t.primary_key.columns)},
                                           t.primary_key.comment)
    if t.uniques:
        out["unique"] = [_unique(u) for u in t.uniques]
    if t.checks:
        out["checks"] = [_check(c) for c in t.checks]
    if t.foreign_keys:
        out["foreign_keys"] = [_foreign_key(f) for f in t.foreign_keys]
    if t.indexes:
        out["indexes"] = [_index(i) for i in t.indexes]
    if t.exclusions:
        out["exclusions"] = [_exclusion(x) for x in t.exclusions]
    return out


def dump_state(state: State) -> bytes:
    """Canonical bytes of a state: same state, same bytes."""
    doc = {
        "format": FORMAT,
        "migrations": [{"version": m.version, "name": m.name, "file": m.file, "sha256": m.sha256,
                        "rollback": m.rollback, "rollback_sha256": m.rollback_sha256}
                       for m in state.migrations],
        "schema": {
            # an extension in public is its bare name, as state.json files before extension schemas have it
            "extensions": [n if x.schema == "public" else {"name": n, "schema": x.schema}
                           for n, x in sorted(state.schema.extensions.items())],
            "enums": [_with_comment({"schema": e.schema, "name": e.name, "values": list(e.values)}, e.comment)
                      for e in state.schema.enums.values()],
            "tables": [_table(t) for t in state.schema.tables.values()],
        },
    }
    out: list[str] = []
    _write_json(doc, "\n", out)
    out.append("\n")
    return "".join(out).encode()


_encode_string = json.encoder.encode_basestring  # the C encoder when available, as json.dumps uses


def _write_json(value: object, newline: str, out: list[str]) -> None:
    """Append exactly what json.dumps(value, indent=1, ensure_ascii=False) writes, only faster.

    json.dumps falls back to its pure-Python encoder whenever `indent` is set; on a large
    state that took longer than reading all the definitions. `newline` is "\n" plus the
    indentation of the current level.
    """
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + " "
        sep = "{" + inner
        for key, item in value.items():
            out.append(sep)
            out.append(_encode_string(key))
            out.append(": ")
            if isinstance(item, str):
                out.append(_encode_string(item))
            else:
                _write_json(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + " "
        sep = "[" + inner
        for item in value:
            out.append(sep)
            if isinstance(item, str):
                out.append(_encode_string(item))
            else:
                _write_json(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    elif value is True or value is False or value is None:
        out.append("true" if value is True else "false" if value is False else "null")
    else:
        out.append(json.dumps(value))  # numbers, as json.dumps spells them


# -- reading

def _read_extension(d: str | dict) -> Extension:
    return Extension(d) if isinstance(d, str) else Extension(d["name"], d["schema"])


def _read_table(d: dict, user_types: dict[str, str]) -> Table:
    def expr(text: str | None, column_type: str | None = None):
        return make_expr(text, column_type, user_types) if text is not None else None

    def part(p: dict) -> IndexPart:
        return IndexPart(p.get("column"), expr(p.get("expression")), p.get("order", "asc"), p.get("nulls"),
                         p.get("opclass"))

    columns = tuple(Column(c["name"], c["type"], c.get("nullable", True), expr(c.get("default"), c["type"]),
                           c.get("identity"), expr(c.get("generated")), c.get("comment"), None,
                           c.get("collation"), tuple(c.get("sequence", {}).items()))
                    for c in d["columns"])
    pk = d.get("primary_key")
    return Table(
        d["schema"], d["name"], columns,
        PrimaryKey(pk["name"], tuple(pk["columns"]), pk.get("comment")) if pk else None,
        tuple(Unique(u["name"], tuple(u["columns"]), u.get("nulls_not_distinct", False), u.get("comment"))
              for u in d.get("unique", ())),
        tuple(Check(c["name"], expr(c["expression"]), c.get("no_inherit", False), c.get("comment"))  # type: ignore[arg-type]
              for c in d.get("checks", ())),
        tuple(ForeignKey(f["name"], tuple(f["columns"]), f["ref_schema"], f["ref_table"], tuple(f["ref_columns"]),
                         f["on_delete"], f["on_update"], f.get("deferrable", False), f.get("initially_deferred", False),
                         f.get("match", "simple"), f.get("comment")) for f in d.get("foreign_keys", ())),
        tuple(Index(i["name"], tuple(part(p) for p in i["parts"]),
                    i.get("unique", False), i.get("using", "btree"), expr(i.get("where")),
                    tuple(i.get("include", ())), tuple(sorted(i.get("with", {}).items())),
                    i.get("nulls_not_distinct", False), i.get("comment"))
              for i in d.get("indexes", ())),
        d.get("comment"), None,
        tuple(Exclusion(x["name"], tuple(part(p) for p in x["elements"]), tuple(p["with"] for p in x["elements"]),
                        x["using"], expr(x.get("where")), x.get("deferrable", False),
                        x.get("initially_deferred", False), x.get("comment"))
              for x in d.get("exclusions", ())))


def load_state(data: bytes | None) -> State:
    """The state stored in `data`; an empty state when there is none yet."""
    if data is None:
        return State(Schema())
    try:
        doc = json.loads(data)
        if doc.get("format") != FORMAT:
            raise StateError(f"state.json has format {doc.get('format')!r}; this schemac reads {FORMAT}")
        s = doc["schema"]
        enums = {f"{e['schema']}.{e['name']}": Enum(e["schema"], e["name"], tuple(e["values"]), e.get("comment"))
                 for e in s["enums"]}
        user_types = {f"{e.schema}.{e.name}": enum_type_spelling(e.schema, e.name) for e in enums.values()}
        user_types |= {e.name: enum_type_spelling(e.schema, e.name) for e in enums.values() if e.schema == "public"}
        extensions = {x.name: x for x in map(_read_extension, s["extensions"])}
        user_types |= extension_type_names(extensions.values())
        tables = {f"{t['schema']}.{t['name']}": _read_table(t, user_types) for t in s["tables"]}
        schema = Schema(tables=tables, enums=enums, extensions=extensions)
        migrations = tuple(MigrationRecord(m["version"], m["name"], m["file"], m["sha256"], m["rollback"],
                                           m["rollback_sha256"]) for m in doc["migrations"])
        for m in migrations:
            if not isinstance(m.version, int) or isinstance(m.version, bool) or not all(
                    isinstance(x, str) for x in (m.name, m.file, m.sha256, m.rollback, m.rollback_sha256)):
                raise TypeError(f"migration record {m.version!r} has values of the wrong type")
    except StateError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as e:  # AttributeError: a list where a mapping was
        raise StateError(f"state.json is damaged ({type(e).__name__}: {e}); restore it from version control "
                         "('git checkout generated/state.json') or rebuild it from the migrations "
                         "('schemac rebuild-state')") from None
    return State(schema, migrations)
