"""What the definitions an import writes would build, compared with the database they came from.

The model holds what schemac manages; whatever else a table has (an index column's own collation,
an operator class's parameters...) would be lost without a word if only the model were
compared. So the definitions are built on a scratch database and both catalogs are read as
PostgreSQL prints them (queries/table_catalog.sql): every column, constraint and index that comes
out differently is one warning.
"""
from __future__ import annotations

import psycopg

from ..errors import DatabaseError
from ..model.names import quote_ident
from ..model.schema import Schema
from ..model.types import extension_schemas, extension_type_schemas
from ..plan.diff import plan
from ..sql.render import Renderer
from .database import connect, read_as_migrations_write, scratch_database
from .introspect import query
from .run_migration import run_migration

CatalogRows = dict[tuple[str, str, str, str], str]  # (schema, table, part kind, part name) -> definition


def table_catalog(conn: psycopg.Connection) -> CatalogRows:
    """Every column, constraint and index of the user tables, as PostgreSQL prints them."""
    with conn.transaction():
        conn.execute("SET LOCAL search_path TO public")  # the same spelling of types on both sides
        read_as_migrations_write(conn)
        return {(s, t, k, n): d for s, t, k, n, d in conn.execute(query("table_catalog")).fetchall()}


def built_catalog(schema: Schema, url: str) -> CatalogRows:
    """The catalog of `schema` built from scratch on a throwaway database on the server of `url`."""
    sql = Renderer().migration("import check", plan(Schema(), schema), [],
                               extension_type_schemas(schema.extensions.values()),
                               extension_schemas=extension_schemas(schema.extensions.values()))
    with scratch_database(url) as scratch_url, connect(scratch_url) as conn:
        run_migration(conn, sql, scratch_url)
        return table_catalog(conn)


def differences(live: CatalogRows, built: CatalogRows, schema: Schema, said: list[str]) -> list[str]:
    """A warning for each part of an imported table that the definitions build differently,
    unless an earlier warning in `said` already names it."""
    out = []
    constraints = {(s, t, n) for s, t, k, n in live if k == "constraint"}
    for (s, t, kind, name), definition in sorted(live.items()):
        key = f"{s}.{t}"
        if key not in schema.tables or built.get((s, t, kind, name)) == definition:
            continue
        if kind == "index" and (s, t, name) in constraints:
            continue  # the index of a key: its constraint says it
        if _already_said(said, key, kind, name):
            continue
        what = f"table {key}" if kind == "table" else f"{key} {kind} {name}"
        written = built.get((s, t, kind, name))
        built_as = "do not build it" if written is None else f"build {written or 'no such property'}"
        out.append(f"{what}: the database has {definition or 'no such property'}; the definitions written "
                   f"{built_as} (schemac does not keep the difference)")
    return out


def _already_said(said: list[str], key: str, kind: str, name: str) -> bool:
    schema, _, table = key.partition(".")
    labels = [key, f"{schema}.{quote_ident(table)}"]
    prefixes = [p for label in labels for p in (f"{label}.{name}:", f"{name} on {label}:", f"{label} {kind} {name}:",
                                                f"{label} foreign key {name}:", f"table {label}:")]
    return any(line.startswith(tuple(prefixes)) for line in said)


def compare_with_build(live: CatalogRows, schema: Schema, url: str, said: list[str]) -> list[str]:
    """differences() against a build of `schema`; a warning instead when no build could be made."""
    if not schema.tables:
        return []
    try:
        built = built_catalog(schema, url)
    except DatabaseError as e:
        return [f"the definitions could not be built on a scratch database to compare ({e}); what they "
                f"do not hold may be lost without a warning"]
    return differences(live, built, schema, said)
