"""A desired schema as PostgreSQL itself would store it: built in a scratch database, read back.

PostgreSQL is the authority on the spelling of what it stores ('new' comes back as 'new'::text,
price >= 0 as price >= 0::numeric), so live comparisons are made against this, not the YAML.
"""
from __future__ import annotations

from .database import connect, scratch_database
from .diff import diff
from .introspect import introspect
from .migration_file import run_migration
from .model import Schema
from .render import Renderer


def canonical(schema: Schema, url: str) -> Schema:
    """`schema` after a round trip through PostgreSQL (on the server of `url`)."""
    if not (schema.tables or schema.enums or schema.extensions):
        return schema
    sql = Renderer().migration("scratch", diff(Schema(), schema), [])
    with scratch_database(url) as scratch_url, connect(scratch_url) as conn:
        run_migration(conn, sql, scratch_url)
        return introspect(conn)
