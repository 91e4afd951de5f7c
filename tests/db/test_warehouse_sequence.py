"""A BigQuery migration of the warehouse keys alone takes a number of the one sequence: apply,
status and rollback on PostgreSQL step over it (001, then 003)."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.cli.test_warehouse_cli import IN_WAREHOUSE
from tests.helpers import run_cli, write_definitions


def compile_three(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """001 PostgreSQL and BigQuery, 002 BigQuery alone (a warehouse option), 003 PostgreSQL and BigQuery."""
    monkeypatch.delenv("BIGQUERY_DATASET", raising=False)
    expiring = IN_WAREHOUSE.replace("created_at}", "created_at, partition_expiration_days: 7}")
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": expiring})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": expiring.replace(
        "  - {name: created_at", "  - {name: email, type: text}\n  - {name: created_at")})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0


def test_postgresql_migrations_around_a_warehouse_only_number_apply_and_roll_back(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    compile_three(tmp_path, capsys, monkeypatch)
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall() == [(1,), (3,)]
        assert conn.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'events' "
                            "AND column_name = 'email'").fetchone() == (1,)
    code, out, err = run_cli(tmp_path, capsys, "status", "--database-url", database_url)
    assert code == 0, out + err
    code, _, err = run_cli(tmp_path, capsys, "rollback", "--database-url", database_url)
    assert code == 0, err
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT version FROM schema_migrations").fetchall() == [(1,)]


def test_apply_to_a_warehouse_only_number_says_so_and_applies_up_to_it(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    compile_three(tmp_path, capsys, monkeypatch)
    code, out, err = run_cli(tmp_path, capsys, "apply", "--to", "2", "--database-url", database_url)
    assert code == 0, err
    assert "migration 2 is a BigQuery-only migration (nothing in it for PostgreSQL)" in out + err
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall() == [(1,)]
    code, out, err = run_cli(tmp_path, capsys, "apply", "--to", "9", "--database-url", database_url)
    assert code == 3 and "there is no migration 9 in generated/state.json (the newest is 3)" in err
