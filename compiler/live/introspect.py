"""A live PostgreSQL -> Schema, read from pg_catalog in one consistent snapshot.

A handful of whole-database queries (compiler/queries/*.sql), not one per table. Values are
what PostgreSQL prints (format_type, pg_get_expr, pg_get_constraintdef), so the result compares
equal to a desired schema that PostgreSQL itself has canonicalised (see scratch.py).
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import psycopg

from ..definitions.index_options import INDEX_STORAGE, storage_value
from ..definitions.settings import DEFAULT_MIGRATIONS_TABLE, TableName
from ..model.expressions import ExpressionProblem, bare_extension_casts, make_expression
from ..model.policy_reads import with_policy_reads
from ..model.schema import (
    SERIAL_SPELLINGS,
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
from ..model.sequences import TYPE_RANGES, SequenceOptions, catalog_options
from ..model.types import enum_type_spelling, extension_type_names, extension_type_schemas
from .database import read_as_migrations_write
from .introspect_routines import read_routines, read_triggers
from .introspect_security import read_security, with_object_grants
from .introspect_seqdom import domains_from, sequences_from
from .introspect_views import views_from_catalog
from .partition_catalog import read_partitioning

_ACTIONS = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
_IDENTITY = {"a": "always", "d": "by default"}
_MATCH = {"s": "simple", "f": "full", "p": "partial"}


@cache  # a cache of the shipped query files, which do not change while the process runs
def query(name: str) -> str:
    return (Path(__file__).parent / "queries" / f"{name}.sql").read_text()


def _check_expression(definition: str) -> str:
    """'CHECK (price >= 0::numeric) NO INHERIT NOT VALID' -> 'price >= 0::numeric'."""
    body = definition.removeprefix("CHECK ").removesuffix(" NOT VALID").removesuffix(" NO INHERIT")
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    return body


def _index_part(column: str | None, expression: Expression | None, option: int, opclass: str | None) -> IndexPart:
    """One index column from pg_index: indoption bit 1 is DESC, bit 2 NULLS FIRST."""
    descending, nulls_first = bool(option & 1), bool(option & 2)
    nulls = None if nulls_first == descending else ("first" if nulls_first else "last")
    order = "desc" if descending else "asc"
    return IndexPart(column=column, expression=None if column is not None else expression, order=order, nulls=nulls,
                     opclass=opclass)


def _storage(reloptions: list[str] | None) -> tuple[tuple[str, str], ...]:
    """pg_class.reloptions ('fillfactor=70') as sorted pairs, values as definitions keep them."""
    out = {}
    for item in reloptions or ():
        key, _, value = item.partition("=")
        out[key] = (storage_value(key, value) if key in INDEX_STORAGE else None) or value
    return tuple(sorted(out.items()))


class _Reader:
    """Expressions read leniently (PostgreSQL printed them); one that still cannot be read leaves
    its object out and says so in `problems`, never stops the whole reading."""

    def __init__(self, problems: list[str] | None) -> None:
        self.problems = problems
        self.user_types: dict[str, str] = {}  # how casts to declared types read: `extensions.citext` is citext
        self.extension_types: dict[str, str] = {}  # type -> the schema of its extension
        # every declared type, and the enums among them: for the casts PostgreSQL adds itself
        self.all_types: dict[str, str] = {}
        self.enums: frozenset[str] = frozenset()
        self.operators_built_in = False  # see queries/operator_rules.sql

    def expr(self, text: str, what: str, column_type: str | None = None,
             user_types: dict[str, str] | None = None, columns: dict[str, str] | None = None) -> Expression | None:
        """The Expression of `text`; with the `columns` of its table (name -> type), the casts
        PostgreSQL adds to a comparison itself are left out of its normal form (implicit_casts.py),
        unless operators or implicit casts defined in this database could resolve it otherwise."""
        try:
            # the extension's schema is said once, by the extension: expressions name its types bare
            schemas = frozenset(self.extension_types.values()) - {"public"}
            text = bare_extension_casts(_bare_operators(text, schemas), self.extension_types)
            if columns is not None and self.operators_built_in:
                return make_expression(text, column_type, self.all_types, lenient=True, column_types=columns,
                                       enums=self.enums)
            return make_expression(text, column_type, user_types or self.user_types, lenient=True)
        except ExpressionProblem as e:
            if self.problems is None:
                raise
            self.problems.append(f"{what}: cannot read expression {text!r} ({e}); skipped")
            return None


def _bare_operators(text: str, schemas: frozenset[str]) -> str:
    """`text` with `OPERATOR(extensions.<>)` written `<>`: with search_path = public, PostgreSQL
    prints an operator of an extension outside public so; the definitions write it bare, and
    the database's search_path (which holds the extension's schema) resolves it to the same."""
    if "OPERATOR(" not in text:
        return text
    return _QUALIFIED_OPERATOR.sub(lambda m: f" {m[2]} " if m[1] in schemas else m[0], text)


_QUALIFIED_OPERATOR = re.compile(r'\bOPERATOR\((\w+)\.([+\-*/<>=~!@#%^&|`?]+)\)')


def _unqualified(type_: str, own_names: dict[str, str]) -> str:
    """A column type as the model spells it: format_type names an extension's type with its
    schema when that is not public (`extensions.citext[]`); the model names it `citext[]`."""
    base = type_.split("(")[0].removesuffix("[]")
    return own_names[base] + type_[len(base):] if base in own_names else type_


def introspect(conn: psycopg.Connection, migrations_table: TableName = DEFAULT_MIGRATIONS_TABLE,
               problems: list[str] | None = None) -> Schema:
    """The schema of the database `conn` is connected to (the migrations table and extension objects left out).

    With `problems`, an object whose expression cannot be read is left out and named there.
    """
    previous = conn.autocommit
    conn.autocommit = False
    try:
        # pipeline mode: the catalog queries are sent at once (see _read), so the server works on
        # the next while the rows of one are turned into the model here
        with conn.pipeline(), conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            conn.execute("SET LOCAL search_path TO public")  # format_type qualifies other schemas' types
            read_as_migrations_write(conn)
            return _read(conn, migrations_table, _Reader(problems))
    finally:
        conn.autocommit = previous


def _read(conn: psycopg.Connection, migrations_table: TableName, reader: _Reader) -> Schema:
    tables = conn.execute(query("tables"), {"migrations_schema": migrations_table.schema,
                                            "migrations_table": migrations_table.name}).fetchall()
    conn.execute("SET LOCAL search_path TO pg_catalog")  # pg_get_viewdef names every relation with its schema
    view_rows = conn.execute(query("views")).fetchall()
    conn.execute("SET LOCAL search_path TO public")
    view_column_rows = conn.execute(query("view_columns")).fetchall()
    oids = [t[0] for t in tables]
    params = {"tables": oids}
    indexed = {"tables": oids + [v[0] for v in view_rows if v[3]]}  # materialized views have indexes too
    triggered = {"tables": oids + [v[0] for v in view_rows if not v[3]]}  # views have triggers too
    sent = {name: conn.execute(query(name), indexed if name.startswith("index") else triggered
                               if name == "triggers" else params if by_table else None)
            for name, by_table in (("enums", False), ("extensions", False), ("operator_rules", False),
                                   ("sequences", False), ("domains", False),
                                   ("columns", True), ("constraints", True), ("index_parts", True), ("indexes", True),
                                   ("exclusions", True), ("partition_keys", True), ("partitions", True),
                                   ("routines", False), ("triggers", True),
                                   ("row_security", True), ("policies", True), ("table_privileges", True),
                                   ("namespaces", False))}
    enums = {f"{s}.{n}": Enum(s, n, tuple(labels), comment)
             for s, n, labels, comment in sent["enums"].fetchall()}
    extensions = {n: Extension(n, s) for n, s in sent["extensions"].fetchall()}
    own_names = extension_type_names(extensions.values())
    reader.user_types = own_names
    reader.extension_types = extension_type_schemas(extensions.values())
    user_types = {enum_type_spelling(e.schema, e.name): enum_type_spelling(e.schema, e.name) for e in enums.values()}
    user_types |= own_names
    domain_rows = sent["domains"].fetchall()
    user_types |= {spelling: spelling for spelling in (enum_type_spelling(r[0], r[1]) for r in domain_rows)}
    reader.all_types = user_types
    reader.enums = frozenset(enum_type_spelling(e.schema, e.name) for e in enums.values())
    reader.operators_built_in = bool(sent["operator_rules"].fetchall()[0][0])
    names = {t[0]: f"{t[1]}.{t[2]}" for t in tables}
    names |= {v[0]: f"{v[1]}.{v[2]}" for v in view_rows}  # a materialized view's indexes name it too
    columns: dict[int, list[Column]] = defaultdict(list)
    types: dict[int, dict[str, str]] = defaultdict(dict)  # each table's column types, by name
    for oid, name, type_, _ in view_column_rows:  # and a materialized view's, for its partial indexes
        types[oid][name] = _unqualified(type_, own_names)
    unreadable: set[int] = set()  # tables with a generated column that cannot be read: left out whole
    for (oid, name, type_, not_null, identity, generated, expression, comment, serial_default, collation,
         sequence) in sent["columns"].fetchall():
        type_ = _unqualified(type_, own_names)
        default = gen = None
        serial = False
        what = f"{names[oid]}.{name}"
        if generated == "s":
            gen = reader.expr(expression, f"{what} generated (the table is left out)")
            if gen is None:
                unreadable.add(oid)
        elif expression is not None:
            if serial_default and type_ in SERIAL_SPELLINGS:
                serial = True  # a serial column: the sequence it owns is its default
            else:
                default = reader.expr(expression, f"{what} default", type_, user_types)
        sequence_options: SequenceOptions = ()
        if sequence and (identity or serial) and type_ in TYPE_RANGES:
            sequence_options = catalog_options(type_, sequence)
        columns[oid].append(Column(name, type_, not not_null, default, _IDENTITY.get(identity), gen, comment,
                                   None, collation, sequence_options, serial))
        types[oid][name] = type_
    pks: dict[int, PrimaryKey] = {}
    uniques: dict[int, list[Unique]] = defaultdict(list)
    checks: dict[int, list[Check]] = defaultdict(list)
    fks: dict[int, list[ForeignKey]] = defaultdict(list)
    for (oid, name, kind, definition, cols, ref_schema, ref_table, ref_cols, on_delete, on_update,
         _index, nulls_not_distinct, deferrable, deferred, match, no_inherit, comment, valid) in sent[
            "constraints"].fetchall():
        if kind == "p":
            pks[oid] = PrimaryKey(name, tuple(cols), comment)
        elif kind == "u":
            uniques[oid].append(Unique(name, tuple(cols), nulls_not_distinct, comment))
        elif kind == "c":
            expression = reader.expr(_check_expression(definition), f"{names[oid]} check {name}", columns=types[oid])
            if expression is not None:
                checks[oid].append(Check(name, expression, no_inherit, comment, valid=valid))
        else:
            fks[oid].append(ForeignKey(name, tuple(cols), ref_schema, ref_table, tuple(ref_cols),
                                       _ACTIONS[on_delete], _ACTIONS[on_update], deferrable, deferred,
                                       _MATCH[match], comment, valid=valid))
    parts: dict[int, tuple[IndexPart, ...]] = {}  # by index; an expression that cannot be read: left out
    for index, index_name, cols, definitions, options, opclasses in sent["index_parts"].fetchall():
        read = tuple(_index_part(c, None if c is not None else reader.expr(d, f"index {index_name}"), o, opc)
                     for c, d, o, opc in zip(cols, definitions, options, opclasses, strict=True))
        if all(p.column or p.expression for p in read):
            parts[index] = read
    indexes: dict[int, list[Index]] = defaultdict(list)
    for (oid, index, name, unique, method, predicate, include, storage, nulls_not_distinct,
         comment, valid) in sent["indexes"].fetchall():
        where = reader.expr(predicate, f"{names[oid]} index {name}", columns=types[oid]) if predicate else None
        if index in parts and (where is not None or not predicate):
            indexes[oid].append(Index(name, parts[index], unique, method, where, tuple(include), _storage(storage),
                                      nulls_not_distinct, comment, valid=valid))
    exclusions: dict[int, list[Exclusion]] = defaultdict(list)
    for (oid, index, name, method, predicate, operators, deferrable, deferred,
         comment) in sent["exclusions"].fetchall():
        where = reader.expr(predicate, f"{names[oid]} exclusion {name}", columns=types[oid]) if predicate else None
        if index in parts and (where is not None or not predicate):
            exclusions[oid].append(Exclusion(name, parts[index], tuple(operators), method, where, deferrable,
                                             deferred, comment))
    keys, below = read_partitioning(sent["partition_keys"].fetchall(), sent["partitions"].fetchall(), reader.expr)
    security = read_security(sent, names, types, reader.expr)
    out: dict[str, Table] = {}
    for oid, schema, name, comment in tables:
        if oid in unreadable:
            continue
        out[f"{schema}.{name}"] = Table(
            schema, name, tuple(columns[oid]), pks.get(oid), tuple(uniques[oid]), tuple(checks[oid]),
            tuple(fks[oid]), tuple(indexes[oid]), comment, None, tuple(exclusions[oid]), None, keys.get(oid),
            below.get(oid, ()), **security.table(oid))
    routines = read_routines(sent["routines"].fetchall(), reader.expr, lambda t: _unqualified(t, own_names),
                             reader.problems)
    by_oid = {oid: (schema, name) for oid, schema, name, _ in tables if oid not in unreadable}
    views = views_from_catalog(view_rows, view_column_rows, indexes, out)
    view_oids = {v[0]: (v[1], v[2]) for v in view_rows if f"{v[1]}.{v[2]}" in views}
    triggers = read_triggers([row for row in sent["triggers"].fetchall() if row[0] in by_oid or row[0] in view_oids],
                             by_oid, reader.expr, view_oids)
    domains = domains_from(domain_rows, lambda text, what, type_: reader.expr(text, what, type_, user_types),
                           _check_expression)
    sequences = sequences_from(sent["sequences"].fetchall())
    schema = Schema(tables=with_policy_reads(out, views), enums=enums, extensions=extensions, routines=routines,
                    triggers=triggers, views=views, namespaces=security.namespaces, sequences=sequences,
                    domains=domains)
    return with_object_grants(schema, conn.execute(query("object_privileges")).fetchall(),
                              lambda t: _unqualified(t, own_names))
