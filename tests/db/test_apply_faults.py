"""apply, rollback, status and drift when things go wrong: killed connections, Ctrl-C, locks, roles, files.

Each failure must end in one clear message and its exit code, never a traceback, and never leave
a migration half-applied or run bytes other than the ones checked and recorded.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from compiler.live.migrations_table import LOCK_KEY
from tests.conftest import REPO
from tests.db.catalog import catalog
from tests.db.test_apply import USERS, USERS_PHONE, compiled, rows, schemac

USERS_NICK = USERS_PHONE + "  - {name: nick, type: text}\n"


def edit(project: Path, rel: str, change, key: str) -> None:
    """Change a generated file by hand and record its new checksum in state.json, as if compiled so."""
    path = project / "generated" / rel
    text = change(path.read_text())
    state = project / "generated" / "state.json"
    doc = json.loads(state.read_text())
    for m in doc["migrations"]:
        if m["file" if key == "sha256" else "rollback"] == rel:
            m[key] = hashlib.sha256(text.encode()).hexdigest()
    path.write_text(text)
    state.write_text(json.dumps(doc, indent=1) + "\n")


def slow_down(project: Path, rel: str, key: str = "sha256", seconds: int = 30) -> None:
    """Make a migration (key sha256) or rollback (key rollback_sha256) sleep before it commits."""
    edit(project, rel, lambda text: text.replace("COMMIT;", f"SELECT pg_sleep({seconds});\nCOMMIT;", 1), key)


def start(project: Path, *args: str) -> subprocess.Popen[str]:
    """`python -m compiler.cli -C project ARGS` in a process of its own."""
    return subprocess.Popen([sys.executable, "-m", "compiler.cli", "-C", str(project), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def sleeping_backend(url: str, process: subprocess.Popen[str]) -> int:
    """The pid of the server process running a pg_sleep in `url`'s database (waits for it)."""
    dbname = conninfo_to_dict(url)["dbname"]
    deadline = time.monotonic() + 30
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                               "AND query LIKE '%%pg_sleep%%' AND state = 'active'", (dbname,)).fetchone()
            if row:
                return row[0]
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
    raise AssertionError("the slow migration never started")


