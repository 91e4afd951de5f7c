"""A live PostgreSQL -> Schema, read from pg_catalog in one consistent snapshot.

A handful of whole-database queries (compiler/queries/*.sql), not one per table. Values are
what PostgreSQL prints (format_type, pg_get_expr, pg_get_constraintdef), so the result compares
equal to a desired schema that PostgreSQL itself has canonicalised (see scratch.py).
"""
from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

import psycopg

from .index_options import INDEX_STORAGE, storage_value
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
from .sequences import TYPE_RANGES, catalog_options
from .settings import DEFAULT_MIGRATIONS_TABLE, TableName
from .types import SERIAL_TYPES, enum_type_spelling, make_expr

_ACTIONS = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
_SERIALS = {v: k for k, v in SERIAL_TYPES.items()}  # integer -> serial ...
_IDENTITY = {"a": "always", "d": "by default"}
_MATCH = {"s": "simple", "f": "full", "p": "partial"}


@cache
def query(name: str) -> str:
    return (Path(__file__).parent / "queries" / f"{name}.sql").read_text()


def _check_expression(definition: str) -> str:
    """'CHECK (price >= 0::numeric)' -> 'price >= 0::numeric'."""
    body = definition.removeprefix("CHECK ").removesuffix(" NOT VALID").removesuffix(" NO INHERIT")
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    return body


def _index_part(column: str | None, definition: str, option: int, opclass: str | None) -> IndexPart:
    """One index column from pg_index: indoption bit 1 is DESC, bit 2 NULLS FIRST."""
    descending, nulls_first = bool(option & 1), bool(option & 2)
    nulls = None if nulls_first == descending else ("first" if nulls_first else "last")
    order = "desc" if descending else "asc"
    if column is not None:
        return IndexPart(column=column, order=order, nulls=nulls, opclass=opclass)
    return IndexPart(expression=make_expr(definition), order=order, nulls=nulls, opclass=opclass)


def _storage(reloptions: list[str] | None) -> tuple[tuple[str, str], ...]:
    """pg_class.reloptions ('fillfactor=70') as sorted pairs, values as definitions keep them."""
    out = {}
    for item in reloptions or ():
        key, _, value = item.partition("=")
        out[key] = (storage_value(key, value) if key in INDEX_STORAGE else None) or value
    return tuple(sorted(out.items()))


def introspect(conn: psycopg.Connection, migrations_table: TableName = DEFAULT_MIGRATIONS_TABLE) -> Schema:
    """The schema of the database `conn` is connected to (the migrations table and extension objects left out)."""
    previous = conn.autocommit
    conn.autocommit = False
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            conn.execute("SET LOCAL search_path TO public")  # format_type qualifies other schemas' types
            return _read(conn, migrations_table)
    finally:
        conn.autocommit = previous


def _read(conn: psycopg.Connection, migrations_table: TableName) -> Schema:
    tables = conn.execute(query("tables"), {"migrations_schema": migrations_table.schema,
                                            "migrations_table": migrations_table.name}).fetchall()
    oids = [t[0] for t in tables]
    params = {"tables": oids}
    enums = {f"{s}.{n}": Enum(s, n, tuple(labels), comment)
             for s, n, labels, comment in conn.execute(query("enums")).fetchall()}
    user_types = {enum_type_spelling(e.schema, e.name): enum_type_spelling(e.schema, e.name) for e in enums.values()}
    columns: dict[int, list[Column]] = defaultdict(list)
    for (oid, name, type_, not_null, identity, generated, expression, comment, owned_seq, collation,
         sequence) in conn.execute(query("columns"), params).fetchall():
        integer_type = type_
        default = gen = None
        if generated == "s":
            gen = make_expr(expression)
        elif expression is not None:
            serial_default = f"nextval('{(owned_seq or '').removeprefix('public.')}'::regclass)"
            if owned_seq and type_ in _SERIALS and expression == serial_default:
                type_ = _SERIALS[type_]  # a serial column: the sequence is its default
            else:
                default = make_expr(expression, type_, user_types)
        options: tuple = ()
        if sequence and (identity or type_ in SERIAL_TYPES) and integer_type in TYPE_RANGES:
            options = catalog_options(integer_type, sequence)
        columns[oid].append(Column(name, type_, not not_null, default, _IDENTITY.get(identity), gen, comment,
                                   None, collation, options))
    pks: dict[int, PrimaryKey] = {}
    uniques: dict[int, list[Unique]] = defaultdict(list)
    checks: dict[int, list[Check]] = defaultdict(list)
    fks: dict[int, list[ForeignKey]] = defaultdict(list)
    for (oid, name, kind, definition, cols, ref_schema, ref_table, ref_cols, on_delete, on_update,
         _index, nulls_not_distinct, deferrable, deferred, match, no_inherit, comment) in conn.execute(
            query("constraints"), params).fetchall():
        if kind == "p":
            pks[oid] = PrimaryKey(name, tuple(cols), comment)
        elif kind == "u":
            uniques[oid].append(Unique(name, tuple(cols), nulls_not_distinct, comment))
        elif kind == "c":
            checks[oid].append(Check(name, make_expr(_check_expression(definition)), no_inherit, comment))
        else:
            fks[oid].append(ForeignKey(name, tuple(cols), ref_schema, ref_table, tuple(ref_cols),
                                       _ACTIONS[on_delete], _ACTIONS[on_update], deferrable, deferred,
                                       _MATCH[match], comment))
    parts: dict[int, tuple[IndexPart, ...]] = {
        index: tuple(_index_part(c, d, o, opc) for c, d, o, opc in zip(cols, definitions, options, opclasses,
                                                                       strict=True))
        for index, cols, definitions, options, opclasses in conn.execute(query("index_parts"), params).fetchall()}
    indexes: dict[int, list[Index]] = defaultdict(list)
    for (oid, index, name, unique, method, predicate, include, storage, nulls_not_distinct,
         comment) in conn.execute(query("indexes"), params).fetchall():
        indexes[oid].append(Index(name, parts[index], unique, method, make_expr(predicate) if predicate else None,
                                  tuple(include), _storage(storage), nulls_not_distinct, comment))
    exclusions: dict[int, list[Exclusion]] = defaultdict(list)
    for (oid, index, name, method, predicate, operators, deferrable, deferred,
         comment) in conn.execute(query("exclusions"), params).fetchall():
        exclusions[oid].append(Exclusion(name, parts[index], tuple(operators), method,
                                         make_expr(predicate) if predicate else None, deferrable, deferred, comment))
    out: dict[str, Table] = {}
    for oid, schema, name, comment in tables:
        out[f"{schema}.{name}"] = Table(
            schema, name, tuple(columns[oid]), pks.get(oid), tuple(uniques[oid]), tuple(checks[oid]),
            tuple(fks[oid]), tuple(indexes[oid]), comment, None, tuple(exclusions[oid]))
    extensions = {n: Extension(n) for (n,) in conn.execute(query("extensions")).fetchall()}
    return Schema(tables=out, enums=enums, extensions=extensions)
