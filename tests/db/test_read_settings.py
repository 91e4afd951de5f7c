"""Catalogs are read in the settings migrations run under, whatever the database's own.

A database whose DateStyle is 'SQL, DMY' prints the default date 2024-02-03 as '03/02/2024', which
a migration (DateStyle 'ISO, MDY') reads as March 2; its TimeZone and IntervalStyle change how
timestamptz and interval constants print. import, diff and drift must see the canonical spelling.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from tests.db.test_apply import schemac
from tests.helpers import write_definitions

OWN_SETTINGS = {"DateStyle": "SQL, DMY", "TimeZone": "Asia/Tokyo", "IntervalStyle": "sql_standard",
                "extra_float_digits": "0", "bytea_output": "escape"}

# Made by hand in a database with OWN_SETTINGS: ISO dates and explicit offsets are read the same
# under any DateStyle and TimeZone, so every database holds the same values.
SCHEMA = """
CREATE TABLE t (
    id int PRIMARY KEY,
    d date DEFAULT '2024-02-03',
    c date CHECK (c > '2001-02-13'),
    z timestamptz DEFAULT '2024-03-01 10:00:00+00',
    i interval DEFAULT '1 day 02:00:00',
    f float8 DEFAULT 0.1,
    b bytea DEFAULT '\\x0102'
);
CREATE VIEW recent AS SELECT id, d FROM t WHERE d > '2024-01-05'::date;
CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
"""

DEFINITIONS = """
table: t
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: d, type: date, default: "'2024-02-03'"}
  - {name: z, type: timestamptz, default: "'2024-03-01 10:00:00+00'"}
  - {name: i, type: interval, default: "'1 day 02:00:00'"}
"""


def with_own_settings(url: str) -> None:
    """Give the database at `url` OWN_SETTINGS for every later connection."""
    with psycopg.connect(url, autocommit=True) as conn:
        for name, value in OWN_SETTINGS.items():
            conn.execute(f"ALTER DATABASE \"{conn.info.dbname}\" SET {name} = '{value}'")


def made_by_hand(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)


def test_import_writes_dates_a_migration_reads_as_the_same_day(tmp_path: Path, database_url: str,
                                                               second_database_url: str, capsys) -> None:
    with_own_settings(database_url)
    made_by_hand(database_url)
    code, _, err = schemac(tmp_path, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    written = (tmp_path / "definitions" / "t.yaml").read_text()
    assert "'2024-02-03'" in written and "'2001-02-13'" in written, written
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, _, err = schemac(tmp_path, "apply", "--database-url", second_database_url, capsys=capsys)
    assert code == 0, err
    with psycopg.connect(second_database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO t (id) VALUES (1)")
        assert conn.execute("SELECT d, z, i, f, b FROM t").fetchone() == (
            date(2024, 2, 3), datetime(2024, 3, 1, 10, tzinfo=UTC), timedelta(days=1, hours=2), 0.1,
            b"\x01\x02")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO t (id, c) VALUES (2, '2001-02-13')")
        conn.execute("INSERT INTO t (id, c) VALUES (3, '2001-02-14')")
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err


def test_diff_of_the_same_schema_under_other_settings_finds_nothing(tmp_path: Path, database_url: str,
                                                                    second_database_url: str, capsys) -> None:
    with_own_settings(second_database_url)
    made_by_hand(database_url)
    made_by_hand(second_database_url)
    for ends in ((database_url, second_database_url), (second_database_url, database_url)):
        code, out, err = schemac(tmp_path, "diff", "--from", ends[0], "--to", ends[1], capsys=capsys)
        assert code == 0, out + err
        assert "No differences" in out, out


def test_drift_on_a_database_with_its_own_settings(tmp_path: Path, database_url: str, capsys) -> None:
    with_own_settings(database_url)
    write_definitions(tmp_path, {"t.yaml": DEFINITIONS})
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, _, err = schemac(tmp_path, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE t ALTER COLUMN d SET DEFAULT '2024-02-04'")
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 1, out + err
    reconcile = out[out.index("-- reconcile"):]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(reconcile)
        conn.execute("INSERT INTO t (id) VALUES (1)")
        assert conn.execute("SELECT d FROM t").fetchone() == (date(2024, 2, 3),)
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err


CALLING = """
function: shout
arguments: [{name: s, type: text}]
returns: text
language: sql
volatility: immutable
body: SELECT upper(s)
---
table: members
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: name, type: text}
---
view: loud
query: select id, shout(name) as name from members
---
table: docs
rls: {enabled: true}
columns:
  - {name: id, type: integer, primary_key: true}
policies:
  - {name: loud_only, using: "shout('a') = 'A'"}
"""


def test_a_database_whose_search_path_lacks_public_reads_like_any_other(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Names of public are written unqualified (the migrations' search_path is public first): what
    calls a function of public is the same object whatever search_path the database gives its
    sessions, so drift sees nothing and import writes the view and the policy."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{conn.info.dbname}" SET search_path = nothing_here')
    project = tmp_path / "project"
    write_definitions(project, {"t.yaml": CALLING})
    assert schemac(project, "compile", capsys=capsys)[0] == 0
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    imported = tmp_path / "imported"
    imported.mkdir()
    code, _, err = schemac(imported, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert "warning" not in err, err
    written = "\n".join(p.read_text() for p in sorted((imported / "definitions").rglob("*.yaml")))
    assert "view: loud" in written and "loud_only" in written
