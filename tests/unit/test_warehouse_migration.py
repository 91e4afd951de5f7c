"""BigQuery statements between two compiled schemas: what BigQuery changes in place, what it cannot
(destructive, refused without --allow-destructive), and the warehouse kept in state.json."""
from __future__ import annotations

import sqlglot

from compiler.model.schema import Schema
from compiler.sql.state import State, dump_state, load_state
from compiler.warehouse.migration import warehouse_migration
from tests.helpers import schema_of

BEFORE = """
table: events
comment: Events
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: n, type: integer}
  - {name: name, type: 'varchar(20)'}
  - {name: price, type: 'numeric(10,2)'}
  - {name: created_at, type: timestamptz, nullable: false}
warehouse: {bigquery: true, partition_by: created_at}
"""


def _kinds(old: Schema, new: Schema) -> list[str]:
    return [s.split("\n", 1)[0].removeprefix("-- ") for s in warehouse_migration(old, new).statements]


def test_a_new_warehouse_table_is_created() -> None:
    m = warehouse_migration(Schema(), schema_of(BEFORE))
    assert [s.split("\n")[0] for s in m.statements] == ["-- CreateTable events"]
    assert m.destructive == []


def test_changes_bigquery_makes_in_place() -> None:
    after = schema_of(BEFORE.replace("type: 'varchar(20)'", "type: 'varchar(40)'")
                      .replace("type: 'numeric(10,2)'", "type: 'numeric(30,4)'")
                      .replace("{name: n, type: integer}", "{name: n, type: integer, comment: a count}")
                      .replace("comment: Events", "comment: Events, one a row")
                      .replace("  - {name: created_at", "  - {name: email, type: text, nullable: false}\n"
                                                         "  - {name: created_at")
                      .replace("partition_by: created_at}", "partition_by: created_at, require_partition_filter: true}"))
    m = warehouse_migration(schema_of(BEFORE), after)
    assert m.destructive == []
    assert m.statements == [
        "-- SetColumnOptions events.n\nALTER TABLE events ALTER COLUMN n SET OPTIONS (description='a count');\n",
        "-- AlterColumnType events.name\nALTER TABLE events ALTER COLUMN name SET DATA TYPE STRING(40);\n",
        "-- AlterColumnType events.price\nALTER TABLE events ALTER COLUMN price SET DATA TYPE NUMERIC(30, 4);\n",
        "-- AddColumn events.email\nALTER TABLE events ADD COLUMN email STRING;\n",
        "-- SetOptions events\nALTER TABLE events SET OPTIONS (description='Events, one a row', "
        "require_partition_filter=TRUE);\n"]
    assert m.notes == ["BigQuery column events.email is added NULLABLE: BigQuery adds no REQUIRED column to an "
                       "existing table"]
    for statement in m.statements:
        assert sqlglot.parse_one(statement, read="bigquery") is not None


def test_a_rename_and_a_dropped_not_null() -> None:
    after = schema_of(BEFORE.replace("{name: n, type: integer}", "{name: count, type: integer, renamed_from: n}")
                      .replace("type: timestamptz, nullable: false", "type: timestamptz"))
    assert _kinds(schema_of(BEFORE), after) == ["RenameColumn events.n", "DropNotNull events.created_at"]


def test_what_bigquery_cannot_change_in_place_is_destructive() -> None:
    narrowed = schema_of(BEFORE.replace("type: 'varchar(20)'", "type: 'varchar(10)'"))
    m = warehouse_migration(schema_of(BEFORE), narrowed)
    assert m.destructive == ["BigQuery table events is rebuilt (column(s) name change type, which BigQuery "
                             "cannot change in place): its rows are lost; reload it"]
    assert _kinds(schema_of(BEFORE), narrowed) == ["DropTable events", "CreateTable events"]
    dropped = schema_of(BEFORE.replace("  - {name: n, type: integer}\n", ""))
    assert warehouse_migration(schema_of(BEFORE), dropped).destructive == [
        "BigQuery column events.n is dropped: its values are lost"]
    repartitioned = schema_of(BEFORE.replace("partition_by: created_at}", "partition_by: created_at, "
                                                                          "granularity: month}"))
    assert "new partitioning or clustering" in warehouse_migration(schema_of(BEFORE), repartitioned).destructive[0]
    left = schema_of(BEFORE.replace("warehouse: {bigquery: true, partition_by: created_at}", ""))
    assert warehouse_migration(schema_of(BEFORE), left).destructive == [
        "BigQuery table events is dropped (it left the warehouse): its rows are lost"]


def test_the_warehouse_round_trips_through_state_json() -> None:
    schema = schema_of(BEFORE.replace("partition_by: created_at}", "partition_by: created_at, granularity: hour, "
                                      "cluster_by: [n, name], partition_expiration_days: 3}")
                       + "---\ntable: counters\ncolumns: [{name: b, type: bigint}]\n"
                         "warehouse: {bigquery: true, partition_by: b, range: {start: 0, end: 100, interval: 5}}\n")
    again = load_state(dump_state(State(schema, ()))).schema
    assert {k: t.warehouse for k, t in again.tables.items()} == {k: t.warehouse for k, t in schema.tables.items()}
    assert warehouse_migration(schema, again).statements == []
