"""A compiled migration builds the same catalog whatever the settings of the database or the role
that runs it: each transaction pins search_path, TimeZone, DateStyle and IntervalStyle, so an
unqualified name, a timestamptz or date constant and an interval are read alike everywhere, and
drift (whose reference build pins them too) sees a database built under other rules."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.db.catalog import catalog
from tests.helpers import run_cli, write_definitions

PREFIX = "setp_"
DEFINITIONS = """
sequence: s_pub
start: 7
---
table: members
columns:
  - {name: name, type: text, primary_key: true}
---
table: events
columns:
  - {name: id, type: bigint, primary_key: true, default: "nextval('s_pub')"}
  - {name: at, type: timestamptz, default: "'2024-01-01 00:00'"}
  - {name: wait, type: interval, default: "'-1 2:03:04'"}
  - {name: day, type: date, default: "'01/02/2024'"}
  - {name: owner, type: text}
rls: {enabled: true}
policies:
  - {name: members_only, roles: [pg_monitor], using: "owner IN (SELECT name FROM members)"}
---
table: readings
columns:
  - {name: at, type: timestamptz, nullable: false}
partition_by: {method: range, columns: [at]}
partitions:
  - {name: readings_jan, from: ["2024-01-01 00:00"], to: ["2024-02-01 00:00"]}
---
function: member_count
returns: bigint
language: sql
volatility: stable
body: SELECT count(*) FROM members
---
schema: app
---
view: recent
schema: app
query: SELECT id, at FROM events
---
sequence: s_app
schema: app
start: 5
---
table: later
columns:
  - {name: id, type: bigint, default: "nextval('s_pub')"}
  - {name: other, type: bigint, default: "nextval('app.s_app')"}
"""
# the settings the database and the role running the migrations bring: nothing found on the
# search_path, a clock far from UTC, dates day first, intervals signed the SQL standard's way
HOSTILE = {"search_path": "nothing_here", "TimeZone": "Pacific/Kiritimati", "DateStyle": "SQL, DMY",
           "IntervalStyle": "sql_standard"}
OTHER = {"TimeZone": "America/Los_Angeles", "DateStyle": "German, DMY"}


def _alter_database(url: str, values: dict[str, str]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for name, value in values.items():
            conn.execute(sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                sql.Identifier(conn.info.dbname), sql.Identifier(name), sql.Literal(value)))


def _alike(url: str) -> str:
    """`url` read under one set of session settings, so both catalogs print alike."""
    return make_conninfo(url, options="-c search_path=public -c TimeZone=UTC -c DateStyle=ISO,MDY "
                                      "-c IntervalStyle=postgres")


@pytest.fixture
def role(admin_url: str, database_url: str) -> Iterator[str]:
    """A role of this test's own, its search_path another schema, that may create what it applies."""
    name = f"{PREFIX}applier"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER").format(sql.Identifier(name)))
        conn.execute(sql.SQL("ALTER ROLE {} SET search_path = elsewhere, app").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(database_url, autocommit=True) as conn:  # what it built there goes first
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _as(url: str, role: str) -> str:
    return make_conninfo(**{**conninfo_to_dict(url), "user": role})


def _applied(project: Path, url: str, capsys) -> None:
    code, out, err = run_cli(project, capsys, "apply", "--database-url", url)
    assert code == 0, (out, err)


def test_the_settings_of_the_database_and_its_role_change_nothing(
        tmp_path: Path, database_url: str, second_database_url: str, role: str, capsys) -> None:
    write_definitions(tmp_path, {"all.yaml": DEFINITIONS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    _alter_database(database_url, HOSTILE)
    hostile = _as(database_url, role)
    _applied(tmp_path, hostile, capsys)
    _applied(tmp_path, second_database_url, capsys)
    assert catalog(_alike(database_url)) == catalog(_alike(second_database_url))
    with psycopg.connect(_alike(database_url)) as conn:
        defaults = dict(conn.execute("SELECT adnum, pg_get_expr(adbin, adrelid) FROM pg_attrdef "
                                     "WHERE adrelid = 'public.events'::regclass").fetchall())
        assert defaults[2] == "'2024-01-01 00:00:00+00'::timestamp with time zone"
        assert defaults[3] == "'-1 days +02:03:04'::interval"
        assert defaults[4] == "'2024-01-02'::date"
        assert conn.execute("SELECT nextval('public.s_pub')").fetchone() == (7,)
        assert conn.execute("INSERT INTO later DEFAULT VALUES RETURNING other").fetchone() == (5,)
    for url in (hostile, second_database_url):
        code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", url)
        assert code == 0, (out, err)


def test_drift_sees_what_other_settings_built(tmp_path: Path, database_url: str, capsys) -> None:
    """The same definitions built by hand under another TimeZone and DateStyle store other values:
    drift says so, where a reference build under the database's own settings would agree."""
    write_definitions(tmp_path, {"all.yaml": DEFINITIONS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    _alter_database(database_url, OTHER)
    _applied(tmp_path, database_url, capsys)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE public.events ALTER COLUMN at SET DEFAULT '2024-01-01 00:00', "
                     "ALTER COLUMN day SET DEFAULT '01/02/2024'")
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 1, (out, err)
    assert "public.events" in out + err


# extensions in schemas of their own, none with a type schemac knows: their functions, called
# unqualified, are found on the migration's search_path as on a database whose search_path has them
EXTENSION_FUNCTIONS = """
extension: uuid-ossp
schema: extensions
---
extension: pgcrypto
schema: crypto
---
table: tokens
columns:
  - {name: id, type: uuid, primary_key: true, default: "uuid_generate_v4()"}
  - {name: salt, type: text, default: "gen_salt('md5')"}
"""


def test_functions_of_extensions_in_other_schemas_are_found(
        tmp_path: Path, database_url: str, capsys) -> None:
    write_definitions(tmp_path, {"all.yaml": EXTENSION_FUNCTIONS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    up = next((tmp_path / "generated" / "migrations").glob("001_*.sql")).read_text()
    assert "SET LOCAL search_path = public, crypto, extensions;" in up
    _alter_database(database_url, {"search_path": "nothing_here"})
    _applied(tmp_path, database_url, capsys)
    with psycopg.connect(_alike(database_url)) as conn:
        assert conn.execute("INSERT INTO tokens DEFAULT VALUES RETURNING salt LIKE '$1$%'").fetchone() == (True,)
    for command in ("drift", "verify"):
        code, out, err = run_cli(tmp_path, capsys, command, "--database-url", database_url)
        assert code == 0, (command, out, err)
