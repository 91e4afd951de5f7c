"""Every keyword PostgreSQL lists as a column name: in a check, a generated column, an index expression
and an index predicate, imported, compiled, applied to a fresh database: the same catalog, no drift."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import psycopg
import pytest

from compiler.model.names import quote_ident
from tests.db.catalog import catalog, run_sql_file
from tests.helpers import run_cli


def keyword_tables(url: str) -> str:
    """One wide table per keyword category, a column per keyword."""
    with psycopg.connect(url) as conn:
        words = conn.execute("SELECT word, catcode FROM pg_get_keywords() ORDER BY 1").fetchall()
    by_category: dict[str, list[str]] = defaultdict(list)
    for word, category in words:
        by_category[category].append(word)
    assert sorted(by_category) == ["C", "R", "T", "U"] and len(words) > 400
    sql = []
    for category, names in sorted(by_category.items()):
        table = f"keywords_{category.lower()}"
        columns = []
        for word in names:
            q = quote_ident(word)
            columns.append(f"{q} integer CHECK ({q} > 0 AND lower({q}::text) <> 'x' AND {q} <> ALL (ARRAY[7, 8]))")
            columns.append(f'"{word}_twice" integer GENERATED ALWAYS AS ({q} * 2) STORED')
        sql.append(f"CREATE TABLE {table} (\n  " + ",\n  ".join(columns) + "\n);")
        sql += [f"CREATE INDEX ON {table} (({quote_ident(w)} + 1)) WHERE {quote_ident(w)} IS NOT NULL;"
                for w in names]
    return "\n".join(sql)


def test_every_keyword_as_a_column_round_trips(tmp_path: Path, database_url: str, second_database_url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, keyword_tables(database_url))
    code, _, err = run_cli(tmp_path, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    assert "warning" not in err
    assert "CHECK" not in (tmp_path / "definitions" / "keywords_u.yaml").read_text()
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, _ = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", second_database_url)
    assert code == 0, err
    original, rebuilt = catalog(database_url), catalog(second_database_url)
    for part in original:
        assert [r for r in rebuilt[part] if "schema_migrations" not in r] == original[part], part
