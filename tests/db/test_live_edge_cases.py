"""Live databases shaped in ways a careful user would not, read back by import, drift and verify."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.db.catalog import run_sql_file
from tests.helpers import run_cli


def test_a_materialized_view_with_a_partial_and_an_expression_index_round_trips(
        tmp_path: Path, database_url: str, second_database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, """
        CREATE TABLE orders (id int PRIMARY KEY, total numeric NOT NULL, note text);
        CREATE MATERIALIZED VIEW big_orders AS SELECT id, total, note FROM orders WHERE total > 100;
        CREATE INDEX big_orders_recent ON big_orders (id) WHERE total > 1000;
        CREATE INDEX big_orders_note ON big_orders (lower(note));
    """)
    code, _, err = run_cli(tmp_path, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    assert "warning" not in err and "Traceback" not in err
    view = (tmp_path / "definitions" / "big_orders.yaml").read_text()
    assert "where: \"total > 1000" in view and "lower(note)" in view, view
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", second_database_url)
    assert code == 0, err
    for url in (database_url, second_database_url):
        code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", url)
        assert code == 0 and out.startswith("No drift"), out + err
