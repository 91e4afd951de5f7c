"""`grants:` on views, materialized views, standalone sequences, functions and procedures, on a
real PostgreSQL: made, changed, rolled back, kept across a drop and re-create, imported and
compared by drift. Roles are cluster-wide: each test makes its own and drops them at its end."""
from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from compiler.live.introspect import introspect
from compiler.live.scratch import canonical
from compiler.model.schema import Schema
from compiler.model.security import Privilege, public_defaults
from compiler.plan.diff import diff
from tests.db.catalog import run_sql_file
from tests.db.migrate import migration, rows_of, schema, up_and_back
from tests.db.own_roles import own_roles
from tests.db.test_security import drift_is_said_and_reconciled
from tests.helpers import run_cli, write_definitions


@pytest.fixture
def roles(admin_url: str, database_url: str, second_database_url: str) -> Iterator[dict[str, str]]:
    """Two roles of this test's own: reader and writer -> their names."""
    with own_roles(admin_url, (database_url, second_database_url), "schemac_ogr", ("reader", "writer")) as names:
        yield names


def _live(url: str) -> Schema:
    with psycopg.connect(url, autocommit=True) as conn:
        return introspect(conn)


def _yaml(text: str, roles: dict[str, str]) -> str:
    return textwrap.dedent(text).format(**roles)


TABLE = """
    table: items
    columns:
      - {{name: id, type: bigint, primary_key: true}}
      - {{name: price, type: {price}}}
    """
OLD = TABLE.replace("{price}", "integer") + """
    ---
    view: cheap
    query: SELECT id, price FROM items WHERE price < 10
    grants:
      - {{role: {reader}, privileges: [select]}}
      - {{role: {writer}, privileges: [insert, update], columns: [price]}}
    ---
    materialized_view: totals
    query: SELECT count(*) AS n FROM items
    grants:
      - {{role: {reader}, privileges: [select], with_grant_option: true}}
    ---
    sequence: tickets
    grants:
      - {{role: {writer}, privileges: [usage, update]}}
    ---
    function: price_of
    arguments: [{{name: item, type: bigint}}]
    returns: integer
    language: sql
    body: SELECT price FROM items WHERE id = item
    grants:
      - {{role: {reader}, privileges: [execute]}}
    ---
    procedure: touch
    language: plpgsql
    body: BEGIN NULL; END
    """
NEW = TABLE.replace("{price}", "integer") + """
    ---
    view: cheap
    query: SELECT id, price FROM items WHERE price < 10
    grants:
      - {{role: {reader}, privileges: [select], with_grant_option: true}}
    ---
    materialized_view: totals
    query: SELECT count(*) AS n FROM items
    ---
    sequence: tickets
    grants:
      - {{role: {writer}, privileges: [all]}}
      - {{role: {reader}, privileges: [select]}}
    ---
    function: price_of
    arguments: [{{name: item, type: bigint}}]
    returns: integer
    language: sql
    body: SELECT price FROM items WHERE id = item
    grants:
      - {{role: PUBLIC, privileges: [execute]}}
      - {{role: {writer}, privileges: [all], with_grant_option: true}}
    ---
    procedure: touch
    language: plpgsql
    body: BEGIN NULL; END
    grants:
      - {{role: {writer}, privileges: [execute]}}
    """


def test_grants_on_views_sequences_and_routines_go_up_and_back(roles: dict[str, str], database_url: str,
                                                                second_database_url: str) -> None:
    old, new = schema(_yaml(OLD, roles)), schema(_yaml(NEW, roles))
    up, down = up_and_back(database_url, second_database_url, _yaml(OLD, roles), _yaml(NEW, roles))
    reader, writer = roles["reader"], roles["writer"]
    assert f"GRANT SELECT ON TABLE public.cheap TO {reader} WITH GRANT OPTION;" in up
    assert f"REVOKE INSERT (price), UPDATE (price) ON TABLE public.cheap FROM {writer};" in up
    assert f"REVOKE SELECT ON TABLE public.totals FROM {reader};" in up
    assert f"GRANT SELECT ON SEQUENCE public.tickets TO {reader};" in up
    assert "GRANT EXECUTE ON FUNCTION public.price_of(bigint) TO PUBLIC;" in up
    assert "REVOKE EXECUTE ON PROCEDURE public.touch() FROM PUBLIC;" in up
    assert "REVOKE EXECUTE ON FUNCTION public.price_of(bigint) FROM PUBLIC;" in down
    assert "GRANT EXECUTE ON PROCEDURE public.touch() TO PUBLIC;" in down
    run_sql_file(database_url, migration(old, new))
    live = _live(database_url)
    assert live.views["public.cheap"].grants == (Privilege(reader, "select", None, True),)
    assert live.routines["public.touch()"].grants == (Privilege(writer, "execute"),)
    assert diff(live, canonical(new, database_url)) == []
    run_sql_file(database_url, migration(new, old))
    assert diff(_live(database_url), canonical(old, database_url)) == []


