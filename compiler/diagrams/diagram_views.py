"""Views and materialized views as the diagrams draw them: boxes like tables (their columns, a
materialized view's indexes), marked as views, with the relations each one reads."""
from __future__ import annotations

from ..model.schema import Column, Schema, Table

UNKNOWN_TYPE = "unknown"  # a column the query computes: its type is PostgreSQL's to tell (import knows it)


def view_tables(schema: Schema) -> list[Table]:
    """Each view as a table-shaped box, sorted as tables are (schema, name)."""
    return [Table(v.schema, v.name, tuple(Column(c.name, c.type or UNKNOWN_TYPE, comment=c.comment) for c in v.columns),
                  indexes=v.indexes, comment=v.comment)
            for v in sorted(schema.views.values(), key=lambda v: (v.schema, v.name))]


def view_reads(schema: Schema) -> list[tuple[str, str]]:
    """(view, relation it reads) pairs, in order: the dependencies a diagram draws."""
    return [(key, r) for key, v in sorted(schema.views.items()) if v.reading is not None
            for r in v.reading.relations if r in schema.tables or r in schema.views]
