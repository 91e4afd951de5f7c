"""A warehouse table's BigQuery CREATE TABLE, rendered through sqlglot's BigQuery dialect.

The model already holds what BigQuery may take (the definitions refuse the rest, with positions):
here each column becomes a ColumnDef of its mapped type (model/warehouse.py), NOT NULL (REQUIRED
mode) where PostgreSQL has it, comments become descriptions, and the table's partitioning and
clustering become PARTITION BY, CLUSTER BY and OPTIONS. sqlglot quotes what BigQuery needs quoted.
"""
from __future__ import annotations

import sqlglot
from sqlglot import exp

from ..model.schema import Column, Enum, Schema, Table
from ..model.types import enum_type_spelling
from ..model.warehouse import Warehouse, bigquery_type
from ..model.warehouse import bigquery_table_name as table_name_in_dataset
from ..model.warehouse import column_description as described

# how a time column is cut into partitions, by its BigQuery type; DATE(ts) is BigQuery's own day form
_TIME_PARTITION = {
    ("DATE", "day"): "{c}", ("DATE", "month"): "DATE_TRUNC({c}, MONTH)", ("DATE", "year"): "DATE_TRUNC({c}, YEAR)",
    ("TIMESTAMP", "day"): "TIMESTAMP_TRUNC({c}, DAY)", ("TIMESTAMP", "hour"): "TIMESTAMP_TRUNC({c}, HOUR)",
    ("TIMESTAMP", "month"): "TIMESTAMP_TRUNC({c}, MONTH)", ("TIMESTAMP", "year"): "TIMESTAMP_TRUNC({c}, YEAR)",
    ("DATETIME", "day"): "DATETIME_TRUNC({c}, DAY)", ("DATETIME", "hour"): "DATETIME_TRUNC({c}, HOUR)",
    ("DATETIME", "month"): "DATETIME_TRUNC({c}, MONTH)", ("DATETIME", "year"): "DATETIME_TRUNC({c}, YEAR)",
}
_PLACEHOLDER = "schemac_partition_column"


def bigquery_table_name(table: Table) -> str:
    """The table's name in the dataset: its own in public, `schema_name` from another schema."""
    return table_name_in_dataset(table.schema, table.name)


def enums_by_type(schema: Schema) -> dict[str, Enum]:
    """Each enum by how a column's type names it."""
    return {enum_type_spelling(e.schema, e.name): e for e in schema.enums.values()}


def create_table(table: Table, dataset: str | None, enums: dict[str, Enum]) -> exp.Create:
    """CREATE TABLE dataset.table (...) PARTITION BY ... CLUSTER BY ... OPTIONS (...); without a
    dataset, the table of the script's default dataset (a migration's: see warehouse/migration.py)."""
    assert table.warehouse is not None
    w = table.warehouse
    types = {c.name: bigquery_type(c.type, frozenset(enums)) for c in table.columns}
    held = w.held
    by_name = {c.name: c for c in table.columns}
    # the table as the migrations made it: its columns in the order they came, NULLABLE where BigQuery
    # could not make them REQUIRED
    ordered = table.columns if held is None else [by_name[n] for n in held.order]
    columns = [column_def(c, types[c.name], enums.get(c.type.removesuffix("[]")),
                          required=not c.nullable and (held is None or c.name not in held.nullable))
               for c in ordered]
    target = table_reference(table, dataset)
    properties: list[exp.Expression] = []
    if w.partition_by is not None:
        properties.append(exp.PartitionedByProperty(this=_partition(w, types[w.partition_by])))
    if w.cluster_by:
        properties.append(exp.Cluster(expressions=[exp.Column(this=exp.to_identifier(c)) for c in w.cluster_by]))
    options = table_options(table, w)
    if options:
        properties += options
    return exp.Create(this=exp.Schema(this=target, expressions=columns), kind="TABLE",
                      properties=exp.Properties(expressions=properties) if properties else None)


def table_reference(table: Table, dataset: str | None) -> exp.Table:
    return exp.Table(this=exp.to_identifier(bigquery_table_name(table)),
                     db=exp.to_identifier(dataset) if dataset is not None else None)


def render(statement: exp.Expression) -> str:
    """The statement as BigQuery SQL, one clause and one column a line, ending in `;`."""
    return statement.sql(dialect="bigquery", pretty=True) + ";\n"


def column_def(c: Column, bq_type: str, enum: Enum | None, required: bool) -> exp.ColumnDef:
    """The column, NOT NULL (REQUIRED) when `required`."""
    constraints = []
    # BigQuery has no NOT NULL array (a REPEATED field holds no NULL, only an empty array)
    if required and not bq_type.startswith("ARRAY<"):
        constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint()))
    description = column_description(c.comment, enum)
    if description is not None:
        constraints.append(exp.ColumnConstraint(kind=exp.Properties(expressions=[_option("description", description)])))
    return exp.ColumnDef(this=exp.to_identifier(c.name), kind=exp.DataType.build(bq_type, dialect="bigquery"),
                         constraints=constraints or None)


def column_description(comment: str | None, enum: Enum | None) -> str | None:
    """The comment, and an enum's labels (BigQuery holds the enum as STRING, so the labels are told)."""
    return described(comment, enum.values if enum is not None else None)


def _partition(w: Warehouse, bq_type: str) -> exp.Expression:
    column = exp.Column(this=exp.to_identifier(w.partition_by))
    if w.integer_range is not None:
        r = w.integer_range
        template = f"RANGE_BUCKET({_PLACEHOLDER}, GENERATE_ARRAY({r.start}, {r.end}, {r.interval}))"
    else:
        template = _TIME_PARTITION[(bq_type, w.granularity)].format(c=_PLACEHOLDER)
    parsed = sqlglot.parse_one(template, read="bigquery")
    return parsed.transform(lambda node: column.copy() if isinstance(node, exp.Column)
                            and node.name == _PLACEHOLDER else node)


def table_options(table: Table, w: Warehouse) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    if table.comment:
        out.append(_option("description", table.comment))
    if w.require_partition_filter:
        out.append(exp.Property(this=exp.var("require_partition_filter"), value=exp.true()))
    if w.partition_expiration_days is not None:
        out.append(exp.Property(this=exp.var("partition_expiration_days"),
                                value=exp.Literal.number(w.partition_expiration_days)))
    return out


def _option(name: str, text: str) -> exp.Property:
    return exp.Property(this=exp.var(name), value=exp.Literal.string(text))
