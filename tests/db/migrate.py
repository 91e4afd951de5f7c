"""Prove one migration on data: build the old schema, fill it, migrate up, compare, roll back, compare."""
from __future__ import annotations

import textwrap
from collections.abc import Callable

import psycopg

from compiler.model.schema import Schema
from compiler.model.types import extension_schemas, extension_type_schemas
from compiler.plan.diff import plan
from compiler.sql.render import Renderer
from tests.db.catalog import catalog, run_sql_file
from tests.helpers import schema_of

Check = Callable[[psycopg.Connection], None]


def schema(text: str) -> Schema:
    return schema_of(textwrap.dedent(text)) if text.strip() else Schema()


def migration(old: Schema, new: Schema) -> str:
    return Renderer().migration("test", plan(old, new), [], extension_type_schemas(new.extensions.values()),
                                extension_schemas=extension_schemas(new.extensions.values()))


def up_and_back(url: str, fresh_url: str, old_yaml: str, new_yaml: str, rows: str = "",
                after_up: Check | None = None, after_rollback: Check | None = None) -> tuple[str, str]:
    """Run old -> new and back with psql on a database holding `rows`; (up SQL, rollback SQL).

    After the up migration the catalog equals a fresh build of `new_yaml` in `fresh_url`; after
    the rollback it equals the catalog before. The checks look at the data in between.
    """
    old, new = schema(old_yaml), schema(new_yaml)
    run_sql_file(url, migration(Schema(), old))
    if rows:
        run_sql_file(url, textwrap.dedent(rows))
    before = catalog(url)
    up, down = migration(old, new), migration(new, old)
    run_sql_file(url, up)
    run_sql_file(fresh_url, migration(Schema(), new))
    assert catalog(url) == catalog(fresh_url), "migrated differs from a fresh build"
    if after_up is not None:
        with psycopg.connect(url) as conn:
            after_up(conn)
    run_sql_file(url, down)
    assert catalog(url) == before, "the rollback did not restore the catalog"
    if after_rollback is not None:
        with psycopg.connect(url) as conn:
            after_rollback(conn)
    return up, down


def rows_of(conn: psycopg.Connection, sql: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sql).fetchall()]
