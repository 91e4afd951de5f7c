"""Row-level security, policies and grants to roles of their own, on a real PostgreSQL.

Roles are cluster-wide: each test makes its own, under a name no other test (nor another
branch's run) uses, and drops them at its end after DROP OWNED BY in its databases, so the
databases go back to the pool holding no privilege of a role that is gone.
"""
from __future__ import annotations

import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from compiler.live.drift import in_words
from compiler.live.introspect import introspect
from compiler.live.scratch import canonical
from compiler.model.schema import Schema
from compiler.model.security import Privilege
from compiler.plan.diff import diff, plan
from compiler.sql.render import Renderer
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import migration, rows_of, schema, up_and_back
from tests.db.own_roles import own_roles
from tests.helpers import run_cli, write_definitions


@pytest.fixture
def roles(admin_url: str, database_url: str, second_database_url: str) -> Iterator[dict[str, str]]:
    """Three roles of this test's own: reader, writer, auditor -> their names."""
    with own_roles(admin_url, (database_url, second_database_url), "schemac_rls", ("reader", "writer", "auditor")) as names:
        yield names


def _live(url: str) -> Schema:
    with psycopg.connect(url, autocommit=True) as conn:
        return introspect(conn)


def _yaml(text: str, roles: dict[str, str]) -> str:
    return textwrap.dedent(text).format(**roles)


OLD = """
    schema: analytics
    comment: Reports.
    grants:
      - {{role: {reader}, privileges: [usage]}}
    ---
    table: notes
    schema: analytics
    rls: {{enabled: true}}
    columns:
      - {{name: id, type: bigint, primary_key: true}}
      - {{name: author, type: text, nullable: false}}
      - {{name: body, type: text}}
    policies:
      - {{name: own, roles: [{reader}], using: "author = current_user"}}
      - {{name: writes, command: insert, roles: [{writer}, {auditor}], with_check: "author = current_user"}}
    grants:
      - {{role: {reader}, privileges: [select]}}
      - {{role: {writer}, privileges: [insert, update], columns: [body], with_grant_option: true}}
      - {{role: PUBLIC, privileges: [references]}}
    """
NEW = """
    schema: analytics
    grants:
      - {{role: {reader}, privileges: [usage], with_grant_option: true}}
      - {{role: {writer}, privileges: [all]}}
    ---
    table: notes
    schema: analytics
    rls: {{enabled: true, forced: true}}
    columns:
      - {{name: id, type: bigint, primary_key: true}}
      - {{name: author, type: text, nullable: false}}
      - {{name: body, type: text}}
    policies:
      - {{name: own, roles: [{reader}, {writer}], using: "author = current_user", comment: Their own.}}
      - {{name: writes, command: insert, roles: [{writer}], with_check: "author = current_user AND body IS NOT NULL"}}
      - {{name: audits, command: select, roles: [{auditor}], using: "true", permissive: false}}
    grants:
      - {{role: {reader}, privileges: [select], with_grant_option: true}}
      - {{role: {writer}, privileges: [insert], columns: [body, author]}}
      - {{role: {auditor}, privileges: [select, trigger, truncate]}}
    """


def test_policies_and_grants_to_roles_go_up_and_back(roles: dict[str, str], database_url: str,
                                                      second_database_url: str) -> None:
    old, new = schema(_yaml(OLD, roles)), schema(_yaml(NEW, roles))
    kinds = {type(c).__name__ for c in diff(old, new)}
    assert {"Grant", "Revoke", "AlterPolicy", "CreatePolicy", "ForceRowSecurity", "SetPolicyComment",
            "SetSchemaComment"} <= kinds
    up, down = up_and_back(database_url, second_database_url, _yaml(OLD, roles), _yaml(NEW, roles))
    writer = roles["writer"]
    assert f"REVOKE GRANT OPTION FOR INSERT (body) ON TABLE analytics.notes FROM {writer};" in up
    assert f"REVOKE UPDATE (body) ON TABLE analytics.notes FROM {writer};" in up
    assert f"GRANT USAGE ON SCHEMA analytics TO {roles['reader']} WITH GRANT OPTION;" in up
    # introspected, each side equals the definitions as PostgreSQL stores them
    run_sql_file(database_url, migration(old, new))
    assert diff(_live(database_url), canonical(new, database_url)) == []
    run_sql_file(database_url, migration(new, old))
    assert diff(_live(database_url), canonical(old, database_url)) == []


