"""A table's `warehouse:` key: read into the model beside the table, every mistake a positioned error,
and no effect on the PostgreSQL schema (equality, state.json, migrations)."""
from __future__ import annotations

import json

import pytest
import sqlglot
from sqlglot import exp

from compiler.errors import DefinitionErrors
from compiler.model.warehouse import IntegerRange, UnsupportedType, Warehouse, bigquery_type
from compiler.plan.diff import diff
from compiler.sql.state import State, dump_state
from compiler.warehouse.files import warehouse_files
from tests.helpers import schema_of

EVENTS = """
enum: mood
values: [happy, sad]
---
table: events
columns:
  - {name: id, type: bigserial, primary_key: true}
  - {name: user_id, type: integer, nullable: false}
  - {name: mood, type: mood}
  - {name: amount, type: 'numeric(12,2)'}
  - {name: score, type: double precision}
  - {name: payload, type: jsonb}
  - {name: day, type: date}
  - {name: created_at, type: timestamptz, nullable: false}
"""


def _events(warehouse: str) -> str:
    return EVENTS + warehouse


def _errors(text: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as info:
        schema_of(text)
    return [str(e) for e in info.value.errors]


def test_the_key_is_read_into_the_table() -> None:
    schema = schema_of(_events("warehouse: {bigquery: true, partition_by: created_at, granularity: hour, "
                               "cluster_by: [user_id, mood], require_partition_filter: true, "
                               "partition_expiration_days: 90}\n"))
    assert schema.tables["public.events"].warehouse == Warehouse("created_at", "hour", None, ("user_id", "mood"),
                                                                 True, 90)


def test_an_integer_column_is_partitioned_by_range() -> None:
    schema = schema_of(_events("warehouse: {bigquery: true, partition_by: user_id, "
                               "range: {start: 0, end: 1000, interval: 10}}\n"))
    assert schema.tables["public.events"].warehouse == Warehouse("user_id", integer_range=IntegerRange(0, 1000, 10))


def test_bigquery_false_leaves_the_table_out() -> None:
    assert schema_of(_events("warehouse: {bigquery: false}\n")).tables["public.events"].warehouse is None


def test_the_warehouse_takes_no_part_in_the_postgresql_schema() -> None:
    plain = schema_of(EVENTS)
    marked = schema_of(_events("warehouse: {bigquery: true, partition_by: day, cluster_by: user_id}\n"))
    assert plain == marked
    assert diff(plain, marked) == [] and diff(marked, plain) == []
    # state.json holds the options (for the next warehouse migration) only where they are
    plain_state, marked_state = json.loads(dump_state(State(plain, ()))), json.loads(dump_state(State(marked, ())))
    assert marked_state["schema"]["tables"][0].pop("warehouse") == {"partition_by": "day", "granularity": "day",
                                                                    "cluster_by": ["user_id"]}
    assert marked_state == plain_state and "warehouse" not in dump_state(State(plain, ())).decode()


@pytest.mark.parametrize(("warehouse", "expected"), [
    ("warehouse: {bigquery: true, colour: red}\n",
     "definitions/test.yaml:14:29: error: unknown key 'colour' in a table's warehouse"),
    ("warehouse: {partition_by: day}\n",
     "definitions/test.yaml:14:12: error: table events's warehouse needs 'bigquery: true'"),
    ("warehouse: yes\n",
     "definitions/test.yaml:14:12: error: 'warehouse' must be a mapping"),
    ("warehouse: {bigquery: true, partition_by: created}\n",
     "definitions/test.yaml:14:43: error: table events's warehouse's 'partition_by' names column created, "
     "which table events does not have (did you mean 'created_at'?)"),
    ("warehouse: {bigquery: true, partition_by: mood}\n",
     "definitions/test.yaml:14:43: error: BigQuery partitions by a DATE, TIMESTAMP, DATETIME or integer column, "
     "and events.mood is mood (STRING)"),
    ("warehouse: {bigquery: true, partition_by: user_id}\n",
     "definitions/test.yaml:14:43: error: partitioning by integer column user_id needs 'range: "),
    ("warehouse: {bigquery: true, partition_by: user_id, range: {start: 0, end: 100001, interval: 10}}\n",
     "definitions/test.yaml:14:59: error: the range makes 10001 partitions; BigQuery allows at most 10,000"),
    ("warehouse: {bigquery: true, partition_by: user_id, range: {start: 5, end: 5, interval: 1}}\n",
     "definitions/test.yaml:14:59: error: a partition range needs start < end and a positive interval"),
    ("warehouse: {bigquery: true, partition_by: day, granularity: hour}\n",
     "definitions/test.yaml:14:61: error: a DATE column cannot be partitioned by hour"),
    ("warehouse: {bigquery: true, partition_by: day, granularity: week}\n",
     "definitions/test.yaml:14:61: error: 'granularity' must be one of day, hour, month, year, not 'week'"),
    ("warehouse: {bigquery: true, granularity: day}\n",
     "definitions/test.yaml:14:29: error: 'granularity' needs 'partition_by' in table events's warehouse"),
    ("warehouse: {bigquery: true, cluster_by: [id, user_id, mood, amount, day]}\n",
     "definitions/test.yaml:14:41: error: BigQuery clusters by at most 4 columns, and table events's warehouse "
     "lists 5"),
    ("warehouse: {bigquery: true, cluster_by: [user_id, score]}\n",
     "definitions/test.yaml:14:51: error: BigQuery cannot cluster by events.score, a FLOAT64 column"),
    ("warehouse: {bigquery: true, cluster_by: [user_id, payload]}\n",
     "definitions/test.yaml:14:51: error: BigQuery cannot cluster by events.payload, a JSON column"),
    ("warehouse: {bigquery: true, cluster_by: [user_id, nope]}\n",
     "definitions/test.yaml:14:51: error: table events's warehouse's 'cluster_by' names column nope"),
    ("warehouse: {bigquery: true, partition_by: day, partition_expiration_days: 0}\n",
     "definitions/test.yaml:14:75: error: 'partition_expiration_days' must be a positive number of days"),
    # BigQuery expires partitions of time only (ingestion time or a time-unit column)
    ("warehouse: {bigquery: true, partition_by: user_id, range: {start: 0, end: 100, interval: 10}, "
     "partition_expiration_days: 30}\n",
     "definitions/test.yaml:14:122: error: 'partition_expiration_days' is for a table partitioned by time, and "
     "table events's warehouse is partitioned by the integer range of user_id; BigQuery expires no integer-range "
     "partition"),
])
def test_mistakes_are_errors_at_their_place(warehouse: str, expected: str) -> None:
    errors = _errors(_events(warehouse))
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_a_column_bigquery_cannot_hold_is_an_error_at_its_type() -> None:
    errors = _errors("""
        table: t
        columns:
          - {name: id, type: integer}
          - {name: price, type: money}
        warehouse: {bigquery: true}
        """)
    assert errors == [
        "definitions/test.yaml:4:25: error: column t.price: BigQuery has no column type for money; the table is "
        "in the warehouse (see the README's type mapping)"]


def test_an_array_of_more_dimensions_is_the_array_postgresql_makes_of_it() -> None:
    # integer[][] and int[3][4] are integer[] to PostgreSQL (pg_attribute keeps no dimensions): one type
    grid = schema_of("table: t\ncolumns: [{name: grid, type: 'integer[][]'}, {name: box, type: 'int[3][4]'}]\n"
                     "warehouse: {bigquery: true}\n")
    flat = schema_of("table: t\ncolumns: [{name: grid, type: 'integer[]'}, {name: box, type: 'integer[]'}]\n"
                     "warehouse: {bigquery: true}\n")
    assert warehouse_files(grid, "d") == warehouse_files(flat, "d")
    assert b"grid ARRAY<INT64>" in warehouse_files(grid, "d")["warehouse/bigquery/d.t.sql"]


def test_enum_labels_in_a_description_are_a_json_array() -> None:
    schema = schema_of("enum: tag\nvalues: ['a, b', c, 'say \"hi\"']\n---\ntable: t\n"
                       "columns: [{name: x, type: tag, comment: A tag}, {name: y, type: 'tag[]'}]\n"
                       "warehouse: {bigquery: true}\n")
    sql = warehouse_files(schema, "d")["warehouse/bigquery/d.t.sql"].decode()
    parsed = sqlglot.parse_one(sql.split("\n", 2)[2], read="bigquery")
    descriptions = [p.args["value"].this for p in parsed.find_all(exp.Property) if p.name == "description"]
    assert descriptions == ['A tag (allowed values: ["a, b", "c", "say \\"hi\\""])',
                            'Allowed values: ["a, b", "c", "say \\"hi\\""]']
    assert json.loads(descriptions[1].removeprefix("Allowed values: ")) == ["a, b", "c", 'say "hi"']


@pytest.mark.parametrize(("columns", "expected"), [
    ("[{name: _PARTITIONTIME, type: timestamptz}]",
     "definitions/test.yaml:2:18: error: column t._PARTITIONTIME starts with _PARTITION, a prefix BigQuery reserves "
     "for its own columns; the table is in the warehouse"),
    ("[{name: _partitiondate, type: date}]",
     "definitions/test.yaml:2:18: error: column t._partitiondate starts with _PARTITION, a prefix BigQuery reserves"),
    ("[{name: _TABLE_SUFFIX, type: text}]", "definitions/test.yaml:2:18: error: column t._TABLE_SUFFIX starts with "
                                            "_TABLE_"),
    ("[{name: _change_type, type: text}]", "definitions/test.yaml:2:18: error: column t._change_type starts with "
                                           "_CHANGE_TYPE"),
    ("[{name: __root__x, type: text}]", "definitions/test.yaml:2:18: error: column t.__root__x starts with __ROOT__"),
    ("[{name: id, type: integer}, {name: ID, type: integer}]",
     "definitions/test.yaml:2:45: error: columns id and ID of table t differ only in case, and BigQuery column "
     "names ignore case; the table is in the warehouse (rename one)"),
    ("[{name: 'a.b', type: text}]",
     "definitions/test.yaml:2:18: error: column t.a.b has '.', which BigQuery allows in no column name"),
    (f"[{{name: note, type: text, comment: {'x' * 1025}}}]",
     "definitions/test.yaml:2:45: error: column t.note's BigQuery description would be 1,025 characters (its comment "
     "is it); BigQuery allows at most 1,024"),
    (f"[{{name: note, type: mood, comment: {'x' * 1000}}}]",
     "definitions/test.yaml:2:45: error: column t.note's BigQuery description would be 1,035 characters (its comment "
     "and its enum's labels make it); BigQuery allows at most 1,024"),
])
def test_what_bigquery_refuses_in_names_and_descriptions(columns: str, expected: str) -> None:
    text = f"table: t\ncolumns: {columns}\nwarehouse: {{bigquery: true}}\n"
    errors = _errors("enum: mood\nvalues: [happy, sad]\n---\n" + text)
    expected = expected.replace("test.yaml:2:", "test.yaml:5:")
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    schema_of(text.replace("warehouse: {bigquery: true}\n", "").replace("type: mood", "type: text"))  # fine outside


def test_a_table_description_over_bigquerys_limit() -> None:
    errors = _errors(f"table: t\ncomment: {'x' * 16_385}\ncolumns: [{{name: a, type: text}}]\n"
                     "warehouse: {bigquery: true}\n")
    assert errors == ["definitions/test.yaml:2:10: error: table t's comment is 16,385 characters, and BigQuery allows "
                      "a table description of at most 16,384; the table is in the warehouse"]
    schema_of(f"table: t\ncomment: {'x' * 16_384}\ncolumns: [{{name: a, type: text}}]\nwarehouse: {{bigquery: true}}\n")


def test_the_same_columns_outside_the_warehouse_are_fine() -> None:
    schema_of("""
        table: t
        columns:
          - {name: grid, type: 'integer[][]'}
          - {name: price, type: money}
        """)


@pytest.mark.parametrize(("pg", "bq"), [
    ("integer", "INT64"), ("bigint", "INT64"), ("smallint", "INT64"), ("real", "FLOAT64"),
    ("double precision", "FLOAT64"), ("numeric(12,2)", "NUMERIC(12, 2)"), ("numeric(38,9)", "NUMERIC(38, 9)"),
    ("numeric(40,2)", "BIGNUMERIC(40, 2)"), ("numeric(20,12)", "BIGNUMERIC(20, 12)"), ("numeric", "BIGNUMERIC"),
    ("numeric(10)", "NUMERIC(10, 0)"), ("text", "STRING"), ("character varying(20)", "STRING(20)"),
    ("character(3)", "STRING(3)"), ("uuid", "STRING"), ("json", "JSON"), ("jsonb", "JSON"), ("bytea", "BYTES"),
    ("boolean", "BOOL"), ("date", "DATE"), ("timestamp with time zone", "TIMESTAMP"),
    ("timestamp(3) with time zone", "TIMESTAMP"), ("timestamp without time zone", "DATETIME"),
    ("time without time zone", "TIME"), ("interval", "INTERVAL"), ("text[]", "ARRAY<STRING>"),
    ("numeric(5,1)[]", "ARRAY<NUMERIC(5, 1)>"), ("mood", "STRING"), ("interval year to month", "INTERVAL"),
    ("interval day to second(3)", "INTERVAL"), ("interval(3)", "INTERVAL"), ("macaddr8", "STRING"),
    ("citext", "STRING"), ("bpchar", "STRING"), ("name", "STRING"), ("character varying", "STRING"),
])
def test_the_type_mapping(pg: str, bq: str) -> None:
    assert bigquery_type(pg, frozenset({"mood"})) == bq


@pytest.mark.parametrize("pg", ["money", "point", "tsvector", "time with time zone", "numeric(80,40)", "bit(3)",
                                "bit varying(5)", "xml", "int4range", "tstzmultirange", "hstore", "geometry", "vector",
                                "oid", "pg_lsn", "tsquery", "ltree", "intervals"])
def test_types_bigquery_cannot_hold(pg: str) -> None:
    with pytest.raises(UnsupportedType):
        bigquery_type(pg, frozenset())
