"""Live databases set up unlike the default: another encoding, another DateStyle."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.db.test_apply_faults import role_url  # noqa: F401 F811 (a fixture)
from tests.helpers import run_cli, write_definitions


@pytest.fixture
def latin1_url(admin_url: str) -> Iterator[str]:
    """A new LATIN1 database (C locale, from template0); dropped afterwards."""
    name = f"schemac_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' "
                     "TEMPLATE template0")
    yield make_conninfo(**{**conninfo_to_dict(admin_url), "dbname": name})
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


LATIN1_TABLE = """
table: tü
columns:
  - {name: id, type: int}
  - {name: s, type: text, default: "'é'"}
"""


def test_latin1_database_stores_characters_not_utf8_bytes(tmp_path: Path, latin1_url: str, capsys) -> None:
    write_definitions(tmp_path, {"t.yaml": "enum: ü\nvalues: [é, è]\n---\n" + LATIN1_TABLE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", latin1_url)
    assert code == 0, err
    with psycopg.connect(latin1_url, client_encoding="UTF8") as conn:
        assert conn.execute("SELECT enum_range(NULL::\"ü\")::text[]").fetchone()[0] == ["é", "è"]
        conn.execute('INSERT INTO "tü" (id) VALUES (1)')
        assert conn.execute('SELECT s, length(s) FROM "tü"').fetchone() == ("é", 1)
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", latin1_url)
    assert code == 0, out + err


def test_latin1_database_refuses_a_character_it_cannot_hold(tmp_path: Path, latin1_url: str, capsys) -> None:
    write_definitions(tmp_path, {"t.yaml": 'enum: ü\nvalues: [é, "日本"]\n---\n' + LATIN1_TABLE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", latin1_url)
    assert code == 4, err
    assert 'has no equivalent in encoding "LATIN1"' in err
    assert "Traceback" not in err


USERS = """
table: users
columns:
  - {name: id, type: bigint, primary_key: true}
"""


@pytest.mark.parametrize("datestyle", ["SQL, DMY", "German", "Postgres, MDY"])
def test_any_datestyle_of_the_live_database(tmp_path: Path, database_url: str, datestyle: str, capsys) -> None:
    for text in (USERS, USERS + "  - {name: born, type: date, default: \"'2024-01-31'\"}\n"):
        write_definitions(tmp_path, {"users.yaml": text})
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE \"{conninfo_to_dict(database_url)['dbname']}\" SET datestyle = '{datestyle}'")
    url = ("--database-url", database_url)
    for args, expected in ((("apply", "--to", "1"), 0), (("status",), 1), (("apply",), 0), (("status",), 0),
                           (("drift",), 0), (("rollback", "--to", "0"), 0)):
        code, out, err = run_cli(tmp_path, capsys, *args, *url)
        assert code == expected, (args, out, err)
    with psycopg.connect(database_url, autocommit=True) as conn:  # adopted: made by hand, then baselined
        conn.execute("CREATE TABLE users (id bigint PRIMARY KEY)")
    for args, expected in ((("apply", "--baseline", "1"), 0), (("status",), 1), (("apply",), 0), (("status",), 0)):
        code, out, err = run_cli(tmp_path, capsys, *args, *url)
        assert code == expected, (args, out, err)
    assert "applied   001_" in out and "applied   002_" in out
    shown = datetime.strptime(out.splitlines()[0].split("  ")[-1], "%Y-%m-%d %H:%M:%S%z")
    assert abs((datetime.now(UTC) - shown).total_seconds()) < 60


def test_baseline_builds_on_the_dev_url_when_the_role_may_not_create_databases(
        tmp_path: Path, admin_url: str, database_url: str, role_url: tuple[str, str], capsys) -> None:  # noqa: F811
    role, url = role_url
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'GRANT CREATE ON SCHEMA public TO "{role}"')
    for text in (USERS, USERS + "  - {name: phone, type: text}\n"):
        write_definitions(tmp_path, {"users.yaml": text})
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE users (id bigint PRIMARY KEY)")
    code, _, err = run_cli(tmp_path, capsys, "apply", "--baseline", "1", "--database-url", url)
    assert code == 4 and "--dev-url" in err, err
    code, out, err = run_cli(tmp_path, capsys, "apply", "--baseline", "1", "--database-url", url, "--dev-url", admin_url)
    assert code == 0, err
    assert "baseline: the database is at migration 1" in out
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", url, "--dev-url", admin_url)
    assert code == 2 and "--dev-url is for --baseline" in err


def test_import_of_a_schema_that_does_not_exist_is_an_error(tmp_path: Path, database_url: str, capsys) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE users (id bigint PRIMARY KEY)")
    code, out, err = run_cli(tmp_path, capsys, "import", "--database-url", database_url,
                             "--schema", "public", "--schema", "publik")
    assert code == 2, out + err
    assert err == ("error: --schema publik: the database has no schema publik (did you mean 'public'?); "
                   "nothing written\n")
    assert not (tmp_path / "definitions").exists()


def test_to_a_version_that_is_no_migration_is_refused(tmp_path: Path, database_url: str, capsys) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    url = ("--database-url", database_url)
    for args in (("apply", "--to", "99"), ("apply", "--to", "0"), ("apply", "--dry-run", "--to", "2")):
        code, out, err = run_cli(tmp_path, capsys, *args, *url)
        assert code == 3, (args, out, err)
        assert f"there is no migration {args[-1]} in generated/state.json (the newest is 1)" in err
    code, _, err = run_cli(tmp_path, capsys, "apply", "--to", "1", *url)
    assert code == 0, err
    code, _, err = run_cli(tmp_path, capsys, "rollback", "--to", "7", *url)
    assert code == 3 and "no migration 7" in err and "--to 0 rolls back every migration" in err
    code, _, err = run_cli(tmp_path, capsys, "rollback", "--to", "0", *url)
    assert code == 0, err