def test_policies_decide_which_rows_a_role_sees(roles: dict[str, str], database_url: str) -> None:
    defs = _yaml(OLD, roles)
    run_sql_file(database_url, migration(Schema(), schema(defs)))
    reader = roles["reader"]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO analytics.notes VALUES (1, %s, 'mine'), (2, 'someone else', 'theirs')", [reader])
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(reader)))
        assert rows_of(conn, "SELECT id FROM analytics.notes ORDER BY id") == [(1,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO analytics.notes VALUES (3, 'x', 'y')")  # reader may only read
        conn.execute("RESET ROLE")


HAND_WRITTEN = """
CREATE SCHEMA analytics;
COMMENT ON SCHEMA analytics IS 'Reports.';
GRANT USAGE ON SCHEMA analytics TO {reader};
GRANT USAGE, CREATE ON SCHEMA analytics TO {writer} WITH GRANT OPTION;
CREATE SCHEMA nothing_yet;
CREATE TABLE analytics.notes (id bigint PRIMARY KEY, author text NOT NULL, body text, secret text);
ALTER TABLE analytics.notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics.notes FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON analytics.notes FOR SELECT TO {reader}, {writer} USING (author = current_user);
CREATE POLICY adds ON analytics.notes FOR INSERT TO {writer} WITH CHECK (author = current_user AND body <> '');
CREATE POLICY edits ON analytics.notes FOR UPDATE USING (author = current_user) WITH CHECK (true);
CREATE POLICY fence ON analytics.notes AS RESTRICTIVE FOR ALL TO PUBLIC USING (id > 0);
CREATE POLICY gone ON analytics.notes FOR DELETE TO {auditor} USING (id < 0);
COMMENT ON POLICY fence ON analytics.notes IS 'No negative ids.';
GRANT SELECT ON analytics.notes TO {reader};
GRANT SELECT (id, body), UPDATE (body) ON analytics.notes TO {writer} WITH GRANT OPTION;
GRANT ALL ON analytics.notes TO {auditor};
GRANT REFERENCES (id) ON analytics.notes TO PUBLIC;
CREATE TABLE public.plain (id int);
"""


def test_import_of_row_security_policies_and_grants_compiles_to_an_empty_diff(
        roles: dict[str, str], tmp_path: Path, database_url: str, second_database_url: str, capsys) -> None:
    run_sql_file(database_url, HAND_WRITTEN.format(**roles))
    code, _, err = run_cli(tmp_path, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    notes = (tmp_path / "definitions" / "analytics" / "notes.yaml").read_text()
    assert "rls: {enabled: true, forced: true}" in notes
    assert "{name: fence, using: id > 0, permissive: false, comment: No negative ids.}" in notes
    assert f"{{role: {roles['auditor']}, privileges: [all]}}" in notes
    assert (f"{{role: {roles['writer']}, privileges: [select], columns: [body, id], with_grant_option: true}}"
            in notes)
    schemas = (tmp_path / "definitions" / "schemas.yaml").read_text()
    assert "schema: nothing_yet" in schemas and "comment: Reports." in schemas
    assert "policy" not in err and "privileges" not in err  # nothing about them left out
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", second_database_url)
    assert code == 0, err
    original, rebuilt = catalog(database_url), catalog(second_database_url)
    for part in original:
        assert [r for r in rebuilt[part] if "schema_migrations" not in r] == original[part], part
    code, out, _ = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out


# a change made by hand -> what drift must say about it
HAND_MADE = [
    ("CREATE POLICY extra ON analytics.notes USING (true)", "policy analytics.notes.extra is not in the definitions or differs"),
    ("DROP POLICY gone ON analytics.notes", "policy analytics.notes.gone is missing or differs"),
    ("ALTER POLICY own ON analytics.notes TO {reader}", "policy analytics.notes.own has other roles or expressions"),
    ("ALTER POLICY edits ON analytics.notes USING (id = 1)",
     "policy analytics.notes.edits has other roles or expressions"),
    ("COMMENT ON POLICY fence ON analytics.notes IS 'x'", "policy analytics.notes.fence has another comment"),
    ("ALTER POLICY gone ON analytics.notes RENAME TO went", "policy analytics.notes.gone is missing or differs"),
    ("ALTER TABLE analytics.notes DISABLE ROW LEVEL SECURITY",
     "table analytics.notes does not enforce row-level security"),
    ("ALTER TABLE analytics.notes NO FORCE ROW LEVEL SECURITY",
     "table analytics.notes does not apply row-level security to its owner"),
    ("ALTER TABLE public.plain ENABLE ROW LEVEL SECURITY",
     "table public.plain enforces row-level security but should not"),
    ("GRANT DELETE ON analytics.notes TO {reader}",
     "privileges on table analytics.notes to {reader} are not in the definitions"),
    ("REVOKE SELECT ON analytics.notes FROM {reader}", "privileges on table analytics.notes to {reader} are missing"),
    ("REVOKE GRANT OPTION FOR UPDATE (body) ON analytics.notes FROM {writer}",
     "privileges on table analytics.notes to {writer} are missing"),
    ("GRANT INSERT (secret) ON analytics.notes TO PUBLIC",
     "privileges on table analytics.notes to PUBLIC are not in the definitions"),
    ("GRANT SELECT ON public.plain TO {auditor}",
     "privileges on table public.plain to {auditor} are not in the definitions"),
    ("REVOKE CREATE ON SCHEMA analytics FROM {writer}", "privileges on schema analytics to {writer} are missing"),
    ("COMMENT ON SCHEMA analytics IS NULL", "schema analytics has another comment"),
]


@pytest.mark.parametrize("statement, words", HAND_MADE, ids=[s.split(" ON ")[0][:40] for s, _ in HAND_MADE])
def test_drift_reports_a_hand_made_change(statement: str, words: str, roles: dict[str, str],
                                          database_url: str) -> None:
    drift_is_said_and_reconciled(database_url, HAND_WRITTEN.format(**roles), statement.format(**roles),
                                 words.format(**roles))


def drift_is_said_and_reconciled(url: str, built: str, by_hand: str, words: str) -> None:
    """After `built`, a change `by_hand` is planned back in `words`, and running that plan undoes it."""
    run_sql_file(url, built)
    wanted = _live(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(by_hand)
    planned = plan(_live(url), wanted)
    assert words in [in_words(c) for c in planned.changes]
    run_sql_file(url, Renderer().migration("reconcile", planned, []))
    assert diff(_live(url), wanted) == []


def test_a_policy_over_a_renamed_column_keeps_reading_it(database_url: str, second_database_url: str) -> None:
    before = """
        table: t
        rls: {enabled: true}
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: owner, type: text}
        policies:
          - {name: own, using: "owner = current_user"}
        """
    after = before.replace("{name: owner, type: text}", "{name: owned_by, type: text, renamed_from: owner}").replace(
        "owner = current_user", "owned_by = current_user")
    up, _ = up_and_back(database_url, second_database_url, before, after)
    assert "POLICY" not in up.split("BEGIN;")[1]  # PostgreSQL renames it inside the policy itself
    run_sql_file(database_url, up)
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy") == [("(owned_by = CURRENT_USER)",)]
    assert diff(_live(database_url), canonical(schema(after), database_url)) == []


MISSING = """
    table: t
    columns:
      - {name: id, type: bigint}
    grants:
      - {role: schemac_rls_nobody_at_all, privileges: [select]}
    """


def test_a_grant_to_a_missing_role_is_a_clear_error(tmp_path: Path, database_url: str, admin_url: str,
                                                     capsys, monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    write_definitions(tmp_path, {"t.yaml": MISSING})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 5, out + err
    assert "role(s) that do not exist on the server verify proves on: schemac_rls_nobody_at_all" in out + err
    code, out, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 4, out + err
    assert "role(s) that do not exist on the database's server: schemac_rls_nobody_at_all" in err
    assert "nothing applied" in err
    with psycopg.connect(database_url) as conn:  # nothing ran: not even the migrations table's row
        assert rows_of(conn, "SELECT count(*) FROM pg_class WHERE relname = 't'") == [(0,)]



def test_import_leaves_out_a_policy_that_uses_a_type_schemac_does_not_manage(
        tmp_path: Path, database_url: str, capsys) -> None:
    run_sql_file(database_url, """
        CREATE TYPE pair AS (a bigint, b bigint);
        CREATE FUNCTION allowed(n bigint) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT n > 0';
        CREATE TABLE t (id bigint PRIMARY KEY);
        ALTER TABLE t ENABLE ROW LEVEL SECURITY;
        CREATE POLICY by_type ON t USING ((ROW(id, id)::pair).a > 0);
        CREATE POLICY by_function ON t USING (allowed(id));
        CREATE POLICY plain ON t USING (id > 0);
        """)
    code, _, err = run_cli(tmp_path, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    assert "public.t policy by_type: uses type pair, which schemac does not manage; skipped" in err
    written = (tmp_path / "definitions" / "t.yaml").read_text()
    # a routine schemac writes is made before the policies that call it
    assert "plain" in written and "by_function" in written and "by_type" not in written


def test_verify_proves_policies_and_grants_to_roles_the_server_has(
        roles: dict[str, str], tmp_path: Path, admin_url: str, capsys, monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for version in (OLD, NEW):
        write_definitions(tmp_path, {"notes.yaml": _yaml(version, roles)})
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "proven: rollback_002.sql restores the state before 002" in out


def test_introspection_reads_the_acls_of_routines_and_sequences(roles: dict[str, str], database_url: str) -> None:
    """A routine's NULL ACL is EXECUTE for PUBLIC, as acldefault says."""
    from compiler.model.security import public_defaults
    reader = roles["reader"]
    run_sql_file(database_url, f"""
        CREATE FUNCTION open_one() RETURNS int LANGUAGE sql AS 'SELECT 1';
        CREATE FUNCTION closed_one() RETURNS int LANGUAGE sql AS 'SELECT 1';
        REVOKE EXECUTE ON FUNCTION closed_one() FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION closed_one() TO {reader} WITH GRANT OPTION;
        CREATE SEQUENCE ids;
        GRANT USAGE ON SEQUENCE ids TO {reader};
        """)
    live = _live(database_url)
    assert live.routines["public.open_one()"].grants == public_defaults("function")
    assert live.routines["public.closed_one()"].grants == (Privilege(reader, "execute", None, True),)
    assert live.sequences["public.ids"].grants == (Privilege(reader, "usage"),)


def test_a_database_given_back_after_a_role_held_privileges_in_it_comes_back_empty(admin_url: str) -> None:
    """The pool (tests/conftest.py) empties a database for the next test: privileges of a role,
    revoked with DROP OWNED BY before DROP ROLE, leave nothing behind, public's ACL included."""
    from tests.conftest import create_database, drop_database
    role = f"schemac_rls_{uuid.uuid4().hex[:10]}_pool"
    url = create_database(admin_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(role)))
    try:
        run_sql_file(url, f"CREATE TABLE t (id int); GRANT SELECT ON t TO {role}; "
                          f"GRANT CREATE ON SCHEMA public TO {role}; ALTER TABLE t ENABLE ROW LEVEL SECURITY; "
                          f"CREATE POLICY p ON t TO {role} USING (true);")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
        drop_database(admin_url, url)
    again = create_database(admin_url)
    try:
        with psycopg.connect(again) as conn:
            assert rows_of(conn, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace") == [(0,)]
            assert rows_of(conn, "SELECT count(*) FROM pg_policy") == [(0,)]
            assert rows_of(conn, "SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'") == [
                ("{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}",)]
        assert _live(again) == Schema()
    finally:
        drop_database(admin_url, again)
