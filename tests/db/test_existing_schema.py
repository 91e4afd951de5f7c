"""A schema the definitions use may exist already in the database, holding objects of others."""
from __future__ import annotations

import psycopg

from compiler.model.schema import Schema
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import migration, rows_of, schema

TABLE = """
table: events
schema: Sales Team
columns:
  - {name: id, type: bigint, primary_key: true}
"""


def test_a_schema_that_exists_is_used_and_kept_with_what_it_holds(database_url: str) -> None:
    run_sql_file(database_url, 'CREATE SCHEMA "Sales Team"; CREATE TABLE "Sales Team".kept (n int);'
                               'INSERT INTO "Sales Team".kept VALUES (7);')
    before = catalog(database_url)
    new = schema(TABLE)
    run_sql_file(database_url, migration(Schema(), new))
    assert ("Sales Team", "events", None) in catalog(database_url)["tables"]

    run_sql_file(database_url, migration(new, Schema()))
    assert catalog(database_url) == before  # the schema stays: it is not empty
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, 'SELECT n FROM "Sales Team".kept') == [(7,)]


def test_an_empty_schema_is_dropped_by_the_rollback(database_url: str) -> None:
    run_sql_file(database_url, 'CREATE SCHEMA "Sales Team";')
    new = schema(TABLE)
    run_sql_file(database_url, migration(Schema(), new))
    run_sql_file(database_url, migration(new, Schema()))
    assert "Sales Team" not in [s for (s,) in catalog(database_url)["schemas"]]
