"""PostgreSQL's one-byte `"char"` type through import, compile, apply and drift."""
from __future__ import annotations

from pathlib import Path

import psycopg
import yaml

from tests.db.catalog import run_sql_file
from tests.db.test_apply import schemac


def test_a_char_column_goes_through_import_compile_apply_and_drift(tmp_path: Path, database_url: str,
                                                                     second_database_url: str, capsys) -> None:
    run_sql_file(database_url, """CREATE TABLE flags (id int PRIMARY KEY, kind "char" NOT NULL DEFAULT 'a',
                                                      kinds "char"[], letter char)""")
    code, _, err = schemac(tmp_path, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0 and "warning" not in err, err
    written = yaml.safe_load((tmp_path / "definitions" / "flags.yaml").read_text())
    assert [c["type"] for c in written["columns"]] == ["integer", '"char"', '"char"[]', "char(1)"]
    code, _, err = schemac(tmp_path, "compile", "-m", "initial", capsys=capsys)
    assert code == 0, err
    up = (tmp_path / "generated" / "migrations" / "001_initial.sql").read_text()
    assert 'kind "char" DEFAULT' in up and 'kinds "char"[]' in up and "letter character(1)" in up
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err  # the imported database: the same schema, nothing recorded yet
    code, _, err = schemac(tmp_path, "apply", "--database-url", second_database_url, capsys=capsys)
    assert code == 0, err
    with psycopg.connect(second_database_url) as conn:
        assert conn.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                            "WHERE attrelid = 'flags'::regclass AND attname = 'kind'").fetchone() == ('"char"',)
    code, out, err = schemac(tmp_path, "drift", "--database-url", second_database_url, capsys=capsys)
    assert code == 0, out + err
