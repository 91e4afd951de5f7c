"""Defaults of every expression form apply: a column definition takes only a restricted form after
DEFAULT, so anything beyond a literal, a call or a cast is written in brackets."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.db.catalog import run_sql_file
from tests.helpers import run_cli, write_definitions

DEFAULTS = [
    ("timestamp", "now() at time zone 'utc'"),
    ("boolean", "NOT false"),
    ("boolean", "1 IS NULL"),
    ("boolean", "1 BETWEEN 0 AND 2"),
    ("boolean", "'a' LIKE 'b'"),
    ("boolean", "true AND false"),
    ("boolean", "1 IN (1, 2)"),
    ("text", "'a' || 'b'"),
    ("text", "'x' COLLATE \"C\""),
    ("integer", "-1"),
    ("integer", "1 + 2"),
    ("timestamptz", "now()"),
]


def _table(with_defaults: bool) -> str:
    cols = ["  - {name: id, type: integer, primary_key: true}"]
    if with_defaults:
        cols += [f"  - name: c{i}\n    type: {t}\n    default: {json.dumps(d)}" for i, (t, d) in enumerate(DEFAULTS)]
    return "table: t\ncolumns:\n" + "\n".join(cols) + "\n"


@pytest.mark.parametrize("added_later", [False, True], ids=["create_table", "add_column"])
def test_every_default_form_applies_with_psql_and_apply(tmp_path: Path, capsys, database_url: str,
                                                         second_database_url: str, added_later: bool) -> None:
    if added_later:
        write_definitions(tmp_path, {"t.yaml": _table(False)}, exact=True)
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"t.yaml": _table(True)}, exact=True)
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 0, err
    newest = sorted((tmp_path / "generated" / "migrations").glob("0*.sql"))[-1].read_text()
    assert "DEFAULT (now() at time zone 'utc')" in newest
    assert "DEFAULT now()" in newest and "DEFAULT -1" in newest  # simple forms stay as written
    for f in sorted((tmp_path / "generated" / "migrations").glob("0*.sql")):
        run_sql_file(second_database_url, f.read_text())  # as a user runs it by hand
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out + err
