"""partition_by and partitions: what the builder reads, each problem at its file:line:col, and the
catalog texts of PostgreSQL read back into the same model."""
from __future__ import annotations

import textwrap

import pytest

from compiler.definitions.build import build_schema
from compiler.definitions.load import load_text
from compiler.diagrams.chartdb import diagram_document
from compiler.diagrams.mermaid import schema_markdown
from compiler.errors import DefinitionError, DefinitionErrors
from compiler.live.partition_catalog import parse_bound, parse_key
from compiler.model.expressions import make_expression
from compiler.model.partitions import KeyPart, Partition, PartitionBound, PartitionKey
from compiler.plan import changes as ch
from compiler.plan.diff import diff
from compiler.sql.state import State, dump_state, load_state
from tests.helpers import schema_of
from tests.partition_cases import PARTITION_CASES

PATH = "definitions/t.yaml"

HEAD = """
table: t
columns:
  - {name: a, type: integer, nullable: false}
  - {name: b, type: text}
  - {name: d, type: date, nullable: false}
"""


def errors_of(text: str) -> list[DefinitionError]:
    found: list[DefinitionError] = []
    docs = load_text(text, PATH, found)
    with pytest.raises(DefinitionErrors) as e:
        build_schema(docs, found)
    return e.value.errors


def at(text: str, marked: str) -> tuple[int, int]:
    """Line and column of the '^' in `marked` (else its start), `marked` found once in `text`."""
    needle = marked.replace("^", "", 1)
    assert text.count(needle) == 1, needle
    i = text.index(needle) + (marked.index("^") if "^" in marked else 0)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


