"""apply's and verify's checks of grants run before the pending migrations, on a database that may
not hold yet the types and schemas a routine's signature names: such a routine is one the migrations
will make, owned by the role applying them, never an error."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.db.migrate import rows_of
from tests.db.own_roles import own_roles
from tests.helpers import run_cli, write_definitions

FUNCTION = """
function: f
arguments: [{{name: x, type: {type}}}]
returns: integer
language: sql
body: SELECT x::text::integer + 1
grants:
  - {{role: "{role}", privileges: [execute]}}
"""
SIGNATURE_TYPES = {
    "domain": ("domain: d\ntype: integer\n", "d"),
    "enum": ("enum: mood\nvalues: ['1', '2']\n", "mood"),
    "domain in another schema": ("schema: pfl_other\n---\ndomain: d\nschema: pfl_other\ntype: integer\n",
                                 "pfl_other.d"),
}


@pytest.fixture
def app(admin_url: str, database_url: str) -> Iterator[str]:
    with own_roles(admin_url, (database_url,), "pfl", ("app",)) as names:
        yield names["app"]


@pytest.fixture(autouse=True)
def _no_urls_from_the_environment(monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _me(url: str) -> str:
    with psycopg.connect(url) as conn:
        return str(rows_of(conn, "SELECT current_user::text")[0][0])


def _definitions(kind: str, role: str) -> str:
    made, name = SIGNATURE_TYPES[kind]
    return made + "---\n" + FUNCTION.format(type=name, role=role)


@pytest.mark.parametrize("kind", sorted(SIGNATURE_TYPES))
def test_a_grant_on_a_function_whose_argument_type_the_migration_makes_applies_and_verifies(
        kind: str, app: str, tmp_path: Path, admin_url: str, database_url: str, capsys) -> None:
    write_definitions(tmp_path, {"all.yaml": _definitions(kind, app)}, exact=True)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out + err
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT has_function_privilege(%s, p.oid, 'EXECUTE') FROM pg_proc p "
                            "WHERE proname = 'f'", (app,)).fetchall() == [(True,)]
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err


@pytest.mark.parametrize("kind", sorted(SIGNATURE_TYPES))
def test_a_grant_to_the_owner_of_a_function_the_migration_makes_with_its_argument_type_is_refused(
        kind: str, tmp_path: Path, admin_url: str, database_url: str, capsys) -> None:
    me = _me(database_url)
    write_definitions(tmp_path, {"all.yaml": _definitions(kind, me)}, exact=True)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code != 0
    assert "to the role that owns it: function public.f(" in err and f") to {me}" in err
    assert "nothing applied" in err
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT count(*) FROM pg_proc WHERE proname = 'f'") == [(0,)]
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code != 0
    assert "to the role that owns it: function public.f(" in out + err


def test_a_grant_added_to_the_owner_of_an_existing_function_with_a_domain_argument_is_refused(
        app: str, tmp_path: Path, database_url: str, capsys) -> None:
    me = _me(database_url)
    write_definitions(tmp_path, {"all.yaml": _definitions("domain", app)}, exact=True)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert run_cli(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    write_definitions(tmp_path, {"all.yaml": _definitions("domain", me)}, exact=True)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code != 0
    assert f"to the role that owns it: function public.f(d) to {me}" in err and "nothing applied" in err
