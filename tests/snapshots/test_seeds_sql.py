"""generated/seeds.sql for a reviewer: load order, ON CONFLICT keys, refs, deferred refs, quoting."""
from __future__ import annotations

import textwrap

from compiler.definitions.load import load_text
from compiler.definitions.seeds import build_seeds
from compiler.errors import DefinitionError
from compiler.sql.render import Renderer
from tests.helpers import schema_of

SCHEMA = """
    enum: mood
    values: [happy, sad]
    ---
    table: users
    columns:
      - {name: id, type: uuid, primary_key: true, default: gen_random_uuid()}
      - {name: email, type: text, nullable: false, unique: true}
      - {name: mood, type: mood}
      - {name: score, type: "numeric(5,2)"}
      - {name: tags, type: "text[]"}
      - {name: prefs, type: jsonb}
      - {name: born, type: date}
    ---
    table: posts
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: author_id, type: uuid, nullable: false, references: users.id}
      - {name: parent_id, type: bigint, references: posts.id}
      - {name: title, type: text, nullable: false}
    """

# posts come first in the file: the load order comes from the refs, not from the file
SEEDS = """
    table: posts
    rows:
      - {id: 2, title: Reply, author_id: {ref: users, email: b@x.io}, parent_id: {ref: posts, id: 1}}
      - {id: 1, title: First, author_id: {ref: users, email: "x'); DROP TABLE users; --"}}
    ---
    table: users
    rows:
      - {email: "x'); DROP TABLE users; --", mood: happy, score: 12.50, born: 2020-02-29}
      - email: b@x.io
        tags: [plain, "with \\"quote\\"", 'back\\slash', "it's"]
        prefs: {b: [1, 2], a: "it's"}
    ---
    table: posts
    rows: []
    """


def seeds_sql(schema_yaml: str, seeds_yaml: str) -> tuple[str, list[DefinitionError]]:
    errors: list[DefinitionError] = []
    docs = load_text(textwrap.dedent(seeds_yaml).lstrip("\n"), "seeds/test.yaml", errors)
    seeds = build_seeds(docs, schema_of(schema_yaml), errors)
    return Renderer().seeds(seeds), errors


def test_seeds_sql(sql_snapshot) -> None:
    sql, errors = seeds_sql(SCHEMA, SEEDS.split("---\n    table: posts\n    rows: []")[0])
    assert errors == []
    assert sql == sql_snapshot


def test_a_table_seeded_twice_is_an_error() -> None:
    _, errors = seeds_sql(SCHEMA, SEEDS)
    assert [str(e) for e in errors] == [
        "seeds/test.yaml:13:8: error: table public.posts is seeded twice (first at seeds/test.yaml:1); "
        "put its rows in one document"]


def test_the_same_seeds_give_the_same_bytes() -> None:
    seeds = SEEDS.split("---\n    table: posts\n    rows: []")[0]
    assert seeds_sql(SCHEMA, seeds)[0] == seeds_sql(SCHEMA, seeds)[0]


def test_every_value_is_a_quoted_literal() -> None:
    sql, _ = seeds_sql(SCHEMA, SEEDS.split("---\n    table: posts\n    rows: []")[0])
    assert "'x''); DROP TABLE users; --'::text" in sql  # the quote doubled: one string constant
    assert r"""E'{"plain","with \\"quote\\"","back\\\\slash","it''s"}'::text[]""" in sql  # array_in's quoting
    assert "'{\"a\": \"it''s\", \"b\": [1, 2]}'::jsonb" in sql
    assert "'12.50'::numeric(5,2)" in sql


CYCLE = """
    table: teams
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: name, type: text, nullable: false, unique: true}
      - {name: captain_id, type: bigint, references: people.id}
      - {name: coach_id, type: bigint, nullable: false, references: people.id, initially_deferred: true}
    ---
    table: people
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: email, type: text, nullable: false, unique: true}
      - {name: team_id, type: bigint, nullable: false, references: teams.id}
      - {name: mentor_id, type: bigint, references: people.id}
    """

CYCLE_SEEDS = """
    table: teams
    rows:
      - {id: 1, name: Red, captain_id: {ref: people, email: a@x.io}, coach_id: {ref: people, email: b@x.io}}
    ---
    table: people
    rows:
      - {id: 10, email: a@x.io, team_id: {ref: teams, name: Red}, mentor_id: {ref: people, email: b@x.io}}
      - {id: 11, email: b@x.io, team_id: 1, mentor_id: {ref: people, email: a@x.io}}
    """


def test_seeds_sql_of_a_cycle(sql_snapshot) -> None:
    """teams first (its NOT NULL coach_id has a deferred key and a written value), its nullable
    captain_id set after people are in; people's mentors point both ways, so they wait too."""
    sql, errors = seeds_sql(CYCLE, CYCLE_SEEDS)
    assert errors == []
    assert sql == sql_snapshot