# (the YAML after HEAD, where the error points ('^' marks the column), the message or its telling part)
BAD = {
    "partitions without a key": ("partitions:\n  - {name: t1, in: [1]}\n", "partitions:",
                                 "table t has 'partitions' but no 'partition_by'"),
    "unknown method": ("partition_by: {method: interval, columns: [a]}\n", "interval",
                       "'method' must be one of range, list, hash, not 'interval'"),
    "no such key column": ("partition_by: {method: range, columns: [{column: x}]}\n", "x}",
                           "partition key column 'x' is not a column of t"),
    "expression over no column": ("partition_by: {method: range, columns: [\"lower(zz)\"]}\n", "\"lower(zz)\"",
                                  "refers to zz, which is not a column of t"),
    "list over two columns": ("partition_by: {method: list, columns: [a, b]}\n", "[a, b]",
                              "a list partition key has one column or expression, not 2"),
    "bound of another method": ("partition_by: {method: list, columns: [a]}\npartitions:\n"
                                "  - {name: t1, from: [1], to: [2]}\n", "from:",
                                "'from' does not bound a partition of a list-partitioned table; write 'in'"),
    "range without its end": ("partition_by: {method: range, columns: [a]}\npartitions:\n  - {name: t1, from: [1]}\n",
                              "{name: t1", "partition t1 needs 'from' and 'to'"),
    "too few values": ("partition_by: {method: range, columns: [a, d]}\npartitions:\n"
                       "  - {name: t1, from: [1], to: [2, 2024-01-01]}\n", "[1]",
                       "'from' of partition t1 has 1 value(s) but the partition key has 2 column(s)"),
    "a value after MINVALUE": ("partition_by: {method: range, columns: [a, d]}\npartitions:\n"
                               "  - {name: t1, from: [MINVALUE, 2024-01-01], to: [2, 2024-01-01]}\n",
                               "[MINVALUE", "every value after MINVALUE must be MINVALUE too"),
    "null in a range": ("partition_by: {method: range, columns: [a]}\npartitions:\n"
                        "  - {name: t1, from: [null], to: [2]}\n", "null]",
                        "'from' of partition t1 cannot hold null"),
    "an empty range": ("partition_by: {method: range, columns: [a]}\npartitions:\n"
                       "  - {name: t1, from: [5], to: [2]}\n", "[2]", "the range is empty"),
    "overlapping ranges": ("partition_by: {method: range, columns: [d]}\npartitions:\n"
                           "  - {name: t1, from: [2024-01-01], to: [2025-01-01]}\n"
                           "  - {name: t2, from: [2024-06-01], to: [2026-01-01]}\n", "{name: t2",
                           "partition t2 overlaps partition t1"),
    "a value in two lists": ("partition_by: {method: list, columns: [b]}\npartitions:\n"
                             "  - {name: t1, in: [x, null]}\n  - {name: t2, in: [y, null]}\n", "{name: t2",
                             "partition t2: value null is already in partition t1"),
    "a value twice in one list": ("partition_by: {method: list, columns: [b]}\npartitions:\n"
                                  "  - {name: t1, in: [x, x]}\n", "x]}", "value 'x' appears twice"),
    "two defaults": ("partition_by: {method: list, columns: [b]}\npartitions:\n"
                     "  - {name: t1, default: true}\n  - {name: t2, default: true}\n", "{name: t2",
                     "table t has two default partitions (t1 and t2); it can have one"),
    "default and a bound": ("partition_by: {method: list, columns: [b]}\npartitions:\n"
                            "  - {name: t1, default: true, in: [x]}\n", "in:",
                            "partition t1 is the default partition: it takes no 'in'"),
    "a default hash partition": ("partition_by: {method: hash, columns: [a]}\npartitions:\n"
                                 "  - {name: t1, default: true}\n", "default:",
                                 "a hash-partitioned table cannot have a default partition"),
    "remainder past the modulus": ("partition_by: {method: hash, columns: [a]}\npartitions:\n"
                                   "  - {name: t1, modulus: 4, remainder: 4}\n", "4}",
                                   "'remainder' of partition t1 must be from 0 to 3"),
    "a modulus of zero": ("partition_by: {method: hash, columns: [a]}\npartitions:\n"
                          "  - {name: t1, modulus: 0, remainder: 0}\n", "0, rem",
                          "'modulus' of partition t1 must be a positive whole number"),
    "moduli that do not divide": ("partition_by: {method: hash, columns: [a]}\npartitions:\n"
                                  "  - {name: t1, modulus: 4, remainder: 0}\n  - {name: t2, modulus: 6, remainder: 1}\n",
                                  "{name: t2", "every modulus must be a factor of the next larger modulus"),
    "two hash partitions for one remainder": ("partition_by: {method: hash, columns: [a]}\npartitions:\n"
                                              "  - {name: t1, modulus: 2, remainder: 0}\n"
                                              "  - {name: t2, modulus: 4, remainder: 2}\n", "{name: t2",
                                              "both take the rows of remainder 2 modulo 4"),
    "a key without the partition column": ("primary_key: [a]\npartition_by: {method: range, columns: [d]}\n",
                                           "primary_key: ^[a]",
                                           "primary key t_pkey of partitioned table t lacks partition key column d"),
    "a unique index without it": ("indexes:\n  - {columns: [a], unique: true}\n"
                                  "partition_by: {method: range, columns: [d]}\n", "{columns: [a]",
                                  "unique index t_a_idx of partitioned table t lacks partition key column d"),
    "a key over an expression key": ("unique: [[a]]\npartition_by: {method: range, columns: [\"a + 1\"]}\n",
                                     "[a]]", "its partition key has an expression"),
    "an exclusion": ("exclusions:\n  - {elements: [{column: a, with: \"=\"}], using: btree}\n"
                     "partition_by: {method: range, columns: [a]}\n", "{elements",
                     "PostgreSQL 15 does not support exclusion constraints on partitioned tables"),
    "a foreign key added online": ("foreign_keys:\n  - {columns: [a], references: {table: t, columns: [a]}, "
                                   "online: true}\nunique: [[a, d]]\npartition_by: {method: range, columns: [d]}\n",
                                   "{columns: [a], references",
                                   "cannot add a NOT VALID foreign key on a partitioned table"),
    "a partition named as a table": ("partition_by: {method: list, columns: [b]}\npartitions:\n"
                                     "  - {name: t, in: [x]}\n", "t, in", "partition public.t has the name of table t"),
    "sub-partitions without a key": ("partition_by: {method: list, columns: [b]}\npartitions:\n"
                                     "  - {name: t1, in: [x], partitions: [{name: t11, in: [1]}]}\n", "partitions: [",
                                     "partition t1 has 'partitions' but no 'partition_by'"),
    "a word on an integer key": ("partition_by: {method: range, columns: [a]}\npartitions:\n"
                                 "  - {name: t1, from: abc, to: 10}\n", "abc",
                                 "'from' of partition t1: 'abc' is no value of the key's type integer "
                                 "(PostgreSQL: invalid input syntax for type integer)"),
    "a day that is not a date": ("partition_by: {method: range, columns: [a, d]}\npartitions:\n"
                                 "  - {name: t1, from: [1, 2024-01-01], to: [1, 2024-02-30]}\n", "2024-02-30",
                                 "'to' of partition t1: '2024-02-30' is no value of the key's type date"),
    "a word on a date key": ("partition_by: {method: range, columns: [d]}\npartitions:\n"
                             "  - {name: t1, from: [2024-01-01], to: [someday]}\n", "someday",
                             "(PostgreSQL: invalid input syntax for type date)"),
    "a list value the key cannot read": ("partition_by: {method: list, columns: [a]}\npartitions:\n"
                                         "  - {name: t1, in: [1, x]}\n", "x]",
                                         "'in' of partition t1: 'x' is no value of the key's type integer"),
    "one integer written twice": ("partition_by: {method: list, columns: [a]}\npartitions:\n"
                                  "  - {name: t1, in: [\"02\", 2]}\n", "2]}",
                                  "value '2' appears twice in 'in' of partition t1 (as integer, '02' is the same "
                                  "value)"),
    "one integer in two lists": ("partition_by: {method: list, columns: [a]}\npartitions:\n"
                                 "  - {name: t1, in: [3]}\n  - {name: t2, in: [\"+3\"]}\n", "{name: t2",
                                 "partition t2: value '+3' is already in partition t1"),
    "MINVALUE in a list": ("partition_by: {method: list, columns: [a]}\npartitions:\n"
                           "  - {name: t1, in: [1, MINVALUE]}\n", "MINVALUE",
                           "'in' of partition t1: MINVALUE bounds a range partition only"),
    "maxvalue in a list by an expression": ("partition_by: {method: list, columns: [\"lower(b)\"]}\npartitions:\n"
                                            "  - {name: t1, in: [maxvalue]}\n", "maxvalue",
                                            "'in' of partition t1: MAXVALUE bounds a range partition only"),
    "a modulus past an integer": ("partition_by: {method: hash, columns: [a]}\npartitions:\n"
                                  "  - {name: t1, modulus: 3000000000, remainder: 0}\n", "3000000000",
                                  "'modulus' of partition t1 must be at most 2147483647"),
    "one date in two lists": ("partition_by: {method: list, columns: [d]}\npartitions:\n"
                              "  - {name: t1, in: [2024-01-05]}\n  - {name: t2, in: [\"2024-1-5\"]}\n", "{name: t2",
                              "partition t2: value '2024-1-5' is already in partition t1"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_problem_is_reported_where_it_is_written(case: str) -> None:
    rest, marked, message = BAD[case]
    text = textwrap.dedent(HEAD).lstrip("\n") + rest
    found = errors_of(text)
    line, col = at(text, marked)
    assert [(e.path, e.line, e.col) for e in found if message in e.message] == [(PATH, line, col)], found


def test_what_is_read() -> None:
    t = schema_of(textwrap.dedent(HEAD).lstrip("\n") + textwrap.dedent("""
        partition_by: {method: range, columns: [a, {expression: "lower(b)", collation: C, opclass: text_pattern_ops}]}
        partitions:
          - {name: t_low, schema: archive, from: [minvalue, MINVALUE], to: [10, x], comment: Low.}
          - {name: t_high, from: [10, x], to: [MAXVALUE, MAXVALUE], partition_by: {method: list, columns: d},
             partitions: [{name: t_high_2024, in: [2024-01-01, null, 2023-01-01]}, {name: t_high_rest, default: true}]}
        """)).tables["public.t"]
    assert t.partition_by == PartitionKey("range", (KeyPart(column="a"), KeyPart(
        expression=make_expression("lower(b)"), collation="C", opclass="text_pattern_ops")))
    assert t.partitions == (  # by schema and name, as introspection reads them
        Partition("archive", "t_low", PartitionBound(lower=("MINVALUE", "MINVALUE"), upper=("10", "x")), "Low."),
        Partition("public", "t_high", PartitionBound(lower=("10", "x"), upper=("MAXVALUE", "MAXVALUE")), None,
                  PartitionKey("list", (KeyPart(column="d"),)),
                  (Partition("public", "t_high_2024", PartitionBound(values=(None, "2023-01-01", "2024-01-01"))),
                   Partition("public", "t_high_rest", PartitionBound(default=True)))))


@pytest.mark.parametrize("case", sorted(PARTITION_CASES))
def test_state_json_keeps_every_partition_case(case: str) -> None:
    for text in PARTITION_CASES[case]:
        schema = schema_of(textwrap.dedent(text)) if text else None
        if schema is not None:
            assert load_state(dump_state(State(schema))).schema == schema


def test_keys_and_bounds_as_postgresql_prints_them() -> None:
    key = parse_key('RANGE (a, lower(b) COLLATE "C" text_pattern_ops, ((a + 1)), "Odd col" public."my ops")',
                    lambda text: make_expression(text))
    assert key == PartitionKey("range", (
        KeyPart(column="a"), KeyPart(expression=make_expression("lower(b)"), collation="C", opclass="text_pattern_ops"),
        KeyPart(expression=make_expression("(a + 1)")), KeyPart(column="Odd col", opclass="public.my ops")))
    assert parse_bound("FOR VALUES FROM ('-1', MINVALUE) TO (10, MAXVALUE)") == PartitionBound(
        lower=("-1", "MINVALUE"), upper=("10", "MAXVALUE"))
    assert parse_bound("FOR VALUES IN ('x', NULL, 'it''s, or not', 1.50, true)") == PartitionBound(
        values=(None, "1.50", "it's, or not", "true", "x"))
    assert parse_bound("FOR VALUES WITH (modulus 8, remainder 5)") == PartitionBound(modulus=8, remainder=5)
    assert parse_bound("DEFAULT") == PartitionBound(default=True)


def test_diagrams_draw_a_partitioned_table_once_and_no_partition() -> None:
    text = PARTITION_CASES["partitioned_tables_created"][1]
    s = schema_of(textwrap.dedent(text))
    drawn = sorted(t["name"] for t in diagram_document(s)["tables"])
    assert drawn == ["accounts", "events", "names", "payments", "readings"]
    markdown = schema_markdown(s)
    assert "readings {" in markdown and "readings_low" not in markdown and "accounts_0" not in markdown


@pytest.mark.parametrize(("before", "after", "reason"), [
    ("{name: b, type: varchar(5)}", "{name: b, type: text}", "to change the type of its partition key column b"),
    ('columns: ["lower(b)"]', "columns: [b]", "for its new partition key"),
    ("method: list", "method: hash", "for its new partition key"),
])
def test_what_postgresql_cannot_change_in_place_builds_the_table_again(before: str, after: str, reason: str) -> None:
    text = textwrap.dedent("""
        table: t
        columns:
          - {name: a, type: integer}
          - {name: b, type: varchar(5)}
        partition_by: {method: list, columns: ["lower(b)"]}
        """)
    hashed = "partitions:\n  - {name: t1, modulus: 1, remainder: 0}\n" if after == "method: hash" else ""
    found = diff(schema_of(text), schema_of(text.replace(before, after) + hashed))
    assert [c.kind for c in found][:2] == ["DropTable", "CreateTable"]
    assert isinstance(found[0], ch.DropTable) and found[0].rebuilt_for == reason
    assert found[0].data_loss == f"drop and create table public.t again, {reason}: its rows are lost"
