"""apply --baseline: adopting a database that already has the schema, as a user does it."""
from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg

from tests.db.catalog import catalog, run_sql_file
from tests.db.test_apply import USERS, USERS_PHONE, compiled, rows, schemac

BUILT_BY_HAND = """
CREATE TYPE mood AS ENUM ('ok', 'meh');
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    mood mood NOT NULL DEFAULT 'ok',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_lower_email ON users (lower(email)) WHERE mood <> 'meh';
CREATE TABLE orders (
    id serial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total numeric(10, 2) CHECK (total >= 0)
);
INSERT INTO users (email) VALUES ('a@example.com');
"""


def adopted(tmp_path: Path, url: str, capsys) -> Path:
    """A database built by hand, imported and compiled once: migration 001 describes what is there."""
    run_sql_file(url, BUILT_BY_HAND)
    code, _, err = schemac(tmp_path, "import", "--database-url", url, capsys=capsys)
    assert code == 0, err
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    return tmp_path


def test_adopt_an_existing_database(tmp_path: Path, database_url: str, capsys) -> None:
    project = adopted(tmp_path, database_url, capsys)
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 1 and "pending   001_initial_schema.sql" in out

    code, out, err = schemac(project, "apply", "--baseline", "1", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert out == "recorded 001_initial_schema.sql as applied (not run)\nbaseline: the database is at migration 1\n"
    recorded = hashlib.sha256((project / "generated" / "migrations" / "001_initial_schema.sql").read_bytes())
    assert rows(database_url) == [(1, "initial_schema", recorded.hexdigest())]
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 0 and out.startswith("applied   001_initial_schema.sql")
    assert out.endswith("\nUp to date: the database is at migration 1.\n")
    assert schemac(project, "drift", "--database-url", database_url, capsys=capsys)[0] == 0

    users = project / "definitions" / "users.yaml"
    users.write_text(users.read_text().replace("\nindexes:", "\n  - {name: nick, type: text}\nindexes:"))
    code, out, err = schemac(project, "compile", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert "applying migrations/002_add_users_nick.sql" in out and "001" not in out
    assert [r[0] for r in rows(database_url)] == [1, 2]
    with psycopg.connect(database_url) as conn:  # the data was never touched
        assert conn.execute("SELECT email, nick FROM users").fetchall() == [("a@example.com", None)]

    code, _, err = schemac(project, "apply", "--baseline", "1", "--database-url", database_url, capsys=capsys)
    assert code == 3 and "version 2 (add_users_nick) is already applied, after the baseline 1" in err


def test_a_database_that_differs_is_not_adopted(tmp_path: Path, database_url: str, capsys) -> None:
    project = adopted(tmp_path, database_url, capsys)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE users ADD COLUMN extra integer; DROP INDEX users_lower_email")
    before = catalog(database_url)
    code, out, _ = schemac(project, "apply", "--baseline", "1", "--database-url", database_url, capsys=capsys)
    assert code == 1
    assert out.startswith("The database differs from the schema of migrations up to 1; nothing recorded:\n")
    assert "  - column public.users.extra is not in the definitions (its data would be dropped)\n" in out
    assert "  - index public.users_lower_email is missing or differs\n" in out
    assert catalog(database_url) == before  # not even the migrations table


def test_baseline_at_an_older_migration(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    run_sql_file(database_url, (project / "generated" / "migrations" / "001_create_users.sql").read_text())
    code, out, _ = schemac(project, "apply", "--baseline", "2", "--database-url", database_url, capsys=capsys)
    assert code == 1 and "column public.users.phone is missing" in out and rows(database_url) == []
    code, out, err = schemac(project, "apply", "--baseline", "1", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    code, out, _ = schemac(project, "status", "--database-url", database_url, capsys=capsys)
    assert code == 1 and "applied   001_create_users.sql" in out and "pending   002_add_users_phone.sql" in out
    code, out, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0 and "001" not in out and [r[0] for r in rows(database_url)] == [1, 2]
    code, out, _ = schemac(project, "apply", "--baseline", "2", "--database-url", database_url, capsys=capsys)
    assert code == 0 and out == "Nothing to record: migrations up to 2 are already applied.\n"


def test_baseline_refuses_conflicting_history(tmp_path: Path, database_url: str, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    assert schemac(project, "apply", "--to", "1", "--database-url", database_url, capsys=capsys)[0] == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = 'edited'")
    code, _, err = schemac(project, "apply", "--baseline", "2", "--database-url", database_url, capsys=capsys)
    assert code == 3
    assert err == ("refused, nothing was run:\n"
                   "version 1 (create_users) was applied from a file with another checksum\n")
    code, _, err = schemac(project, "apply", "--baseline", "7", "--database-url", database_url, capsys=capsys)
    assert code == 3 and "there is no migration 7 in generated/state.json (the newest is 2)" in err
    assert [r[2] for r in rows(database_url)] == ["edited"]
