"""BigQuery DDL of warehouse tables: the SQL a reviewer reads, and each statement parsed back by
sqlglot's BigQuery dialect to the same text."""
from __future__ import annotations

import sqlglot
from sqlglot import exp

from compiler.warehouse.files import warehouse_files
from tests.helpers import schema_of

EVERY_TYPE = """
enum: mood
values: [happy, "it's fine"]
---
extension: citext
---
table: users
comment: People who sign in
columns:
  - {name: id, type: uuid, primary_key: true}
  - {name: email, type: citext, nullable: false, comment: Their sign-in address}
  - {name: name, type: 'varchar(80)'}
  - {name: code, type: 'char(3)'}
  - {name: active, type: boolean, nullable: false, default: 'true'}
  - {name: born, type: date}
  - {name: avatar, type: bytea}
  - {name: created_at, type: timestamptz, nullable: false}
warehouse: {bigquery: true, partition_by: created_at, cluster_by: [email]}
---
table: events
schema: analytics
comment: "What users did; one row an event"
columns:
  - {name: id, type: bigserial, primary_key: true}
  - {name: user_id, type: uuid, nullable: false}
  - {name: mood, type: mood, comment: How it felt}
  - {name: moods, type: 'mood[]', nullable: false}
  - {name: tags, type: 'text[]'}
  - {name: amount, type: 'numeric(12,2)'}
  - {name: big_amount, type: 'numeric(40,5)'}
  - {name: any_amount, type: numeric}
  - {name: ratio, type: real}
  - {name: score, type: double precision}
  - {name: payload, type: jsonb}
  - {name: raw, type: json}
  - {name: small, type: smallint}
  - {name: count, type: integer}
  - {name: local_time, type: timestamp}
  - {name: at_time, type: time}
  - {name: took, type: interval}
  - {name: order, type: text, comment: A column named by a reserved word}
  - {name: occurred_on, type: date, nullable: false}
warehouse: {bigquery: true, partition_by: occurred_on, granularity: month, cluster_by: [user_id, mood, order],
            require_partition_filter: true, partition_expiration_days: 400}
---
table: counters
columns:
  - {name: bucket, type: bigint, nullable: false}
  - {name: at, type: timestamp, nullable: false}
warehouse: {bigquery: true, partition_by: bucket, range: {start: 0, end: 1000000, interval: 1000}}
---
table: hourly
columns:
  - {name: at, type: timestamp, nullable: false}
warehouse: {bigquery: true, partition_by: at, granularity: hour}
---
table: not_in_the_warehouse
columns:
  - {name: id, type: integer}
warehouse: {bigquery: false}
---
table: plain
columns:
  - {name: id, type: integer}
"""


def _files() -> dict[str, bytes]:
    return warehouse_files(schema_of(EVERY_TYPE), "analytics_prod")


def test_one_file_a_warehouse_table_and_one_with_all() -> None:
    assert sorted(_files()) == ["warehouse/bigquery/analytics_prod.analytics_events.sql",
                                "warehouse/bigquery/analytics_prod.counters.sql",
                                "warehouse/bigquery/analytics_prod.hourly.sql",
                                "warehouse/bigquery/analytics_prod.sql",
                                "warehouse/bigquery/analytics_prod.users.sql"]


def test_the_dataset_file(sql_snapshot) -> None:
    assert _files()["warehouse/bigquery/analytics_prod.sql"].decode() == sql_snapshot


def test_each_table_file_is_its_part_of_the_dataset_file() -> None:
    files = _files()
    everything = files.pop("warehouse/bigquery/analytics_prod.sql").decode()
    for data in files.values():
        statement = data.decode().split("\n", 1)[1]  # past the file's header line
        assert statement in everything


def test_every_statement_parses_back_to_itself_in_bigquery() -> None:
    text = _files()["warehouse/bigquery/analytics_prod.sql"].decode()
    statements = [s for s in sqlglot.parse(text, read="bigquery") if s is not None]
    assert len(statements) == 4
    for statement in statements:
        assert isinstance(statement, exp.Create)
        again = statement.sql(dialect="bigquery", pretty=True, comments=False) + ";"
        assert again in text


def test_a_parsed_table_has_the_mapped_types() -> None:
    text = _files()["warehouse/bigquery/analytics_prod.analytics_events.sql"].decode()
    create = sqlglot.parse_one(text, read="bigquery")
    types = {c.name: c.args["kind"].sql(dialect="bigquery") for c in create.find_all(exp.ColumnDef)}
    assert types == {
        "id": "INT64", "user_id": "STRING", "mood": "STRING", "moods": "ARRAY<STRING>", "tags": "ARRAY<STRING>",
        "amount": "NUMERIC(12, 2)", "big_amount": "BIGNUMERIC(40, 5)", "any_amount": "BIGNUMERIC",
        "ratio": "FLOAT64", "score": "FLOAT64", "payload": "JSON", "raw": "JSON", "small": "INT64",
        "count": "INT64", "local_time": "DATETIME", "at_time": "TIME", "took": "INTERVAL", "order": "STRING",
        "occurred_on": "DATE"}
    required = {c.name for c in create.find_all(exp.ColumnDef)
                if any(isinstance(k.args.get("kind"), exp.NotNullColumnConstraint)
                       for k in c.args.get("constraints") or ())}
    assert required == {"id", "user_id", "occurred_on"}  # an array is never NOT NULL in BigQuery


def test_no_warehouse_table_no_files() -> None:
    assert warehouse_files(schema_of("table: t\ncolumns: [{name: id, type: integer}]\n"), "d") == {}
