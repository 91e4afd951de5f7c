"""Partitions of a table other tables reference: PostgreSQL drops none while a foreign key leans
on it, and detaches none while a row still references it."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.helpers import run_cli, write_definitions

EVENTS = """
table: events
columns:
  - {name: id, type: int, primary_key: true}
partition_by: {method: range, columns: [id]}
partitions:
  - {name: events_low, from: 0, to: 100}
  - {name: events_high, from: 100, to: 200}
---
table: seen
columns:
  - {name: event_id, type: int, references: events.id}
"""
HIGH = "  - {name: events_high, from: 100, to: 200}\n"


def _applied(tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, definitions: str) -> tuple[int, str]:
    write_definitions(tmp_path, {"events.yaml": definitions})
    code, out, err = run_cli(tmp_path, capsys, "compile", "--allow-destructive")
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, capsys, "apply", "--database-url", url)
    return code, out + err


def _newest_migration(tmp_path: Path) -> str:
    return sorted((tmp_path / "generated" / "migrations").glob("0*.sql"))[-1].read_text()


def _rows(url: str, sql: str) -> list[tuple[int, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def _run(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@pytest.mark.parametrize("referenced", [False, True])
def test_a_partition_of_a_referenced_table_is_dropped_with_rows_around_it(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str], referenced: bool) -> None:
    assert _applied(tmp_path, capsys, database_url, EVENTS)[0] == 0
    _run(database_url, "INSERT INTO events VALUES (1), (150); INSERT INTO seen VALUES (1), (NULL)")
    if referenced:  # a row of another table references a row of the partition dropped
        _run(database_url, "INSERT INTO seen VALUES (150)")
    code, out = _applied(tmp_path, capsys, database_url, EVENTS.replace(HIGH, ""))
    migration = _newest_migration(tmp_path)
    assert "DETACH PARTITION public.events_high;\nDROP TABLE public.events_high;" in migration
    assert "fails_on_rows  DropPartition" in migration  # declared: a referencing row stops it
    if referenced:
        assert code == 4 and 'violates foreign key constraint' in out, out
        assert _rows(database_url, "SELECT id FROM events ORDER BY id") == [(1,), (150,)]  # nothing done
    else:
        assert code == 0, out
        assert _rows(database_url, "SELECT id FROM events ORDER BY id") == [(1,)]
        assert _rows(database_url, "SELECT event_id FROM seen ORDER BY 1") == [(1,), (None,)]


def test_new_bounds_for_a_partition_of_a_referenced_table_declare_that_rows_can_stop_them(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _applied(tmp_path, capsys, database_url, EVENTS)[0] == 0
    _run(database_url, "INSERT INTO events VALUES (150); INSERT INTO seen VALUES (150)")
    code, out = _applied(tmp_path, capsys, database_url, EVENTS.replace("from: 100, to: 200", "from: 100, to: 300"))
    assert "fails_on_rows  DetachPartition" in _newest_migration(tmp_path)
    assert code == 4 and "violates foreign key constraint" in out, out
