"""Reading a migration file back: at schemac's marks, or (older files) by PostgreSQL's lexical rules."""
from __future__ import annotations

import pytest

from compiler.model.schema import Schema
from compiler.plan.diff import plan
from compiler.plan.order import Block, BlockKind, Plan
from compiler.sql.migration_file import is_marked, segments
from compiler.sql.render import Renderer
from tests.helpers import schema_of


def _sql(parts) -> list[str]:
    return [p.sql.strip() for p in parts]


@pytest.mark.parametrize(("text", "expected"), [
    # `$` inside an identifier opens no dollar quote, nor does a parameter
    ("BEGIN;\nCREATE TABLE a$b$c (x$ int);\nSELECT ';';\nCOMMIT;\n",
     ["CREATE TABLE a$b$c (x$ int);\nSELECT ';';"]),
    ("BEGIN;\nPREPARE p AS SELECT $1;\nCOMMIT;\nBEGIN;\nSELECT 1;\nCOMMIT;\n",
     ["PREPARE p AS SELECT $1;", "SELECT 1;"]),
    # a dollar-quoted body whose tag also appears in a quoted name
    ('BEGIN;\nCREATE TABLE "t$x$" (a int);\nDO $x$ BEGIN PERFORM \'COMMIT;\'; END $x$;\nCOMMIT;\n',
     ['CREATE TABLE "t$x$" (a int);\nDO $x$ BEGIN PERFORM \'COMMIT;\'; END $x$;']),
    ("BEGIN;\nDO $ü$ BEGIN\nCOMMIT;\nEND $ü$;\nCOMMIT;\n", ["DO $ü$ BEGIN\nCOMMIT;\nEND $ü$;"]),
    # comments nest, and hold quotes, dashes and semicolons
    ("BEGIN;\n/* a /* b; ' */ -- c; */ SELECT 1;\nCOMMIT;\n", ["/* a /* b; ' */ -- c; */ SELECT 1;"]),
    ("BEGIN;\n-- it's; /* not closed\nSELECT 2;\nCOMMIT;\n", ["-- it's; /* not closed\nSELECT 2;"]),
    # escape strings: a backslash-escaped quote and a doubled one
    ("BEGIN;\nSELECT E'a\\';COMMIT;', E'b''c;';\nCOMMIT;\n", ["SELECT E'a\\';COMMIT;', E'b''c;';"]),
    # names with semicolons and quotes
    ('BEGIN;\nCREATE TABLE "a;""COMMIT;" (x int);\nCOMMIT;\n', ['CREATE TABLE "a;""COMMIT;" (x int);']),
])
def test_files_without_marks_are_split_as_postgresql_reads_them(text: str, expected: list[str]) -> None:
    assert not is_marked(text)
    parts = segments(text)
    assert all(p.transactional for p in parts)
    assert _sql(parts) == expected


WEIRD = """
enum: mood
values: [happy, "-- schemac:transaction"]
---
table: "t$schemac$"
comment: "one\\n-- schemac:transaction\\nCOMMIT;"
columns:
  - {name: "a;b", type: serial}
"""


def test_a_rendered_file_is_read_at_its_marks() -> None:
    old = schema_of("table: t\ncolumns:\n  - {name: id, type: serial}\n")
    new = schema_of("enum: e\nvalues: [a]\n---\ntable: u\nrenamed_from: t\ncolumns:\n  - {name: id, type: serial}\n"
                    "  - {name: x, type: e, default: \"'a'\"}\n")
    text = Renderer().migration("t", plan(old, new), [])
    assert is_marked(text)
    (part,) = segments(text)
    assert part.transactional and "BEGIN;" not in part.sql and "COMMIT;" not in part.sql
    assert [s.splitlines()[0] for s in part.statements] == [
        "-- schemac:statement CreateEnum public.e", "-- schemac:statement RenameTable public.t",
        "-- schemac:statement RenameColumnSequence public.t_id_seq", "-- schemac:statement AddColumn public.u.x"]


def test_a_file_whose_text_holds_a_mark_is_written_without_marks_and_read_by_the_lexer() -> None:
    text = Renderer().migration("t", plan(Schema(), schema_of(WEIRD)), [], pinned=())
    assert not is_marked(text)
    (part,) = segments(text)
    assert part.sql.startswith("-- CreateEnum") and part.sql.rstrip().endswith("'one\n-- schemac:transaction\nCOMMIT;';")


def test_only_the_header_can_say_a_file_is_marked() -> None:
    assert not is_marked("-- title\n\nBEGIN;\n-- schemac:marked\nCOMMIT;\n")


def test_a_marked_file_without_statements_is_one_empty_transaction() -> None:
    text = Renderer().migration("nothing", plan(Schema(), Schema()), [], pinned=())
    assert is_marked(text)
    assert [(p.sql.strip(), p.statements) for p in segments(text)] == [("", ())]


def test_a_block_outside_a_transaction_is_marked_and_read_back_statement_by_statement() -> None:
    """The plan's blocks come back as apply's segments: an outside-transaction block without
    BEGIN/COMMIT, its statements apart (each runs on its own), psql -f running the same text."""
    changes = plan(Schema(), schema_of("table: t\ncolumns:\n  - {name: id, type: int}\nindexes:\n  - columns: [id]\n"
                                       "  - columns: [id]\n    name: t_id_2\n")).changes
    table, indexes = changes[0], tuple(changes[1:])
    blocks = (Block(BlockKind.TRANSACTION, (table,)), Block(BlockKind.OUTSIDE_TRANSACTION, indexes, "one by one"))
    text = Renderer().migration("t", Plan(blocks), [], pinned=())
    assert text.count("BEGIN;") == 1 and "-- schemac:outside-transaction\n-- one by one\n\n-- schemac:statement" in text
    first, second = segments(text)
    assert first.transactional and not second.transactional
    assert [s.splitlines()[0] for s in second.statements] == [
        "-- schemac:statement CreateIndex public.t_id_2", "-- schemac:statement CreateIndex public.t_id_idx"]
    assert all(s.endswith(";") for s in second.statements)
