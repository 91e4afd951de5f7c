"""Throwaway databases: the live database's settings, signals, and leftovers of killed runs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from compiler.live.throwaway import DevServer, dev_server, drop_leftovers, throwaway_database
from tests.conftest import REPO
from tests.db.test_verify import compiled, edit_generated
from tests.helpers import run_cli

# A project whose defaults print differently under other settings: a date, a timestamptz read in
# the session's time zone, an interval, an enum.
EVENTS = """
enum: mood
values: [calm, busy]
---
table: events
columns:
  - {name: id, type: bigint, identity: always, primary_key: true}
  - {name: mood, type: mood, nullable: false, default: "'calm'"}
  - {name: starts_on, type: date, default: "'2024-03-01'"}
  - {name: starts_at, type: timestamptz, default: "'2024-03-01 10:00:00'"}
  - {name: lasts, type: interval, default: "'1 day 02:00:00'"}
  - {name: moods, type: "mood[]", default: "'{calm}'"}
"""
EVENTS_NOTE = EVENTS + "  - {name: note, type: text, default: \"'none'\"}\n"


@pytest.fixture(autouse=True)
def _no_dev_server_from_the_environment(monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def exists(admin_url: str, name: str) -> bool:
    with psycopg.connect(admin_url) as conn:
        return conn.execute("SELECT EXISTS (SELECT FROM pg_database WHERE datname = %s)", (name,)).fetchone()[0]


def test_the_live_databases_settings_never_make_a_difference(tmp_path: Path, admin_url: str, database_url: str,
                                                              capsys) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        name = conn.info.dbname  # (a search_path may name a schema not made: PostgreSQL skips it)
        for setting in ("search_path = other, public", "TimeZone = 'America/New_York'",
                        "DateStyle = 'SQL, DMY'", "IntervalStyle = 'sql_standard'"):
            conn.execute(f'ALTER DATABASE "{name}" SET {setting}')
    project = compiled(tmp_path, capsys, EVENTS, EVENTS_NOTE)
    code, _, err = run_cli(project, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    with psycopg.connect(database_url) as conn:  # the live database prints in its own style
        assert "'01/03/2024'::date" in conn.execute(
            "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef").fetchall().__str__()
    code, out, err = run_cli(project, capsys, "drift", "--database-url", database_url, "--dev-url", admin_url)
    assert code == 0, out + err
    code, out, err = run_cli(project, capsys, "verify", "--database-url", database_url, "--dev-url", admin_url)
    assert code == 0, out + err
    assert "proven on rows: 002_add_events_note.sql" in out


def test_a_throwaway_database_copies_the_live_settings(admin_url: str, database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{conn.info.dbname}" SET TimeZone = \'Asia/Kolkata\'')
        conn.execute(f'ALTER DATABASE "{conn.info.dbname}" SET search_path = "my schema", public')
        conn.execute("CREATE SCHEMA ext")
        conn.execute("CREATE EXTENSION citext WITH SCHEMA ext")
    server = dev_server(admin_url, database_url)
    with throwaway_database(server, ["citext"]) as url, psycopg.connect(url) as conn:
        name = conn.info.dbname
        assert name.startswith("schemac_throwaway_")
        assert conn.execute("SELECT current_setting('TimeZone'), current_setting('search_path')").fetchone() == (
            "Asia/Kolkata", '"my schema", public')
        assert conn.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                            "WHERE e.extname = 'citext'").fetchone() == ("ext",)
        template = conn.execute("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                                ).fetchone()[0]
        assert template == 0
    assert not exists(admin_url, name)


@pytest.mark.alone  # another test's run would drop the leftover first
def test_a_killed_run_leaves_its_database_for_the_next_run_to_drop(admin_url: str) -> None:
    script = ("import sys, time\n"
              "from compiler.live.throwaway import DevServer, throwaway_database\n"
              "with throwaway_database(DevServer(sys.argv[1], 'test')) as url:\n"
              "    print(url.split('dbname=')[1].split()[0], flush=True)\n"
              "    time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", script, admin_url], stdout=subprocess.PIPE, text=True,
                             cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        name = child.stdout.readline().strip()
        assert name.startswith("schemac_throwaway_") and exists(admin_url, name)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            assert name not in drop_leftovers(conn)  # its owner is alive: in use, never dropped
        assert exists(admin_url, name)
    finally:
        child.kill()
        child.wait()
    assert exists(admin_url, name)  # SIGKILL runs no finally
    deadline = time.monotonic() + 10
    dropped: list[str] = []
    while name not in dropped and time.monotonic() < deadline:  # the server notices the client is gone
        with psycopg.connect(admin_url, autocommit=True) as conn:
            dropped += drop_leftovers(conn)
        time.sleep(0.1)
    assert name in dropped and not exists(admin_url, name)


@pytest.mark.alone  # its leftover, there for a moment, is not another test's to see
def test_the_next_throwaway_database_drops_a_leftover(admin_url: str) -> None:
    name = f"schemac_throwaway_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')  # as a killed run leaves it: no lock held
    with throwaway_database(DevServer(admin_url, "test")):
        assert not exists(admin_url, name)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_verify_leaves_no_database(tmp_path: Path, admin_url: str, capsys, signum: int) -> None:
    project = compiled(tmp_path, capsys, EVENTS, EVENTS_NOTE)
    edit_generated(project, "migrations/002_add_events_note.sql",
                   lambda text: text.replace("COMMIT;", "SELECT pg_sleep(60);\nCOMMIT;"))
    tag = f"verify_signal_{uuid.uuid4().hex[:8]}"
    dev = make_conninfo(admin_url, application_name=tag)
    child = subprocess.Popen([sys.executable, "-m", "compiler.cli", "-C", str(project), "verify", "--dev-url", dev],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        name = None
        deadline = time.monotonic() + 30
        while name is None and time.monotonic() < deadline:
            with psycopg.connect(admin_url) as conn:
                row = conn.execute("SELECT datname FROM pg_stat_activity WHERE application_name = %s "
                                   "AND query LIKE '%%pg_sleep(60)%%'", (tag,)).fetchone()
            name = row[0] if row else None
            time.sleep(0.05)
        assert name is not None and name.startswith("schemac_throwaway_")
        child.send_signal(signum)
        _, err = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 128 + signum, err
    assert "interrupted" in err and "Traceback" not in err
    assert not exists(admin_url, name)