FUNCTIONS = """
    function: open_door
    returns: integer
    language: sql
    body: SELECT 1
    ---
    function: closed_door
    returns: integer
    language: sql
    security: definer
    body: SELECT 2
    grants:
      - {{role: {reader}, privileges: [execute]}}
    """


def test_declared_grants_are_a_functions_whole_acl_so_public_loses_its_default_execute(
        roles: dict[str, str], database_url: str) -> None:
    run_sql_file(database_url, migration(Schema(), schema(_yaml(FUNCTIONS, roles))))
    live = _live(database_url)
    assert live.routines["public.open_door()"].grants == public_defaults("function")
    assert live.routines["public.closed_door()"].grants == (Privilege(roles["reader"], "execute"),)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(roles["writer"])))
        assert rows_of(conn, "SELECT open_door()") == [(1,)]  # without `grants:`, PUBLIC may run it
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT closed_door()")
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(roles["reader"])))
        assert rows_of(conn, "SELECT closed_door()") == [(2,)]
        conn.execute("RESET ROLE")


RETYPED = """
    view: cheap
    query: SELECT id, price FROM items
    grants:
      - {{role: {reader}, privileges: [select]}}
    ---
    function: price_of
    arguments: [{{name: item, type: bigint}}]
    returns: {price}
    language: sql
    body: SELECT price FROM items WHERE id = item
    grants:
      - {{role: {reader}, privileges: [execute]}}
    """


def test_grants_are_made_again_when_their_object_is_dropped_and_made_again(
        roles: dict[str, str], database_url: str, second_database_url: str) -> None:
    before = _yaml(TABLE.replace("{price}", "integer") + "---" + RETYPED.replace("{price}", "integer"), roles)
    after = _yaml(TABLE.replace("{price}", "numeric") + "---" + RETYPED.replace("{price}", "numeric"), roles)
    kinds = [type(c).__name__ for c in diff(schema(before), schema(after))]
    assert {"DropView", "CreateView", "DropFunction", "CreateFunction"} <= set(kinds)
    up, _ = up_and_back(database_url, second_database_url, before, after)
    reader = roles["reader"]
    assert up.index("CREATE VIEW public.cheap") < up.index(f"GRANT SELECT ON TABLE public.cheap TO {reader};")
    assert "REVOKE EXECUTE ON FUNCTION public.price_of(bigint) FROM PUBLIC;" in up
    run_sql_file(database_url, migration(schema(before), schema(after)))  # back at `before` by now
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, f"SELECT has_table_privilege('{reader}', 'public.cheap', 'SELECT'), "
                             f"has_function_privilege('{reader}', 'public.price_of(bigint)', 'EXECUTE'), "
                             f"has_function_privilege('public', 'public.price_of(bigint)', 'EXECUTE')") == [
            (True, True, False)]


HAND_WRITTEN = """
CREATE TABLE items (id bigint PRIMARY KEY, price integer);
CREATE VIEW cheap AS SELECT id, price FROM items;
GRANT SELECT ON cheap TO {reader};
GRANT UPDATE (price) ON cheap TO {writer} WITH GRANT OPTION;
CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM items;
GRANT ALL ON totals TO {writer};
CREATE SEQUENCE tickets;
GRANT USAGE ON SEQUENCE tickets TO {reader};
CREATE FUNCTION shut() RETURNS int LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON FUNCTION shut() FROM PUBLIC;
CREATE FUNCTION kept(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
CREATE PROCEDURE run(a int) LANGUAGE plpgsql AS 'BEGIN NULL; END';
GRANT EXECUTE ON PROCEDURE run(int) TO {reader} WITH GRANT OPTION;
"""


