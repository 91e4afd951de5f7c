"""Hypothesis strategies for whole schemas with awkward names, for the diagram writers' tests.

Schemas are built straight from the model (no YAML), with the names and texts that trip ChartDB
and Mermaid: keywords, spaces, quotes, `%`, `[pk]`, `CREATE TABLE`, line separators.
"""
from __future__ import annotations

from hypothesis import strategies as st

from compiler.model.schema import (
    Check,
    Column,
    Enum,
    Expression,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    Unique,
)
from compiler.model.types import enum_type_spelling

TRICKY = ["end", "pk", "Fk", "user", "order", "to", "style", "one", "create table", "[pk]", "a b", "1st", "é",
          'say "hi"', "100%", "x.y", "u"]
# ChartDB trims schema and primary-key column names in the metadata format, so a name with outer
# spaces cannot keep its key there (a limit of that format, not of the emitter): names are trimmed.
names = st.one_of(st.sampled_from(TRICKY),
                  st.text(alphabet="abcxyz_ABZ09 -é.%\"[]", min_size=1, max_size=10).map(str.strip).filter(bool))
texts = st.one_of(st.none(), st.sampled_from(["Rows made by CREATE TABLE statements", "a [pk] here",
                                              "line\u2028Table x {", "drop table now", "ok", 'quote " and %',
                                              "create  index two spaces", "Ref: x", "tab\tnew\nline"]))
TYPES = ["integer", "bigint", "text", "character varying(255)", "character varying", "numeric(12,2)", "numeric",
         "timestamp with time zone", "timestamp(3) without time zone", "text[]", "character varying(64)[]",
         "boolean", "double precision", "uuid", "jsonb", "bit varying(5)", "character(1)", "interval", "serial",
         "bigserial", "time(6) with time zone", "integer[][]"]


SERIALS = {"serial": "integer", "bigserial": "bigint"}  # a serial column: its integer type and a flag


def expr(text: str) -> Expression:
    return Expression(text, (text,))


@st.composite
def schemas(draw: st.DrawFn, max_tables: int = 6) -> Schema:
    enum_list = []
    for name in draw(st.lists(names, max_size=2, unique=True)):
        enum_list.append(Enum(draw(st.sampled_from(["public", "billing"])), name,
                              tuple(draw(st.lists(names, min_size=1, max_size=3, unique=True)))))
    enums = {e.key: e for e in enum_list}
    types = TYPES + [enum_type_spelling(e.schema, e.name) for e in enum_list]
    schema_names = draw(st.sampled_from([["public"], ["public", "billing"], ["Sales Dept"]]))
    keys = draw(st.lists(st.tuples(st.sampled_from(schema_names), names), min_size=1, max_size=max_tables,
                         unique=True))
    counter = iter(range(10_000))
    tables: dict[str, Table] = {}
    for schema, name in keys:
        col_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
        spelled = [draw(st.sampled_from(types)) for _ in col_names]
        columns = tuple(Column(c, SERIALS.get(kind, kind), nullable=draw(st.booleans()),
                               default=draw(st.one_of(st.none(), st.sampled_from([expr("now()"), expr("'x'")]))),
                               identity=draw(st.sampled_from([None, None, "always", "by default"])),
                               comment=draw(texts), serial=kind in SERIALS)
                        for c, kind in zip(col_names, spelled, strict=True))
        pk_size = draw(st.integers(0, min(2, len(columns))))
        pk = PrimaryKey(f"pk_{next(counter)}", tuple(col_names[:pk_size])) if pk_size else None
        uniques = tuple(Unique(f"uq_{next(counter)}", tuple(draw(st.lists(st.sampled_from(col_names), min_size=1,
                                                                             max_size=2, unique=True))))
                        for _ in range(draw(st.integers(0, 2))))
        indexes = []
        for _ in range(draw(st.integers(0, 2))):
            parts = [IndexPart(column=c) for c in draw(st.lists(st.sampled_from(col_names), max_size=2, unique=True))]
            if draw(st.booleans()) or not parts:
                parts.append(IndexPart(expression=expr("lower(x)")))
            indexes.append(Index(f"ix_{next(counter)}", tuple(parts), unique=draw(st.booleans()),
                                 using=draw(st.sampled_from(["btree", "gin", "bloom"])),
                                 where=draw(st.sampled_from([None, expr("x > 0")]))))
        checks = tuple(Check(f"ck_{next(counter)}", expr(draw(st.sampled_from(["x > 0", "CREATE TABLE <> ''"]))))
                       for _ in range(draw(st.integers(0, 1))))
        tables[f"{schema}.{name}"] = Table(schema, name, columns, pk, uniques, checks, (), tuple(indexes),
                                           comment=draw(texts))
    # foreign keys to other tables' primary keys (or the table itself)
    for key, t in list(tables.items()):
        targets = [r for r in tables.values() if r.primary_key and len(r.primary_key.columns) <= len(t.columns)]
        if not targets or not draw(st.booleans()):
            continue
        ref = draw(st.sampled_from(targets))
        assert ref.primary_key is not None
        cols = tuple(c.name for c in t.columns[-len(ref.primary_key.columns):])
        fk = ForeignKey(f"fk_{next(counter)}", cols, ref.schema, ref.name, ref.primary_key.columns)
        tables[key] = Table(t.schema, t.name, t.columns, t.primary_key, t.uniques, t.checks, (fk,), t.indexes,
                            t.comment)
    return Schema(tables=tables, enums=enums)
