"""Types are named with their schema wherever SQL names them, so a database whose search_path puts
another schema first (holding a type of the same name) ends up as a fresh build does."""
from __future__ import annotations

import psycopg
from psycopg.conninfo import make_conninfo

from compiler.live.database import connect
from compiler.live.introspect import introspect
from compiler.model.schema import Schema
from compiler.plan.diff import diff
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import migration, rows_of, schema

OTHER = "CREATE SCHEMA other; CREATE TYPE other.mood AS ENUM ('other');"
V1 = """
enum: mood
values: [happy, sad]
---
table: t
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: m, type: mood, nullable: false, default: "'happy'::mood", check: "m <> 'sad'::mood"}
  - {name: ms, type: "mood[]", default: "'{happy}'::mood[]"}
  - {name: later, type: text}
indexes:
  - {columns: [id], where: "m = CAST('happy' AS mood)"}
  - {expression: "(m < 'sad'::mood)"}
"""
# text to the enum (a USING cast), a value added and used, values reordered (the type rebuilt)
V2 = (V1.replace("values: [happy, sad]", "values: [sad, happy, calm]")
      .replace("{name: later, type: text}", "{name: later, type: mood, default: \"'calm'::mood\"}"))


def _on_public(url: str) -> str:
    """The URL with search_path = public, so types print alike in both databases."""
    return make_conninfo(url, options="-c search_path=public")


def test_a_search_path_with_another_schema_first_changes_nothing(database_url: str, second_database_url: str) -> None:
    run_sql_file(database_url, OTHER)
    run_sql_file(second_database_url, OTHER)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {conn.info.dbname} SET search_path = other, public")
    v1, v2 = schema(V1), schema(V2)

    run_sql_file(database_url, migration(Schema(), v1))
    run_sql_file(database_url, "INSERT INTO t (id, later) VALUES (1, 'sad'), (2, NULL);")
    before = catalog(_on_public(database_url))
    run_sql_file(database_url, migration(v1, v2))
    run_sql_file(second_database_url, migration(Schema(), v2))
    assert catalog(_on_public(database_url)) == catalog(_on_public(second_database_url))
    with connect(database_url) as live, connect(second_database_url) as fresh:
        assert diff(introspect(live), introspect(fresh)) == []
        assert rows_of(live, "SELECT id, m::text, later::text FROM public.t ORDER BY id") == [
            (1, "happy", "sad"), (2, "happy", None)]

    run_sql_file(database_url, migration(v2, v1))
    assert catalog(_on_public(database_url)) == before
    run_sql_file(database_url, migration(v1, Schema()))
    with connect(database_url) as live:
        assert rows_of(live, "SELECT typname FROM pg_type WHERE typnamespace = 'other'::regnamespace "
                             "AND typtype = 'e' ORDER BY 1") == [("mood",)]
