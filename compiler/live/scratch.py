"""A desired schema as PostgreSQL itself would store it: built in a throwaway database, read back.

PostgreSQL is the authority on the spelling of what it stores ('new' comes back as 'new'::text,
price >= 0 as price >= 0::numeric), so live comparisons are made against this, not the YAML.
"""
from __future__ import annotations

from dataclasses import replace

import psycopg

from ..model.schema import Schema
from ..model.types import extension_type_schemas
from ..plan.diff import plan
from ..sql.render import Renderer
from .database import connect
from .introspect import introspect, query
from .run_migration import run_migration
from .throwaway import DevServer, dev_server, throwaway_database


def build_sql(schema: Schema) -> str:
    """The one-step migration that builds `schema` in an empty database."""
    return Renderer().migration("scratch", plan(Schema(), schema), [],
                                extension_type_schemas(schema.extensions.values()))


def canonical(schema: Schema, server: DevServer | str) -> Schema:
    """`schema` after a round trip through PostgreSQL, in a throwaway database on `server`
    (given a live database's URL: the server the rules of throwaway.dev_server pick for it)."""
    if not (schema.tables or schema.enums or schema.extensions):
        return schema
    if isinstance(server, str):
        server = dev_server(None, server)
    with throwaway_database(server, schema.extensions.values()) as url, connect(url) as conn:
        return canonical_in(conn, url, schema)


def canonical_in(conn: psycopg.Connection, url: str, schema: Schema) -> Schema:
    """`schema` built in the empty database `conn` is connected to, and read back.

    Extensions already installed there (throwaway.py installs one declared in public where the
    live database has it) are built on where they are, as the live database would be."""
    placed: dict[str, str] = dict(conn.execute(query("extensions")).fetchall())
    conn.rollback()
    extensions = {n: replace(x, schema=placed.get(n, x.schema)) for n, x in schema.extensions.items()}
    run_migration(conn, build_sql(replace(schema, extensions=extensions)), url)
    return introspect(conn)
