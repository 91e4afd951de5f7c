"""generated/state.json: the schema as of the newest migration, and each migration's checksum."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import StateError
from ..jsontext import dump_json
from ..model.expressions import make_expression
from ..model.policy_reads import with_policy_reads
from ..model.schema import (
    Check,
    Column,
    Enum,
    Exclusion,
    Expression,
    Extension,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    Unique,
)
from ..model.types import SERIAL_TYPES, bare_name_usable, enum_type_spelling, extension_type_names
from ..model.view_query import read_views
from ..model.warehouse import Held, IntegerRange, Warehouse
from .state_partitions import partitioning_state, read_partitioning
from .state_routines import dump_routine, dump_trigger, read_routine, read_trigger
from .state_security import read_namespaces, read_table_security, table_security, write_namespaces
from .state_seqdom import domain_names, dump_domains, dump_sequences, read_domains, read_sequences
from .view_state import read_view_state, view_state

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
class WarehouseRecord:
    """A BigQuery migration (warehouse/bigquery/migrations/NNN_name.sql): numbered in the one sequence
    of migrations, beside the PostgreSQL migration of its number or, for a change to the warehouse
    keys alone, on its own."""

    version: int
    file: str  # relative to generated/
    sha256: str


@dataclass(frozen=True, slots=True)
class State:
    schema: Schema
    migrations: tuple[MigrationRecord, ...] = ()
    warehouse_migrations: tuple[WarehouseRecord, ...] = ()

    @property
    def next_version(self) -> int:
        versions = [m.version for m in self.migrations] + [w.version for w in self.warehouse_migrations]
        return max(versions, default=0) + 1


# -- writing

def _column(c: Column) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name, "type": c.declared_type}  # serial, as state.json has always spelled it
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
    # how-to-build options, kept so a later drop or rollback builds the same way; written only when set
    if c.online:
        out["online"] = True
    return out


def _index_part(p: IndexPart) -> dict[str, Any]:
    out: dict[str, Any] = {"column": p.column} if p.column is not None else {"expression": p.expression.text}  # type: ignore[union-attr]
    return out | p.options()


def _index(i: Index) -> dict[str, Any]:
    out: dict[str, Any] = {"name": i.name, "parts": [_index_part(p) for p in i.parts]}
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
    if i.concurrently:
        out["concurrently"] = True
    return out


def _unique(u: Unique) -> dict[str, Any]:
    out: dict[str, Any] = {"name": u.name, "columns": list(u.columns)}
    if u.nulls_not_distinct:
        out["nulls_not_distinct"] = True
    return _with_comment(out, u.comment)


def _with_comment(out: dict[str, Any], comment: str | None) -> dict[str, Any]:
    if comment is not None:
        out["comment"] = comment
    return out


def _check(c: Check) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name, "expression": c.expression.text}
    if c.no_inherit:
        out["no_inherit"] = True
    return _online(_with_comment(out, c.comment), c.online)


def _foreign_key(f: ForeignKey) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "columns": list(f.columns), "ref_schema": f.ref_schema,
                           "ref_table": f.ref_table, "ref_columns": list(f.ref_columns), "on_delete": f.on_delete,
                           "on_update": f.on_update}
    if f.deferrable:
        out["deferrable"] = True
    if f.initially_deferred:
        out["initially_deferred"] = True
    if f.match != "simple":
        out["match"] = f.match
    return _online(_with_comment(out, f.comment), f.online)


def _online(out: dict[str, Any], online: bool) -> dict[str, Any]:
    if online:
        out["online"] = True
    return out


def _exclusion(x: Exclusion) -> dict[str, Any]:
    out: dict[str, Any] = {"name": x.name, "using": x.using,
                 "elements": [_index_part(p) | {"with": op} for p, op in zip(x.parts, x.operators, strict=True)]}
    if x.where is not None:
        out["where"] = x.where.text
    if x.deferrable:
        out["deferrable"] = True
    if x.initially_deferred:
        out["initially_deferred"] = True
    return _with_comment(out, x.comment)


def _table(t: Table) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": t.schema, "name": t.name}
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
    if t.warehouse is not None:  # only then: a project without the warehouse keeps its state's bytes
        out["warehouse"] = _warehouse(t.warehouse)
    if t.partition_by is not None:
        out |= partitioning_state(t.partition_by, t.partitions)
    return out | table_security(t)  # only what is set, for the same reason


def _warehouse(w: Warehouse) -> dict[str, Any]:
    """What the warehouse migration of the next compile diffs against (model/warehouse.py)."""
    out: dict[str, Any] = {}
    if w.partition_by is not None:
        out["partition_by"] = w.partition_by
        out["granularity"] = w.granularity
    if w.integer_range is not None:
        r = w.integer_range
        out["range"] = {"start": r.start, "end": r.end, "interval": r.interval}
    if w.cluster_by:
        out["cluster_by"] = list(w.cluster_by)
    if w.require_partition_filter:
        out["require_partition_filter"] = True
    if w.partition_expiration_days is not None:
        out["partition_expiration_days"] = w.partition_expiration_days
    if w.held is not None:  # the BigQuery table the migrations made, where it differs from a fresh one
        out["bigquery_columns"] = list(w.held.order)
        if w.held.nullable:
            out["bigquery_nullable"] = sorted(w.held.nullable)
    return out


def _read_warehouse(d: dict[str, Any] | None) -> Warehouse | None:
    if d is None:
        return None
    r = _get(d, "range", "object?", None)
    return Warehouse(_get(d, "partition_by", "text?", None), _get(d, "granularity", "text", "day"),
                     IntegerRange(_get(r, "start", "number"), _get(r, "end", "number"), _get(r, "interval", "number"))
                     if r else None,
                     tuple(_get(d, "cluster_by", "names", [])), _get(d, "require_partition_filter", "flag", False),
                     _get(d, "partition_expiration_days", "number", None),
                     Held(tuple(_get(d, "bigquery_columns", "names")),
                          frozenset(_get(d, "bigquery_nullable", "names", []))) if "bigquery_columns" in d else None)


def dump_state(state: State) -> bytes:
    """Canonical bytes of a state: same state, same bytes."""
    doc = {
        "format": FORMAT,
        "migrations": [{"version": m.version, "name": m.name, "file": m.file, "sha256": m.sha256,
                        "rollback": m.rollback, "rollback_sha256": m.rollback_sha256}
                       for m in state.migrations],
        # only when there are any: a project without the warehouse keeps its state's bytes
        **({"warehouse_migrations": [{"version": w.version, "file": w.file, "sha256": w.sha256}
                                     for w in state.warehouse_migrations]} if state.warehouse_migrations else {}),
        "schema": {
            # an extension in public is its bare name, as state.json files before extension schemas have it
            "extensions": [n if x.schema == "public" else {"name": n, "schema": x.schema}
                           for n, x in sorted(state.schema.extensions.items())],
            "enums": [_with_comment({"schema": e.schema, "name": e.name, "values": list(e.values)}, e.comment)
                      for e in state.schema.enums.values()],
            "tables": [_table(t) for t in state.schema.tables.values()],
            # only when there are views: a project without them keeps its state's bytes
            **({"views": [view_state(v, _index) for v in state.schema.views.values()]} if state.schema.views else {}),
        } | write_namespaces(state.schema.namespaces),
    }
    # written only when there are some, so the state of a project without them dumps as before
    if state.schema.routines:
        doc["schema"]["routines"] = [dump_routine(r) for r in state.schema.routines.values()]  # type: ignore[index]
    if state.schema.triggers:
        doc["schema"]["triggers"] = [dump_trigger(t) for t in state.schema.triggers.values()]  # type: ignore[index]
    if state.schema.sequences:
        doc["schema"]["sequences"] = dump_sequences(state.schema.sequences)  # type: ignore[index]
    if state.schema.domains:
        doc["schema"]["domains"] = dump_domains(state.schema.domains)  # type: ignore[index]
    return dump_json(doc, indent=1)


# -- reading
#
# Every value is checked for its type as it is read: a hand-damaged state.json (a number where a
# name was) must be the one-line "damaged" error, never a traceback from deep in the compiler.

_REQUIRED = object()
_KINDS: dict[str, tuple[str, Callable[[object], bool]]] = {
    "text": ("a string", lambda v: isinstance(v, str)),
    "text?": ("a string", lambda v: v is None or isinstance(v, str)),
    "flag": ("true or false", lambda v: isinstance(v, bool)),
    "number": ("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "names": ("a list of strings", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
    "list": ("a list", lambda v: isinstance(v, list)),
    "object": ("an object", lambda v: isinstance(v, dict)),
    "object?": ("an object", lambda v: v is None or isinstance(v, dict)),
    "options": ("an object of numbers and booleans",
                lambda v: isinstance(v, dict) and all(isinstance(x, int) for x in v.values())),
    "words": ("an object of strings", lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values())),
}


def _get(d: object, key: str, kind: str, default: object = _REQUIRED) -> Any:
    """d[key], which must be of `kind` (see _KINDS); `default` when it is missing and optional."""
    if not isinstance(d, dict):
        raise TypeError(f"expected an object where {key!r} is, found {json.dumps(d)[:40]}")
    if key not in d:
        if default is _REQUIRED:
            raise KeyError(key)
        return default
    what, fits = _KINDS[kind]
    value = d[key]
    if not fits(value):
        raise TypeError(f"{key!r} is {json.dumps(value)[:40]}, not {what}")
    return value


def _read_extension(d: object) -> Extension:
    """A name (an extension in public), or {"name", "schema"}."""
    return Extension(d) if isinstance(d, str) else Extension(_get(d, "name", "text"), _get(d, "schema", "text"))


_PLAIN_COLUMN_KEYS = frozenset({"name", "type", "nullable", "default", "identity", "generated", "comment", "collation"})


def _plain_column(c: object) -> bool:
    """A column object with a name and a type, and nothing but strings besides a `nullable` flag:
    what _get would accept of every key, checked in one pass."""
    return (type(c) is dict and "name" in c and "type" in c and c.keys() <= _PLAIN_COLUMN_KEYS
            and all(type(v) is (bool if k == "nullable" else str) for k, v in c.items()))


def _read_table(d: dict[str, Any], user_types: dict[str, str]) -> Table:
    def expr(text: str | None, column_type: str | None = None) -> Expression | None:
        return make_expression(text, column_type, user_types) if text is not None else None

    def part(p: dict[str, Any]) -> IndexPart:
        return _read_part(p, user_types)

    def column(c: dict[str, Any]) -> Column:
        if _plain_column(c):  # most columns: read at once, every value already known to be a string
            declared, get = c["type"], c.get
            kind = SERIAL_TYPES.get(declared, declared)
            return Column(c["name"], kind, get("nullable", True), expr(get("default"), kind), get("identity"),
                          expr(get("generated")), get("comment"), None, get("collation"), (), declared in SERIAL_TYPES)
        declared = _get(c, "type", "text")
        kind = SERIAL_TYPES.get(declared, declared)  # serial is its integer type and a flag
        return Column(_get(c, "name", "text"), kind, _get(c, "nullable", "flag", True),
                      expr(_get(c, "default", "text?", None), kind), _get(c, "identity", "text?", None),
                      expr(_get(c, "generated", "text?", None)), _get(c, "comment", "text?", None), None,
                      _get(c, "collation", "text?", None), tuple(_get(c, "sequence", "options", {}).items()),
                      declared in SERIAL_TYPES, _get(c, "online", "flag", False))

    def names(x: dict[str, Any], key: str) -> tuple[str, ...]:
        return tuple(_get(x, key, "names"))

    def items(key: str) -> list[Any]:
        found: list[Any] = _get(d, key, "list", [])
        return found

    pk = _get(d, "primary_key", "object?", None)
    return Table(
        _get(d, "schema", "text"), _get(d, "name", "text"), tuple(column(c) for c in _get(d, "columns", "list")),
        PrimaryKey(_get(pk, "name", "text"), names(pk, "columns"), _get(pk, "comment", "text?", None)) if pk else None,
        tuple(Unique(_get(u, "name", "text"), names(u, "columns"), _get(u, "nulls_not_distinct", "flag", False),
                     _get(u, "comment", "text?", None)) for u in items("unique")),
        tuple(Check(_get(c, "name", "text"), expr(_get(c, "expression", "text")),  # type: ignore[arg-type]
                    _get(c, "no_inherit", "flag", False), _get(c, "comment", "text?", None),
                    _get(c, "online", "flag", False))
              for c in items("checks")),
        tuple(ForeignKey(_get(f, "name", "text"), names(f, "columns"), _get(f, "ref_schema", "text"),
                         _get(f, "ref_table", "text"), names(f, "ref_columns"), _get(f, "on_delete", "text"),
                         _get(f, "on_update", "text"), _get(f, "deferrable", "flag", False),
                         _get(f, "initially_deferred", "flag", False), _get(f, "match", "text", "simple"),
                         _get(f, "comment", "text?", None), _get(f, "online", "flag", False))
              for f in items("foreign_keys")),
        tuple(_read_index(i, user_types) for i in items("indexes")),
        _get(d, "comment", "text?", None), None,
        tuple(Exclusion(_get(x, "name", "text"), tuple(part(p) for p in _get(x, "elements", "list")),
                        tuple(_get(p, "with", "text") for p in _get(x, "elements", "list")),
                        _get(x, "using", "text"), expr(_get(x, "where", "text?", None)),
                        _get(x, "deferrable", "flag", False), _get(x, "initially_deferred", "flag", False),
                        _get(x, "comment", "text?", None))
              for x in items("exclusions")),
        _read_warehouse(_get(d, "warehouse", "object?", None)),
        *read_partitioning(d, _get, expr),
        **read_table_security(d, expr, _get))


def _read_part(p: dict[str, Any], user_types: dict[str, str]) -> IndexPart:
    text = _get(p, "expression", "text?", None)
    return IndexPart(_get(p, "column", "text?", None), make_expression(text, None, user_types) if text else None,
                     _get(p, "order", "text", "asc"), _get(p, "nulls", "text?", None),
                     _get(p, "opclass", "text?", None))


def _read_index(i: dict[str, Any], user_types: dict[str, str]) -> Index:
    def expr(text: str | None) -> Expression | None:
        return make_expression(text, None, user_types) if text is not None else None

    return Index(_get(i, "name", "text"), tuple(_read_part(p, user_types) for p in _get(i, "parts", "list")),
                 _get(i, "unique", "flag", False), _get(i, "using", "text", "btree"),
                 expr(_get(i, "where", "text?", None)), tuple(_get(i, "include", "names", [])),
                 tuple(sorted(_get(i, "with", "words", {}).items())),
                 _get(i, "nulls_not_distinct", "flag", False), _get(i, "comment", "text?", None),
                 _get(i, "concurrently", "flag", False))


_RECOVERY = ("restore it from version control ('git checkout generated/state.json') or rebuild it from the "
             "migrations ('schemac rebuild-state')")


def load_state(data: bytes | None) -> State:
    """The state stored in `data`; an empty state when there is none yet."""
    if data is None:
        return State(Schema())
    try:
        doc = json.loads(data)
        form = doc.get("format")
        if form != FORMAT:
            newer = isinstance(form, int) and not isinstance(form, bool) and form > FORMAT
            raise StateError(f"state.json has format {json.dumps(form)}; this schemac reads {FORMAT}: "
                             + ("it was written by a newer schemac; upgrade schemac, or " if newer else "")
                             + _RECOVERY)
        s = _get(doc, "schema", "object")
        enums = {}
        for e in _get(s, "enums", "list"):
            enum = Enum(_get(e, "schema", "text"), _get(e, "name", "text"), tuple(_get(e, "values", "names")),
                        _get(e, "comment", "text?", None))
            enums[f"{enum.schema}.{enum.name}"] = enum
        user_types = {f"{e.schema}.{e.name}": enum_type_spelling(e.schema, e.name) for e in enums.values()}
        user_types |= {e.name: enum_type_spelling(e.schema, e.name) for e in enums.values()
                       if e.schema == "public" and bare_name_usable(e.name)}
        extensions = {x.name: x for x in map(_read_extension, _get(s, "extensions", "list"))}
        user_types |= extension_type_names(extensions.values())
        user_types |= domain_names(_get(s, "domains", "list", []), _get)
        domains = read_domains(_get(s, "domains", "list", []), _get, user_types)
        sequences = read_sequences(_get(s, "sequences", "list", []), _get)
        tables = {f"{t.schema}.{t.name}": t for t in (_read_table(t, user_types) for t in _get(s, "tables", "list"))}
        routines = {r.key: r for r in (read_routine(_get, x, user_types) for x in _get(s, "routines", "list", []))}
        triggers = {t.key: t for t in (read_trigger(_get, x) for x in _get(s, "triggers", "list", []))}
        views = read_views({v.key: v for v in (read_view_state(d, _get, lambda i: _read_index(i, user_types))
                                               for d in _get(s, "views", "list", []))}, tables)
        schema = Schema(tables=with_policy_reads(tables, views), enums=enums, extensions=extensions, routines=routines,
                        triggers=triggers, views=views, namespaces=read_namespaces(s, _get), sequences=sequences,
                        domains=domains)
        migrations = tuple(MigrationRecord(_get(m, "version", "number"), _get(m, "name", "text"),
                                           _get(m, "file", "text"), _get(m, "sha256", "text"),
                                           _get(m, "rollback", "text"), _get(m, "rollback_sha256", "text"))
                           for m in _get(doc, "migrations", "list"))
        warehouse = tuple(WarehouseRecord(_get(w, "version", "number"), _get(w, "file", "text"),
                                          _get(w, "sha256", "text"))
                          for w in _get(doc, "warehouse_migrations", "list", []))
    except StateError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as e:  # AttributeError: a list where a mapping was
        raise StateError(f"state.json is damaged ({type(e).__name__}: {e}); {_RECOVERY}") from None
    return State(schema, migrations, warehouse)
