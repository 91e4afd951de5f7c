"""import names every object of a kind schemac does not manage, and every table property it does
not write: one warning each, and what it writes still compiles and applies."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.db.catalog import run_sql_file
from tests.helpers import run_cli

SKIPPED = "not managed by schemac; skipped"
KINDS = {
    "operator": ("""
        CREATE FUNCTION same(a int, b int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT a = b';
        CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = same);
        CREATE OPERATOR !!! (RIGHTARG = int, FUNCTION = abs);""",
                 [f"public.===(integer, integer): operator, {SKIPPED}", f"public.!!!(NONE, integer): operator, {SKIPPED}"]),
    "cast": ("""
        CREATE TYPE color AS ENUM ('red');
        CREATE FUNCTION color_number(c color) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 1';
        CREATE CAST (color AS integer) WITH FUNCTION color_number(color);""",
             [f"cast (color AS integer): cast, {SKIPPED}"]),
    "text search": ("""
        CREATE TEXT SEARCH DICTIONARY plain_words (TEMPLATE = simple);
        CREATE TEXT SEARCH CONFIGURATION my_english (COPY = english);""",
                    [f"public.my_english: text search configuration, {SKIPPED}",
                     f"public.plain_words: text search dictionary, {SKIPPED}"]),
    "foreign data": ("""
        CREATE FOREIGN DATA WRAPPER elsewhere;
        CREATE SERVER far_away FOREIGN DATA WRAPPER elsewhere;
        CREATE USER MAPPING FOR PUBLIC SERVER far_away;
        CREATE FOREIGN TABLE remote (id int) SERVER far_away;""",
                     [f"elsewhere: foreign-data wrapper, {SKIPPED}", f"far_away: foreign server, {SKIPPED}",
                      f"public.remote: foreign table, {SKIPPED}",
                      f"user mapping for PUBLIC on server far_away: user mapping, {SKIPPED}"]),
    "statistics": ("""
        CREATE TABLE measured (a int, b int);
        CREATE STATISTICS measured_ab (dependencies) ON a, b FROM measured;""",
                   [f"public.measured_ab on public.measured: extended statistics, {SKIPPED}"]),
    "replica identity": ("""
        CREATE TABLE replicated_full (id int PRIMARY KEY);
        ALTER TABLE replicated_full REPLICA IDENTITY FULL;
        CREATE TABLE replicated_by_index (id int NOT NULL);
        CREATE UNIQUE INDEX replicated_id ON replicated_by_index (id);
        ALTER TABLE replicated_by_index REPLICA IDENTITY USING INDEX replicated_id;
        CREATE TABLE replicated_nothing (id int);
        ALTER TABLE replicated_nothing REPLICA IDENTITY NOTHING;""",
                         ["public.replicated_by_index: replica identity using index replicated_id (not written)",
                          "public.replicated_full: replica identity full (not written)",
                          "public.replicated_nothing: replica identity nothing (not written)"]),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_import_names_what_it_cannot_manage_and_the_rest_applies(
        tmp_path: Path, database_url: str, second_database_url: str, capsys: pytest.CaptureFixture[str],
        kind: str) -> None:
    sql, expected = KINDS[kind]
    run_sql_file(database_url, "CREATE TABLE kept (id int PRIMARY KEY);" + sql)
    code, _, err = run_cli(tmp_path, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    warnings = sorted(line.removeprefix("warning: ") for line in err.splitlines() if line.startswith("warning: "))
    assert warnings == sorted(expected), err
    code, out, err = run_cli(tmp_path, capsys, "compile")
    assert code == 0, out + err
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", second_database_url)
    assert code == 0, err
    assert (tmp_path / "definitions" / "kept.yaml").is_file()
