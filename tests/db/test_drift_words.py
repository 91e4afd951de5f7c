"""drift says one accurate thing per difference, and marks what would drop data."""
from __future__ import annotations

from pathlib import Path

from tests.db.catalog import run_sql_file
from tests.db.test_apply import schemac
from tests.helpers import write_definitions

T = """
table: t
columns:
  - {name: id, type: integer, nullable: false}
  - {name: status, type: text, nullable: false, default: "'new'"}
  - {name: n, type: integer, default: 0}
"""


def applied(tmp_path: Path, url: str, capsys) -> Path:
    write_definitions(tmp_path, {"t.yaml": T})
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, _, err = schemac(tmp_path, "apply", "--database-url", url, capsys=capsys)
    assert code == 0, err
    return tmp_path


def drift(project: Path, url: str, capsys) -> tuple[list[str], str]:
    code, out, err = schemac(project, "drift", "--database-url", url, capsys=capsys)
    assert code == 1, out + err
    words = [line.removeprefix("  - ") for line in out.splitlines() if line.startswith("  - ")]
    return words, out


def test_a_hand_renamed_column_is_a_destructive_drop_that_may_be_a_rename(tmp_path: Path, database_url: str,
                                                                          capsys) -> None:
    project = applied(tmp_path, database_url, capsys)
    run_sql_file(database_url, 'ALTER TABLE t RENAME COLUMN id TO "ID"')
    words, out = drift(project, database_url, capsys)
    assert words == [
        "column public.t.ID is not in the definitions (its data would be dropped); it may be column id "
        "renamed by hand (renaming it back keeps the data)",
        "column public.t.id is missing"]
    assert ('\n-- DESTRUCTIVE, review before running: drop column public.t.ID (integer): its data is lost; '
            'it may be column id renamed by hand (renaming it back keeps the data)\n') in out
    assert 'DROP COLUMN "ID"' in out


def test_a_type_changed_by_hand_is_one_difference_of_type_and_none_of_default(tmp_path: Path, database_url: str,
                                                                               capsys) -> None:
    project = applied(tmp_path, database_url, capsys)
    run_sql_file(database_url, "ALTER TABLE t ALTER COLUMN status TYPE varchar(20), ALTER COLUMN n TYPE text")
    words, _ = drift(project, database_url, capsys)
    assert words == ["column public.t.status has another type", "column public.t.n has another type"]


def test_a_type_and_default_changed_by_hand_say_each_once(tmp_path: Path, database_url: str, capsys) -> None:
    project = applied(tmp_path, database_url, capsys)
    run_sql_file(database_url, "ALTER TABLE t ALTER COLUMN n TYPE text, ALTER COLUMN n SET DEFAULT 'seven', "
                               "ALTER COLUMN status TYPE varchar(20), ALTER COLUMN status DROP DEFAULT")
    words, out = drift(project, database_url, capsys)
    assert sorted(words) == ["column public.t.n has another type",
                             "column public.t.n has the default 'seven'::text but should have 0",
                             "column public.t.status has another type",
                             "column public.t.status has no default but should have 'new'::text"]
    assert "SET DEFAULT 'new'::text;" in out and "SET DEFAULT 0;" in out