def test_import_of_grants_on_views_sequences_and_routines_compiles_to_an_empty_drift(
        roles: dict[str, str], tmp_path: Path, database_url: str, second_database_url: str, capsys) -> None:
    run_sql_file(database_url, HAND_WRITTEN.format(**roles))
    code, _, err = run_cli(tmp_path, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    assert "privileges" not in err  # written, so not listed among what import leaves out
    written = "\n".join(p.read_text() for p in sorted((tmp_path / "definitions").rglob("*.yaml")))
    assert f"{{role: {roles['writer']}, privileges: [update], columns: [price], with_grant_option: true}}" in written
    assert f"{{role: {roles['writer']}, privileges: [all]}}" in written
    assert "grants: []" in written  # shut(): no one but its owner may run it
    assert "{role: PUBLIC, privileges: [execute]}" in written  # run(int): PUBLIC's default, kept
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", second_database_url)
    assert code == 0, err
    code, out, _ = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out
    assert diff(_live(second_database_url), _live(database_url)) == []


HAND_MADE = [
    ("GRANT DELETE ON cheap TO {reader}", "privileges on view public.cheap to {reader} are not in the definitions"),
    ("REVOKE SELECT ON totals FROM {writer}",
     "privileges on materialized view public.totals to {writer} are missing"),
    ("GRANT SELECT ON SEQUENCE tickets TO PUBLIC",
     "privileges on sequence public.tickets to PUBLIC are not in the definitions"),
    ("GRANT EXECUTE ON FUNCTION shut() TO {writer}",
     "privileges on function public.shut() to {writer} are not in the definitions"),
    ("REVOKE EXECUTE ON FUNCTION kept(int) FROM PUBLIC", "privileges on function public.kept(integer) to PUBLIC are missing"),
]


@pytest.mark.parametrize("statement, words", HAND_MADE, ids=[s.split(" ON ")[0][:30] for s, _ in HAND_MADE])
def test_drift_reports_a_privilege_changed_by_hand(statement: str, words: str, roles: dict[str, str],
                                                   database_url: str) -> None:
    drift_is_said_and_reconciled(database_url, HAND_WRITTEN.format(**roles), statement.format(**roles),
                                 words.format(**roles))


PUBLIC_DECLARED = """
    schema: public
    comment: Everything of the app.
    grants:
      - {role: PUBLIC, privileges: [usage, create]}
    """


def test_the_rollback_of_a_schema_public_declaration_gives_public_back_its_comment_and_grants(
        tmp_path: Path, admin_url: str, database_url: str, capsys, monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    table = "table: t\ncolumns:\n  - {name: id, type: bigint}\n"
    write_definitions(tmp_path, {"t.yaml": table})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"t.yaml": table, "schemas.yaml": PUBLIC_DECLARED})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    down = (tmp_path / "generated" / "migrations" / "rollback_002.sql").read_text()
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC;" in down
    assert "COMMENT ON SCHEMA public IS 'standard public schema';" in down
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert run_cli(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    assert run_cli(tmp_path, capsys, "rollback", "--database-url", database_url, "--steps", "1")[0] == 0
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT nspacl::text, obj_description(oid, 'pg_namespace') FROM pg_namespace "
                             "WHERE nspname = 'public'") == [
            ("{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}", "standard public schema")]


OWNER_GRANTS = {
    "table public.t": "table: t\ncolumns:\n  - {{name: id, type: bigint}}\ngrants:\n"
                      "  - {{role: \"{me}\", privileges: [select]}}\n",
    "function public.one()": "function: one\nreturns: integer\nlanguage: sql\nbody: SELECT 1\ngrants:\n"
                             "  - {{role: \"{me}\", privileges: [execute]}}\n",
}


@pytest.mark.parametrize("what", sorted(OWNER_GRANTS))
def test_a_grant_to_the_role_that_owns_the_object_is_refused_by_apply_and_verify(
        what: str, tmp_path: Path, admin_url: str, database_url: str, capsys, monkeypatch) -> None:
    """PostgreSQL folds such a grant into the owner's own privileges, which are never compared: it
    would compile, apply and then show as missing in every drift."""
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with psycopg.connect(database_url) as conn:
        me = rows_of(conn, "SELECT current_user::text")[0][0]
    write_definitions(tmp_path, {"t.yaml": OWNER_GRANTS[what].format(me=me)}, exact=True)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code != 0
    assert f"grant privileges on an object to the role that owns it: {what} to {me}" in err
    assert "nothing applied" in err
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT count(*) FROM pg_class WHERE relname = 't'") == [(0,)]
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code != 0
    assert f"to the role that owns it: {what}" in out + err


def test_verify_proves_grants_on_views_sequences_and_routines_and_their_rollback(
        roles: dict[str, str], tmp_path: Path, admin_url: str, capsys, monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for version in (OLD, NEW):
        write_definitions(tmp_path, {"all.yaml": _yaml(version, roles)})
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "proven: rollback_002.sql restores the state before 002" in out
