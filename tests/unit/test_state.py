"""state: the schema as of the newest migration, written canonically and read back unchanged."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.definitions.build import build_schema
from compiler.definitions.load import load_project
from compiler.errors import DefinitionError, StateError
from compiler.model.schema import Schema
from compiler.plan.diff import diff
from compiler.project import sha256
from compiler.sql.state import MigrationRecord, State, dump_state, load_state
from tests.helpers import schema_of
from tests.unit.test_build import FULL

REPO = Path(__file__).resolve().parents[2]

ODD = """
enum: Level
schema: app
values: [low, "it's", "mid dle"]
---
table: Order Items
schema: app
comment: "Quotes ' and \\" and unicode: café ✓"
columns:
  - {name: id, type: bigint, identity: always, primary_key: true}
  - {name: level, type: app.Level, nullable: false, default: "'low'::app.\\"Level\\""}
  - {name: price, type: "numeric(10,2)", check: "price >= 0"}
  - {name: qty, type: int, default: 1}
  - {name: total, type: "numeric(12,2)", generated: "price * qty"}
  - {name: note, type: text, comment: ""}
  - {name: parent_id, type: bigint}
foreign_keys:
  - {name: fk_parent, columns: [parent_id], references: {table: app.Order Items, columns: [id]}, on_delete: set null}
indexes:
  - {expression: "lower(note)", where: "qty > 1", using: btree, unique: true}
  - {columns: [level, qty], name: "Level Qty"}
"""


def example_schema() -> Schema:
    errors: list[DefinitionError] = []
    return build_schema(load_project(REPO, errors), errors)


RECORDS = (MigrationRecord(1, "initial_schema", "migrations/001_initial_schema.sql", "a" * 64,
                           "migrations/rollback_001.sql", "b" * 64),
           MigrationRecord(2, "add_x", "migrations/002_add_x.sql", "c" * 64, "migrations/rollback_002.sql", "d" * 64))


def schemas() -> list[Schema]:
    return [example_schema(), schema_of(FULL), schema_of(ODD), Schema()]


@pytest.mark.parametrize("index", range(4))
def test_dump_load_dump_is_byte_identical(index: int) -> None:
    state = State(schemas()[index], RECORDS)
    first = dump_state(state)
    again = dump_state(load_state(first))
    assert again == first


@pytest.mark.parametrize("index", range(4))
def test_loaded_state_has_no_diff_with_the_original(index: int) -> None:
    s = schemas()[index]
    loaded = load_state(dump_state(State(s))).schema
    assert diff(s, loaded) == []
    assert diff(loaded, s) == []


def test_loaded_state_keeps_expressions_as_written() -> None:
    s = schema_of(ODD)
    loaded = load_state(dump_state(State(s))).schema
    t, u = s.tables["app.Order Items"], loaded.tables["app.Order Items"]
    assert [c.default.text for c in u.columns if c.default] == [c.default.text for c in t.columns if c.default]
    assert u == t  # renamed_from and expression texts aside, the very same model
    assert loaded.enums == s.enums and loaded.extensions == s.extensions


def test_migrations_round_trip() -> None:
    state = load_state(dump_state(State(Schema(), RECORDS)))
    assert state.migrations == RECORDS
    assert state.next_version == 3


def test_no_state_is_an_empty_schema() -> None:
    state = load_state(None)
    assert state.schema == Schema() and state.migrations == () and state.next_version == 1


def test_dump_is_deterministic_and_ends_in_newline() -> None:
    a, b = dump_state(State(example_schema(), RECORDS)), dump_state(State(example_schema(), RECORDS))
    assert a == b and a.endswith(b"\n")
    json.loads(a)


def test_the_committed_state_is_canonical() -> None:
    raw = (REPO / "generated" / "state.json").read_bytes()
    assert dump_state(load_state(raw)) == raw


@pytest.mark.parametrize("data, message", [
    (b"{", "damaged"),
    (b"[]", "damaged"),
    (b'{"format": 99}', "format 99"),
    (b'{"format": 1, "migrations": [], "schema": {"extensions": [], "enums": []}}', "damaged"),
    (b'"text"', "damaged"),
    (b'{"format": 1, "migrations": [], "schema": []}', "damaged"),
    (b'{"format": 1, "migrations": [], "schema": {"extensions": [], "enums": [], "tables": [{"schema": "public", '
     b'"name": "t", "columns": [{"name": "a", "type": "integer", "default": "1; drop table t"}]}]}}', "damaged"),
])
def test_damaged_state_is_a_state_error(data: bytes, message: str) -> None:
    with pytest.raises(StateError, match=message):
        load_state(data)


_ONE_COLUMN = (b'{"format": 1, "migrations": [], "schema": {"extensions": [], "enums": [], "tables": [{"schema": '
               b'"public", "name": "t", "columns": [%s]}]}}')


@pytest.mark.parametrize("column, message", [
    (b'{"name": "a", "type": "integer", "nullable": "no"}', "'nullable' is \"no\", not true or false"),
    (b'{"name": "a", "type": "integer", "nullable": 0}', "'nullable' is 0, not true or false"),
    (b'{"name": 7, "type": "integer"}', "'name' is 7, not a string"),
    (b'{"name": "a", "type": "integer", "default": 1}', "'default' is 1, not a string"),
    (b'{"name": "a", "type": "integer", "comment": ["x"]}', "'comment' is \\[\"x\"\\], not a string"),
    (b'{"name": "a"}', "KeyError: 'type'"),
    (b'{"name": "a", "type": "integer", "sequence": {"start": "1"}}', "not an object of numbers and booleans"),
])
def test_every_column_value_is_checked(column: bytes, message: str) -> None:
    # most columns are read in one pass (_plain_column); a value of the wrong kind is the same error
    with pytest.raises(StateError, match=message):
        load_state(_ONE_COLUMN % column)


def test_a_plain_column_and_one_with_null_values_read_the_same() -> None:
    plain = load_state(_ONE_COLUMN % b'{"name": "a", "type": "serial", "nullable": false, "default": "1"}')
    nulls = load_state(_ONE_COLUMN % b'{"name": "a", "type": "serial", "nullable": false, "default": "1", '
                                      b'"comment": null, "collation": null, "sequence": {}}')
    assert plain.schema == nulls.schema
    column = plain.schema.tables["public.t"].columns[0]
    assert (column.type, column.serial, column.nullable, column.default and column.default.text) == (
        "integer", True, False, "1")


def test_sha256() -> None:
    assert sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


EXTENSION_ELSEWHERE = """
extension: citext
schema: extensions
---
extension: pgcrypto
---
table: t
columns:
  - {name: e, type: extensions.citext, default: "'x'::extensions.citext", check: "e <> 'y'::citext"}
"""


def test_an_extension_outside_public_is_written_with_its_schema_and_read_back() -> None:
    s = schema_of(EXTENSION_ELSEWHERE)
    data = dump_state(State(s))
    doc = json.loads(data)
    assert doc["schema"]["extensions"] == [{"name": "citext", "schema": "extensions"}, "pgcrypto"]
    loaded = load_state(data).schema
    assert loaded.extensions == s.extensions and diff(s, loaded) == [] and dump_state(State(loaded)) == data
