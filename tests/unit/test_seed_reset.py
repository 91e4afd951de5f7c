"""Which columns a seed row that leaves them out sets back to their default on a reload."""
from __future__ import annotations

from compiler.model.seed_values import reset_on_reload
from tests.helpers import schema_of

SCHEMA = """
enum: plan
values: [free, pro]
---
table: accounts
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: code, type: text, unique: true}
  - {name: name, type: text}
  - {name: plan, type: plan, nullable: false, default: "'free'::plan"}
  - {name: score, type: integer, default: -1}
  - {name: tags, type: "text[]", default: "ARRAY[]::text[]"}
  - {name: prefs, type: jsonb, default: "'{}'::jsonb"}
  - {name: created_at, type: timestamptz, default: now()}
  - {name: day, type: date, default: CURRENT_DATE}
  - {name: token, type: uuid, default: gen_random_uuid()}
  - {name: lowered, type: text, default: "lower('X')"}
  - {name: n, type: bigint, identity: always}
  - {name: s, type: serial}
  - {name: doubled, type: integer, generated: "score * 2"}
---
table: invites
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: account_code, type: text, references: accounts.code}
"""


def test_constants_and_nulls_are_reset_and_what_is_computed_per_row_or_identifies_it_is_kept() -> None:
    schema = schema_of(SCHEMA)
    assert sorted(reset_on_reload(schema.tables["public.accounts"], schema)) == [
        "name", "plan", "prefs", "score", "tags"]
    assert reset_on_reload(schema.tables["public.invites"], schema) == {"account_code"}
