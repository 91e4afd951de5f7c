"""An enum may have the name of a primary key's index: types and indexes are different namespaces."""
from __future__ import annotations

from pathlib import Path

from tests.db.catalog import run_sql_file
from tests.db.test_apply import schemac


def test_an_enum_named_like_the_primary_key_index_is_imported_and_adopted(tmp_path: Path, database_url: str,
                                                                         capsys) -> None:
    run_sql_file(database_url, "CREATE TYPE t_pkey AS ENUM ('a', 'b'); "
                               "CREATE TABLE t (id int PRIMARY KEY, k t_pkey NOT NULL DEFAULT 'a')")
    code, _, err = schemac(tmp_path, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0 and "warning" not in err, err
    code, _, err = schemac(tmp_path, "compile", "-m", "initial", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "apply", "--baseline", "1", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