def terminate(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    assert "Traceback" not in err, err
    return process.returncode, out, err


def columns(url: str) -> list[str]:
    return [c[2] for c in catalog(url)["columns"] if c[1] == "users"]


# -- a lost connection and Ctrl-C


def test_backend_killed_during_apply(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    slow_down(project, "migrations/002_add_users_phone.sql")
    process = start(project, "apply", "--database-url", database_url)
    terminate(database_url, sleeping_backend(database_url, process))
    code, out, err = finish(process)
    assert code == 4, err
    assert "002_add_users_phone.sql failed, the connection was lost: terminating connection due to " \
           "administrator command" in err
    assert err.rstrip().endswith("the database is at migration 1"), err
    assert [r[0] for r in rows(database_url)] == [1] and "phone" not in columns(database_url)
    edit(project, "migrations/002_add_users_phone.sql", lambda text: text.replace("SELECT pg_sleep(30);\n", ""),
         "sha256")
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err  # the lock went with the connection
    assert [r[0] for r in rows(database_url)] == [1, 2]


def test_backend_killed_during_rollback(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    slow_down(project, "migrations/rollback_002.sql", "rollback_sha256")
    assert schemac(project, "apply", "--database-url", database_url, capsys=capsys)[0] == 0
    process = start(project, "rollback", "--database-url", database_url)
    terminate(database_url, sleeping_backend(database_url, process))
    code, _, err = finish(process)
    assert code == 4 and "rollback_002.sql failed, the connection was lost" in err, err
    assert err.rstrip().endswith("the database is at migration 2"), err
    assert [r[0] for r in rows(database_url)] == [1, 2] and "phone" in columns(database_url)


def test_ctrl_c_during_apply(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, USERS_NICK, capsys=capsys)
    slow_down(project, "migrations/002_add_users_phone.sql")
    process = start(project, "apply", "--database-url", database_url)
    sleeping_backend(database_url, process)
    process.send_signal(signal.SIGINT)
    code, _, err = finish(process)
    assert code == 130
    assert err == "interrupted; the database is at migration 1\n"
    assert [r[0] for r in rows(database_url)] == [1] and columns(database_url) == ["email", "id"]


def test_ctrl_c_during_rollback(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, USERS_NICK, capsys=capsys)
    slow_down(project, "migrations/rollback_002.sql", "rollback_sha256")
    assert schemac(project, "apply", "--database-url", database_url, capsys=capsys)[0] == 0
    process = start(project, "rollback", "--to", "0", "--database-url", database_url)
    sleeping_backend(database_url, process)
    process.send_signal(signal.SIGINT)
    code, _, err = finish(process)
    assert code == 130 and err == "interrupted; the database is at migration 2\n"
    assert [r[0] for r in rows(database_url)] == [1, 2] and "phone" in columns(database_url)
    assert "nick" not in columns(database_url)  # rollback_003 ran and committed before the interruption


# -- the lock of another apply


@pytest.fixture
def held_lock(database_url: str) -> Iterator[psycopg.Connection]:
    """The apply lock, held by another session for the length of the test."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        yield conn


def test_waiting_for_the_lock_says_so_and_gives_up(tmp_path: Path, database_url: str, held_lock, capsys) -> None:
    project = compiled(tmp_path, USERS, capsys=capsys)
    began = time.monotonic()
    code, out, err = schemac(project, "apply", "--lock-timeout", "1", "--database-url", database_url, capsys=capsys)
    waited = time.monotonic() - began
    assert code == 4 and 1 <= waited < 10
    assert out == "waiting for another schemac apply or rollback on this database...\n"
    assert err.startswith("error: gave up after 1 s: another schemac apply or rollback still holds")
    assert rows(database_url) == []
    (project / "schemac.yaml").write_text("apply_lock_timeout: 0\n")
    code, _, err = schemac(project, "rollback", "--database-url", database_url, capsys=capsys)
    assert code == 4 and "gave up after 0 s" in err


def test_waiting_for_the_lock_goes_on_when_it_is_released(tmp_path: Path, database_url: str, held_lock,
                                                          capsys) -> None:
    project = compiled(tmp_path, USERS, capsys=capsys)
    release = threading.Timer(1.0, lambda: held_lock.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,)))
    release.start()
    code, out, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    release.join()
    assert code == 0, err
    assert out.startswith("waiting for another schemac apply") and "applying migrations/001_create_users.sql" in out
    assert [r[0] for r in rows(database_url)] == [1]
    with psycopg.connect(database_url) as conn:  # the wait's lock_timeout was not left on the session
        assert conn.execute("SHOW lock_timeout").fetchone()[0] == "0"


# -- roles that may not do what apply needs


@pytest.fixture
def role_url(admin_url: str, database_url: str) -> Iterator[tuple[str, str]]:
    """A new login role (no privileges of its own) and the test database's URL for it; dropped afterwards."""
    role = f"schemac_role_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    yield role, make_conninfo(database_url, user=role)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'DROP OWNED BY "{role}"')
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP ROLE "{role}"')


def test_role_without_create_on_the_schema(tmp_path: Path, database_url: str, role_url, capsys) -> None:
    project = compiled(tmp_path, USERS, capsys=capsys)
    _, url = role_url
    code, out, err = schemac(project, "apply", "--database-url", url, capsys=capsys)
    assert code == 4 and err == "error: permission denied for schema public\n"
    code, out, _ = schemac(project, "status", "--database-url", url, capsys=capsys)
    assert code == 1 and "pending   001_create_users.sql" in out
    for command in (["drift"], ["apply", "--baseline", "1"]):  # both build a reference database
        code, _, err = schemac(project, *command, "--database-url", url, capsys=capsys)
        # said before trying, with the way out: a dev server where throwaway databases may be made
        assert code == 4 and "may not create databases" in err and "--dev-url" in err and "Traceback" not in err


def test_read_only_role(tmp_path: Path, database_url: str, role_url, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    assert schemac(project, "apply", "--to", "1", "--database-url", database_url, capsys=capsys)[0] == 0
    role, url = role_url
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'GRANT ALL ON SCHEMA public TO "{role}"; GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
        conn.execute(f'ALTER ROLE "{role}" SET default_transaction_read_only = on')
    for command in ("apply", "rollback"):
        code, _, err = schemac(project, command, "--database-url", url, capsys=capsys)
        assert code == 4, err
        assert "cannot execute" in err and "in a read-only transaction" in err and "Traceback" not in err
    assert [r[0] for r in rows(database_url)] == [1] and "phone" not in columns(database_url)
    code, out, _ = schemac(project, "status", "--database-url", url, capsys=capsys)
    assert code == 1 and "applied   001" in out and "pending   002" in out


# -- another tool's schema_migrations, and migrations_table


def test_another_tools_schema_migrations(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    with psycopg.connect(database_url, autocommit=True) as conn:  # golang-migrate's table
        conn.execute("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);"
                     "INSERT INTO schema_migrations VALUES (20240101, false)")
    for command in ("apply", "rollback", "status", "drift"):
        code, _, err = schemac(project, command, "--database-url", database_url, capsys=capsys)
        assert code == 4, err
        assert ("public.schema_migrations is not schemac's migrations table: its columns are (version, dirty)"
                in err and "Set migrations_table in schemac.yaml" in err), err
    (project / "schemac.yaml").write_text("migrations_table: Ops.Schemac History\n")
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    with psycopg.connect(database_url) as conn:
        assert conn.execute('SELECT version FROM "Ops"."Schemac History" ORDER BY 1').fetchall() == [(1,), (2,)]
        assert conn.execute("SELECT * FROM schema_migrations").fetchall() == [(20240101, False)]
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 0 and out.count("applied") == 2
    code, out, _ = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 1 and "Schemac History" not in out and "table public.schema_migrations is not in" in out
    code, _, err = schemac(project, "rollback", "--to", "0", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert columns(database_url) == []


# -- the bytes that run are the bytes checked and recorded


def test_a_file_edited_while_apply_runs_never_runs(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    slow_down(project, "migrations/001_create_users.sql", seconds=2)
    second = project / "generated" / "migrations" / "002_add_users_phone.sql"
    process = start(project, "apply", "--database-url", database_url)
    sleeping_backend(database_url, process)
    second.write_text(second.read_text().replace("COMMIT;", "CREATE TABLE sneaky (x int);\nCOMMIT;"))
    code, _, err = finish(process)
    assert code == 0, err
    assert [r[0] for r in rows(database_url)] == [1, 2]
    assert [t[1] for t in catalog(database_url)["tables"]] == ["schema_migrations", "users"]  # no sneaky
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 1 and "tampered  002_add_users_phone.sql  (file changed since it was applied)" in out


def test_a_rollback_edited_while_rollback_runs_never_runs(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    slow_down(project, "migrations/rollback_002.sql", "rollback_sha256", seconds=2)
    assert schemac(project, "apply", "--database-url", database_url, capsys=capsys)[0] == 0
    first = project / "generated" / "migrations" / "rollback_001.sql"
    process = start(project, "rollback", "--to", "0", "--database-url", database_url)
    sleeping_backend(database_url, process)
    first.write_text(first.read_text().replace("COMMIT;", "CREATE TABLE sneaky (x int);\nCOMMIT;"))
    code, _, err = finish(process)
    assert code == 0, err
    assert rows(database_url) == [] and [t[1] for t in catalog(database_url)["tables"]] == ["schema_migrations"]


# -- rollback files checked before anything runs; status says what is wrong


@pytest.mark.parametrize("damage", ["missing", "edited"])
def test_rollback_refuses_before_running_anything(tmp_path: Path, database_url: str, capsys, damage: str) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    assert schemac(project, "apply", "--database-url", database_url, capsys=capsys)[0] == 0
    first = project / "generated" / "migrations" / "rollback_001.sql"
    if damage == "missing":
        first.unlink()
    else:
        first.write_text(first.read_text().replace("DROP TABLE", "DROP TABLE IF EXISTS"))
    why = "file is missing" if damage == "missing" else "file differs from what was compiled"
    before = catalog(database_url)
    code, _, err = schemac(project, "rollback", "--to", "0", "--database-url", database_url, capsys=capsys)
    assert code == 3 and err == f"refused, nothing was run:\nmigrations/rollback_001.sql: {why}\n"
    assert catalog(database_url) == before and [r[0] for r in rows(database_url)] == [1, 2]
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 1 and out.endswith("\nNot up to date: 0 to apply, 1 tampered.\n")
    assert out.splitlines()[:2] == [line for line in out.splitlines() if line.startswith("applied")]
    assert (f"tampered  rollback_001.sql  ({why}; 001_create_users.sql is applied, but rolling it back would be "
            f"refused)") in out
    code, _, err = schemac(project, "rollback", "--database-url", database_url, capsys=capsys)
    assert code == 0, err  # one step needs rollback_002 only
    assert [r[0] for r in rows(database_url)] == [1]


def test_status_exit_codes(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, capsys=capsys)
    assert schemac(project, "status", "--database-url", database_url, capsys=capsys)[0] == 1  # pending
    assert schemac(project, "apply", "--database-url", database_url, capsys=capsys)[0] == 0
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 0 and out.startswith("applied   001_create_users.sql")


# -- PostgreSQL's DETAIL and HINT


def test_detail_and_hint_reach_the_user(tmp_path: Path, database_url: str, capsys) -> None:
    unique_email = USERS.replace("{name: email, type: text, nullable: false}",
                                 "{name: email, type: text, nullable: false, unique: true}")
    project = compiled(tmp_path, USERS, unique_email, capsys=capsys)
    assert schemac(project, "apply", "--to", "1", "--database-url", database_url, capsys=capsys)[0] == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('a@example.com'), ('a@example.com')")
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 4
    assert 'could not create unique index "users_email_key"\nDETAIL: Key (email)=(a@example.com) is duplicated.' \
           in err
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM users")
    edit(project, "migrations/002_alter_users.sql",
         lambda text: text.replace("COMMIT;", "SELECT no_such_function(1);\nCOMMIT;"), "sha256")
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 4
    assert "function no_such_function(integer) does not exist\nHINT: No function matches" in err
