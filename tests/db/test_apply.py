"""apply, rollback, status and drift as a user runs them, against a real PostgreSQL."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from compiler.cli import main
from tests.db.catalog import catalog, run_sql_file
from tests.helpers import write_definitions

USERS = """
table: users
columns:
  - {name: id, type: bigint, identity: always, primary_key: true}
  - {name: email, type: text, nullable: false}
"""
USERS_PHONE = USERS + "  - {name: phone, type: text}\n"
USERS_NOT_NULL = USERS_PHONE + "  - {name: age, type: integer, nullable: false}\n"


def schemac(project: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["-C", str(project), *args])
    out, err = capsys.readouterr()
    return code, out, err


def compiled(tmp_path: Path, *versions: str, capsys) -> Path:
    """A project compiled through each version of users.yaml in turn."""
    for text in versions:
        write_definitions(tmp_path, {"users.yaml": text})
        code, _, err = schemac(tmp_path, "compile", "--allow-destructive", capsys=capsys)
        assert code == 0, err
    return tmp_path


def rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('public.schema_migrations')").fetchone()[0] is None:
            return []
        return conn.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version").fetchall()


def test_apply_then_status_drift_and_rollback(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 1 and out.count("pending") == 2

    code, out, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert [r[0] for r in rows(database_url)] == [1, 2]
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 0 and out.count("applied") == 2
    code, out, _ = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out

    code, out, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0 and "up to date" in out

    code, _, err = schemac(project, "rollback", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert [r[0] for r in rows(database_url)] == [1]
    assert "phone" not in str(catalog(database_url)["columns"])
    code, _, err = schemac(project, "rollback", "--to", "0", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert rows(database_url) == [] and catalog(database_url)["tables"] == [("public", "schema_migrations", None)]


def test_dry_run_and_to(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    code, out, _ = schemac(project, "apply", "--dry-run", "--database-url", database_url, capsys=capsys)
    assert code == 0 and "ALTER TABLE public.users ADD COLUMN phone text;" in out
    assert rows(database_url) == [] and catalog(database_url)["tables"] == []
    code, _, _ = schemac(project, "apply", "--to", "1", "--database-url", database_url, capsys=capsys)
    assert code == 0 and [r[0] for r in rows(database_url)] == [1]


def test_url_from_environment_and_password_never_printed(tmp_path: Path, monkeypatch, capsys) -> None:
    project = compiled(tmp_path, USERS, capsys=capsys)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("NEON_DATABASE_URL", "postgresql://someone:s3cr3t-pw@127.0.0.1:1/nowhere")
    code, out, err = schemac(project, "apply", capsys=capsys)
    assert code == 4
    assert "s3cr3t-pw" not in out + err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    monkeypatch.delenv("NEON_DATABASE_URL")
    code, _, err = schemac(project, "status", capsys=capsys)
    assert code == 4 and "DATABASE_URL" in err


def test_failing_migration_leaves_database_as_before(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, USERS_NOT_NULL, capsys=capsys)
    code, _, _ = schemac(project, "apply", "--to", "2", "--database-url", database_url, capsys=capsys)
    assert code == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    before, before_rows = catalog(database_url), rows(database_url)
    code, out, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 4
    assert "003_" in err and 'column "age" of relation "users" contains null values' in err
    assert catalog(database_url) == before and rows(database_url) == before_rows


def test_failure_after_an_enum_value_was_committed_is_safe_to_rerun(tmp_path: Path, database_url: str,
                                                                      capsys) -> None:
    base = "enum: mood\nvalues: [a, b]\n---\n" + USERS + "  - {name: mood, type: mood}\n"
    bad = ("enum: mood\nvalues: [a, b, c]\n---\n" + USERS
           + "  - {name: mood, type: mood, default: \"'c'\"}\n  - {name: age, type: integer, nullable: false}\n")
    project = compiled(tmp_path, base, bad, capsys=capsys)
    schemac(project, "apply", "--to", "1", "--database-url", database_url, capsys=capsys)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 4, err
    assert "first 1 part(s)" in err and "running apply again is safe" in err
    assert [r[0] for r in rows(database_url)] == [1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM users")
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err  # ADD VALUE IF NOT EXISTS: the committed first part runs again harmlessly
    assert [r[0] for r in rows(database_url)] == [1, 2]


def test_tampered_migration_is_refused_before_anything_runs(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, capsys=capsys)
    schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    compiled(tmp_path, USERS_PHONE, capsys=capsys)
    first = project / "generated" / "migrations" / "001_create_users.sql"
    first.write_text(first.read_text().replace("email text", "email varchar"))
    before = catalog(database_url)
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 3 and "001_create_users.sql" in err
    assert catalog(database_url) == before and [r[0] for r in rows(database_url)] == [1]
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 1 and "tampered  001_create_users.sql" in out and "pending   002_" in out


def test_status_shows_applied_migrations_missing_locally(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    other = compiled(tmp_path / "other", USERS, capsys=capsys)
    code, out, _ = schemac(other, "status", "--database-url", database_url, capsys=capsys)
    assert code == 1 and "tampered  version 2 (add_users_phone) is applied in the database but not in generated/" in out
    code, _, err = schemac(other, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 3 and "version 2" in err


def test_drift_reports_changes_made_by_hand(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS_PHONE, capsys=capsys)
    schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE users DROP COLUMN phone; ALTER TABLE users ADD COLUMN nick text;"
                     "CREATE INDEX users_email_idx ON users (email)")
    code, out, _ = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 1
    assert "column public.users.phone is missing" in out
    assert "column public.users.nick is not in the definitions" in out
    assert "index public.users_email_idx is not in the definitions" in out
    sql = out[out.index("-- reconcile"):]
    assert "BEGIN;\nSET LOCAL lock_timeout = '5s';\n" in sql  # the timeouts of a compiled migration
    run_sql_file(database_url, sql)
    code, out, _ = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out


def test_two_applies_at_once_apply_each_migration_once(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    # slow the first migration down so the two processes overlap
    first = project / "generated" / "migrations" / "001_create_users.sql"
    state = project / "generated" / "state.json"
    text = first.read_text().replace("COMMIT;", "SELECT pg_sleep(1);\nCOMMIT;", 1)
    import hashlib
    import json
    doc = json.loads(state.read_text())
    doc["migrations"][0]["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    first.write_text(text)
    state.write_text(json.dumps(doc, indent=1) + "\n")
    results: list[subprocess.CompletedProcess] = []

    def run() -> None:
        results.append(subprocess.run([sys.executable, "-m", "compiler.cli", "-C", str(project), "apply",
                                       "--database-url", database_url], capture_output=True, text=True))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert [r[0] for r in rows(database_url)] == [1, 2]
    applied = sum(r.stdout.count("applying") for r in results)
    assert applied == 2


def test_psql_and_apply_give_the_same_catalog(schemac_project: Path, schemac_database_url: str,
                                              database_url: str) -> None:
    """The example's migrations run by psql, and by apply (the plugin's migrated database)."""
    for f in sorted((schemac_project / "generated" / "migrations").glob("0*.sql")):
        run_sql_file(database_url, f.read_text())
    by_psql, by_apply = catalog(database_url), catalog(schemac_database_url)
    assert by_psql["tables"]
    by_apply["tables"] = [t for t in by_apply["tables"] if t[1] != "schema_migrations"]
    by_apply["columns"] = [c for c in by_apply["columns"] if c[1] != "schema_migrations"]
    by_apply["constraints"] = [c for c in by_apply["constraints"] if c[1] != "schema_migrations"]
    by_apply["indexes"] = [c for c in by_apply["indexes"] if c[1] != "schema_migrations"]
    assert by_psql == by_apply
