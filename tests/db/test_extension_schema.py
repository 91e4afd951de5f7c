"""An extension in a schema of its own (`extension: citext` / `schema: extensions`): its types
are named with that schema wherever SQL names them, so a database whose search_path puts another
schema holding a type of the same name first ends up as a fresh build does; import, drift and
verify read the schema back."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from compiler.model.schema import Schema
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import migration, schema
from tests.helpers import run_cli, write_definitions

# a domain named citext in `other`, first on the search_path: an unqualified `citext` is this one,
# and its check refuses the values below
OTHER = "CREATE SCHEMA other; CREATE DOMAIN other.citext AS text CHECK (VALUE NOT LIKE '%@%');"
DEFINITIONS = """
extension: citext
schema: extensions
---
table: people
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: citext, nullable: false, default: "'x@example.org'::citext"}
  - {name: aliases, type: "extensions.citext[]"}
  - {name: code, type: text}
checks:
  - {name: not_admin, expression: "email <> CAST('ADMIN@example.org' AS citext)"}
indexes:
  - {columns: [email], where: "email <> 'root@example.org'::citext"}
"""
# text to citext: a type change of a column that holds a row
LATER = DEFINITIONS.replace("{name: code, type: text}", "{name: code, type: citext}")


@pytest.fixture(autouse=True)
def _no_dev_server_from_the_environment(monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _search_path(url: str, path: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {conn.info.dbname} SET search_path = {path}")


def _on_public(url: str) -> str:
    return make_conninfo(url, options="-c search_path=public")


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


def test_an_extension_in_its_own_schema_behind_a_hostile_search_path(
        tmp_path: Path, database_url: str, second_database_url: str, capsys) -> None:
    run_sql_file(database_url, OTHER)
    _search_path(database_url, "other, public, extensions")
    write_definitions(tmp_path, {"schema.yaml": DEFINITIONS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"schema.yaml": LATER})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, _, err = run_cli(tmp_path, capsys, "apply", "--to", "1", "--database-url", database_url)
    assert code == 0, err
    run_sql_file(database_url, "INSERT INTO public.people (id, aliases, code) VALUES (1, '{A@B}', 'C@D');")
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err

    # citext from `extensions`, not the domain: case-insensitive, and the default is accepted
    assert _rows(database_url, "SELECT count(*) FROM public.people WHERE email = 'X@EXAMPLE.ORG' "
                               "AND aliases[1] = 'a@b' AND code = 'c@d'") == [(1,)]
    assert _rows(database_url, "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                               "WHERE a.attrelid = 'public.people'::regclass AND a.attnum > 0 ORDER BY 1") == [
        ("aliases", "extensions.citext[]"), ("code", "extensions.citext"), ("email", "extensions.citext"),
        ("id", "bigint")]
    # the decoy domain is a hand-made object schemac now manages: drift names it, and nothing else
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 1, out + err
    assert "2 difference(s)" in out and "domain other.citext is not in the definitions" in out, out
    assert "schema other is not in the definitions" in out, out
    code, out, err = run_cli(tmp_path, capsys, "verify", "--database-url", database_url)
    assert code == 0, out + err

    # the same catalog as a fresh build on a database with the extension's schema on its path
    run_sql_file(second_database_url, OTHER)
    _search_path(second_database_url, "public, extensions")
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", second_database_url)
    assert code == 0, err
    assert catalog(_on_public(database_url)) == catalog(_on_public(second_database_url))

    code, _, err = run_cli(tmp_path, capsys, "rollback", "--steps", "2", "--database-url", database_url)
    assert code == 0, err
    assert _rows(database_url, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'") == [(0,)]
    assert _rows(database_url, "SELECT typname FROM pg_type WHERE typnamespace = 'other'::regnamespace "
                               "AND typname = 'citext'") == [("citext",)]


HAND_WRITTEN = r"""
CREATE SCHEMA extensions;
CREATE EXTENSION citext SCHEMA extensions;
CREATE TABLE public.people (
    id bigint PRIMARY KEY,
    email extensions.citext NOT NULL DEFAULT 'x'::extensions.citext,
    aliases extensions.citext[],
    CHECK (email <> 'admin'::extensions.citext)
);
"""


def test_import_writes_the_schema_of_an_extension(tmp_path: Path, database_url: str, capsys) -> None:
    _search_path(database_url, "public, extensions")
    run_sql_file(database_url, HAND_WRITTEN)
    code, _, err = run_cli(tmp_path, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    types = (tmp_path / "definitions" / "types.yaml").read_text()
    assert "extension: citext" in types and "schema: extensions" in types
    people = (tmp_path / "definitions" / "people.yaml").read_text()
    assert "type: citext" in people and "extensions" not in people  # casts too: `'x'::citext`
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, _, err = run_cli(tmp_path, capsys, "apply", "--baseline", "1", "--database-url", database_url)
    assert code == 0, err
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out + err

    # moved by hand: drift says so
    run_sql_file(database_url, "ALTER EXTENSION citext SET SCHEMA public;")
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 1, out + err
    assert "extension citext is installed in another schema" in out


def test_an_extension_declared_in_public_goes_there_whatever_the_search_path(database_url: str) -> None:
    run_sql_file(database_url, "CREATE SCHEMA other;")
    _search_path(database_url, "other, public")
    run_sql_file(database_url, migration(Schema(), schema(PUBLIC)))
    run_sql_file(database_url, "INSERT INTO public.t VALUES ('A');")
    assert _rows(database_url, "SELECT extnamespace::regnamespace::text FROM pg_extension "
                               "WHERE extname = 'citext'") == [("public",)]
    assert _rows(database_url, "SELECT count(*) FROM public.t WHERE c = 'a'") == [(1,)]


PUBLIC = """
extension: citext
---
table: t
columns:
  - {name: c, type: citext}
"""


def test_an_extension_declared_in_public_that_lives_elsewhere_is_reported(
        tmp_path: Path, database_url: str, capsys) -> None:
    """A project from before extensions had a schema, on a database that holds citext in `ext`:
    drift says where it is, and verify fails on a migration that names the type in public."""
    write_definitions(tmp_path, {"schema.yaml": PUBLIC})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    _search_path(database_url, "public, ext")
    run_sql_file(database_url, "CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext; "
                               "CREATE TABLE public.t (c citext);")
    code, _, err = run_cli(tmp_path, capsys, "apply", "--baseline", "1", "--database-url", database_url)
    assert code == 0, err
    code, out, _ = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 1
    assert "extension citext is installed in another schema" in out
    assert "column" not in out  # the column's type is citext on both sides
    code, out, err = run_cli(tmp_path, capsys, "verify", "--database-url", database_url)
    assert code == 5
    assert 'type "public.citext" does not exist' in out + err
