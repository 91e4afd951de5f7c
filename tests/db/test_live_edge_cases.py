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


SALES = {"sales.yaml": """
    schema: sales
    comment: What we sold.
    ---
    table: orders
    schema: sales
    columns:
      - {name: id, type: int, primary_key: true}
    ---
    table: stock
    schema: stores
    columns:
      - {name: id, type: int, primary_key: true}
    """}


@pytest.mark.parametrize(("by_hand", "said", "reconciled"), [
    ("COMMENT ON SCHEMA sales IS 'by hand'", "schema sales", "COMMENT ON SCHEMA sales IS 'What we sold.';"),
    ("GRANT USAGE ON SCHEMA sales TO PUBLIC", "schema sales", "REVOKE USAGE ON SCHEMA sales FROM PUBLIC;"),
    ("COMMENT ON SCHEMA stores IS 'by hand'", "schema stores", "COMMENT ON SCHEMA stores IS NULL;"),
    ("GRANT CREATE ON SCHEMA stores TO PUBLIC", "schema stores", "REVOKE CREATE ON SCHEMA stores FROM PUBLIC;"),
    ("CREATE SCHEMA stray", "schema stray", "DROP SCHEMA stray;"),
])
def test_drift_reports_a_schema_changed_by_hand_when_every_table_matches(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str], by_hand: str, said: str,
        reconciled: str) -> None:
    write_definitions(tmp_path, SALES)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert run_cli(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    run_sql_file(database_url, by_hand)
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 1, out + err
    assert said in out.split("\n\n")[0] and reconciled in out, out


ACCOUNTS = """
table: accounts
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: mail, type: text, nullable: false}
"""
USERS_RENAMED = """
table: users
renamed_from: accounts
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: text, nullable: false, renamed_from: mail}
"""


@pytest.mark.parametrize("pending", [True, False])
def test_a_rename_is_no_data_loss_and_its_rollback_is_proven_on_rows(
        tmp_path: Path, admin_url: str, capsys: pytest.CaptureFixture[str], pending: bool) -> None:
    write_definitions(tmp_path, {"schema.yaml": ACCOUNTS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"schema.yaml": USERS_RENAMED})
    if not pending:
        assert run_cli(tmp_path, capsys, "compile")[0] == 0  # no --allow-destructive: nothing is lost
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "drops data" not in out and "empty copy" not in out, out
    assert "proven on rows: 002_rename_accounts_to_users_and_rename_users_mail.sql and rollback_002.sql with up to" \
           in out, out
