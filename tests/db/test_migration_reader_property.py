"""The reader apply uses agrees with psql on every file schemac writes, marked or not.

Hypothesis makes names and comments out of the characters that trouble a SQL splitter (`$`,
quotes, semicolons, dashes, comment brackets, backslashes, dollar tags, line breaks, the marks
themselves); the migrations that create and then rename such objects run three ways: through
the reader at the marks, through the lexer (the marks taken out, as in a file from before them)
and through `psql -v ON_ERROR_STOP=1 -f`. The three catalogs must be equal.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from compiler.live.database import connect
from compiler.live.run_migration import run_migration
from compiler.model.names import identifier_problem
from compiler.model.schema import Schema
from compiler.plan.diff import plan
from compiler.sql.migration_file import MARK, is_marked
from compiler.sql.render import Renderer
from tests.conftest import create_database, drop_database
from tests.db.catalog import catalog, run_sql_file
from tests.helpers import schema_of

EXAMPLES = int(os.environ.get("SCHEMAC_READER_EXAMPLES", "25"))
PIECES = ["a", "b", "ü", " ", "$", "$x$", "$schemac$", ";", "'", '"', "--", "/*", "*/", "\\", "E'", "COMMIT;",
          "BEGIN;", "1", "_"]
names = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join).filter(
    lambda n: identifier_problem(n) is None and n.strip() == n)
texts = st.lists(st.sampled_from([*PIECES, "\n", "\n-- schemac:transaction\n", "-- schemac:statement"]),
                 max_size=8).map("".join)


@st.composite
def schema_pairs(draw) -> tuple[str, str]:
    table, renamed = draw(st.lists(names, min_size=2, max_size=2, unique=True))
    key, other, other_renamed = draw(st.lists(names, min_size=3, max_size=3, unique=True))
    label = draw(names)
    comment = draw(texts)

    def doc(name: str, was: str | None, col: str, col_was: str | None) -> str:
        table_doc = {"table": name, **({"renamed_from": was} if was else {}), "comment": comment,
                     "columns": [{"name": key, "type": "serial", "primary_key": True},
                                 {"name": col, **({"renamed_from": col_was} if col_was else {}), "type": "mood",
                                  "default": "'" + label.replace("'", "''") + "'", "comment": comment}]}
        enum_doc = {"enum": "mood", "values": [label, "other"] if label != "other" else [label]}
        return yaml.safe_dump(enum_doc, allow_unicode=True) + "---\n" + yaml.safe_dump(table_doc, allow_unicode=True)

    return doc(table, None, other, None), doc(renamed, table, other_renamed, other)


@pytest.fixture(scope="module")
def three(admin_url: str) -> Iterator[list[str]]:
    urls = [create_database(admin_url) for _ in range(3)]
    yield urls
    for url in urls:
        drop_database(admin_url, url)


def _unmarked(text: str) -> str:
    """A marked file as a file from before the marks (the lines taken out: no statement holds one)."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(MARK))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=schema_pairs())
def test_reader_and_psql_agree(three: list[str], pair: tuple[str, str]) -> None:
    a, b = (schema_of(text) for text in pair)
    files = [Renderer().migration("create", plan(Schema(), a), []), Renderer().migration("rename", plan(a, b), [])]
    for url in three:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    for text in files:
        note(text)
        with connect(three[0]) as conn:
            run_migration(conn, text, three[0])
        with connect(three[1]) as conn:
            run_migration(conn, _unmarked(text) if is_marked(text) else text, three[1])
        run_sql_file(three[2], text)
    marked, lexed, by_psql = (catalog(url) for url in three)
    assert marked == by_psql and lexed == by_psql
    assert len(by_psql["tables"]) == 1
