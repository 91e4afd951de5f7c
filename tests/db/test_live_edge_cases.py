"""Live databases shaped in ways a careful user would not, read back by import, drift and verify."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.db.catalog import run_sql_file
from tests.helpers import run_cli, write_definitions


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


def test_drift_read_by_a_reader_that_stops_early_exits_quietly(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`schemac drift | head -1`: the reader is gone before the report is written; no traceback."""
    run_sql_file(database_url, "".join(f"CREATE TABLE hand_made_{i} (id int PRIMARY KEY, note text);\n"
                                       for i in range(50)))
    write_definitions(tmp_path, {"t.yaml": "table: t\ncolumns:\n  - {name: id, type: int}\n"})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    child = subprocess.Popen([sys.executable, "-m", "compiler.cli", "-C", str(tmp_path), "drift", "--database-url",
                              database_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader stops before a line is written
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == 128 + signal.SIGPIPE, err
    assert err == ""
