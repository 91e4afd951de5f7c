"""Policies that read other tables (a subquery in USING / WITH CHECK) or call functions of the
definitions, on a real PostgreSQL: PostgreSQL refuses to retype, drop or recreate what a policy
reads, so such a policy is dropped before and made again after; drift and import build what the
policy reads; two policies swap names through a free one; what compile refuses, PostgreSQL refuses.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg
import pytest

from compiler.live.introspect import introspect
from compiler.live.scratch import canonical
from compiler.model.schema import Schema
from compiler.plan.diff import diff
from tests.db.catalog import run_sql_file
from tests.db.migrate import migration, schema, up_and_back
from tests.helpers import run_cli, write_definitions


def _live(url: str) -> Schema:
    with psycopg.connect(url, autocommit=True) as conn:
        return introspect(conn)


def _round_trip(url: str, fresh_url: str, before: str, after: str) -> str:
    """before -> after and back (up_and_back), then each side introspected equals its definitions."""
    up, _ = up_and_back(url, fresh_url, before, after)
    old, new = schema(before), schema(after)
    run_sql_file(url, migration(old, new))
    assert diff(_live(url), canonical(new, url)) == []
    run_sql_file(url, migration(new, old))
    assert diff(_live(url), canonical(old, url)) == []
    return up


TENANTS = textwrap.dedent("""
    table: docs
    rls: {enabled: true}
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: tenant_id, type: integer}
    policies:
      - name: tenant_rows
        using: "tenant_id in (select tenant_id from members where user_name = current_user)"
    ---
    table: members
    columns:
      - {name: tenant_id, type: integer}
      - {name: user_name, type: text}
      - {name: nick, type: text}
    """)

CHANGES = {
    "a column it reads changes type": TENANTS.replace("{name: user_name, type: text}",
                                                      "{name: user_name, type: varchar(80)}"),
    "its subquery's table is renamed, a column of it retyped": TENANTS
    .replace("table: members\n", "table: people\nrenamed_from: members\n")
    .replace("{name: tenant_id, type: integer}\n  - {name: user_name",
             "{name: tenant_id, type: bigint}\n  - {name: user_name")
    .replace("from members where", "from people where"),
    "a column it reads is renamed and retyped": TENANTS
    .replace("{name: user_name, type: text}", "{name: login, type: varchar(80), renamed_from: user_name}")
    .replace("where user_name =", "where login ="),
    "a column it reads is dropped": TENANTS.replace("  - {name: user_name, type: text}\n", "")
    .replace("where user_name =", "where nick ="),
    "the table it reads is dropped": TENANTS.split("---")[0].replace(
        '"tenant_id in (select tenant_id from members where user_name = current_user)"', '"tenant_id > 0"'),
}


@pytest.mark.parametrize("after", CHANGES.values(), ids=CHANGES.keys())
def test_a_policy_reading_another_table_is_made_again_around_a_change_postgresql_refuses_under_it(
        after: str, database_url: str, second_database_url: str) -> None:
    up = _round_trip(database_url, second_database_url, TENANTS, after)
    assert up.index("DROP POLICY tenant_rows") < up.index("CREATE POLICY tenant_rows")


def test_a_policy_reading_a_renamed_table_is_left_to_postgresql(database_url: str, second_database_url: str) -> None:
    after = TENANTS.replace("table: members\n", "table: people\nrenamed_from: members\n").replace(
        "from members where", "from people where")
    up = _round_trip(database_url, second_database_url, TENANTS, after)
    assert "POLICY" not in up.split("BEGIN;")[1]  # PostgreSQL follows the rename inside the policy


SWAPPED = TENANTS.replace("""policies:
  - name: tenant_rows
    using: "tenant_id in (select tenant_id from members where user_name = current_user)"
""", """policies:
  - {name: first, command: select, using: "id > 0"}
  - {name: second, command: delete, using: "id > 1"}
""")
assert SWAPPED != TENANTS


def test_two_policies_swap_names_through_a_free_one(database_url: str, second_database_url: str) -> None:
    after = SWAPPED.replace("{name: first, command: select", "{name: second, renamed_from: first, command: select") \
        .replace("{name: second, command: delete", "{name: first, renamed_from: second, command: delete")
    up = _round_trip(database_url, second_database_url, SWAPPED, after)
    assert "DROP POLICY" not in up and "CREATE POLICY" not in up and "RENAME TO" in up


ALLOWED = textwrap.dedent("""
    function: allowed
    arguments: [{name: n, type: bigint}]
    returns: boolean
    language: sql
    volatility: immutable
    body: SELECT n > 0
    ---
    table: docs
    rls: {enabled: true}
    columns:
      - {name: id, type: bigint, primary_key: true}
    policies:
      - {name: by_function, using: allowed(id)}
    """)


# a new argument name: the function is dropped and created again, the policy around it
RENAMED_ARGUMENT = ALLOWED.replace("{name: n, type: bigint}", "{name: v, type: bigint}").replace(
    "SELECT n > 0", "SELECT v > 0")
# the policy gone with the function: dropped first
WITHOUT = ALLOWED.split("---\n")[1].replace("policies:\n  - {name: by_function, using: allowed(id)}\n", "")
FUNCTION_CASES = {"made": ("", ALLOWED), "function made again": (ALLOWED, RENAMED_ARGUMENT),
                  "both gone": (ALLOWED, WITHOUT)}


@pytest.mark.parametrize("before, after", FUNCTION_CASES.values(), ids=FUNCTION_CASES.keys())
def test_a_policy_calling_a_function_of_the_definitions_is_made_after_it_and_dropped_before(
        before: str, after: str, database_url: str, second_database_url: str) -> None:
    up = _round_trip(database_url, second_database_url, before, after)
    order = [s for s in ("DROP POLICY", "DROP FUNCTION", "CREATE FUNCTION", "CREATE POLICY") if s in up]
    assert sorted(order, key=up.index) == order


@pytest.mark.parametrize("definitions", [TENANTS, ALLOWED], ids=["subquery", "function"])
def test_drift_and_import_build_what_a_policy_reads(definitions: str, tmp_path: Path, database_url: str,
                                                     second_database_url: str, capsys) -> None:
    project = tmp_path / "project"
    write_definitions(project, {"defs.yaml": definitions})
    assert run_cli(project, capsys, "compile")[0] == 0
    code, _, err = run_cli(project, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    code, out, err = run_cli(project, capsys, "drift", "--database-url", database_url)
    assert code == 0, out + err
    with psycopg.connect(database_url, autocommit=True) as conn:  # a hand-made change on the policy's table
        conn.execute("COMMENT ON TABLE docs IS 'by hand'")
    code, out, err = run_cli(project, capsys, "drift", "--database-url", database_url)
    assert code == 1 and "docs" in out, out + err
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("COMMENT ON TABLE docs IS NULL")
    imported = tmp_path / "imported"
    imported.mkdir()
    code, _, err = run_cli(imported, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    assert "skipped" not in err, err
    assert run_cli(imported, capsys, "compile")[0] == 0
    code, _, err = run_cli(imported, capsys, "apply", "--database-url", second_database_url)
    assert code == 0, err
    code, out, err = run_cli(imported, capsys, "drift", "--database-url", database_url)
    assert code == 0, out + err


# what compile refuses in USING / WITH CHECK (tests/unit/test_security.py), as PostgreSQL refuses it
REFUSED = ["count(*) > 0", "row_number() over () > 1", "generate_series(1, id) > 0", "1", "id + 1", "owner",
           "owner || 'x'", "id::int", "(SELECT count(*) FROM members) + 1"]
ACCEPTED = ["id IN (SELECT count(*) FROM members)", "ok", "EXISTS (SELECT 1 FROM members WHERE t_id = id)"]


def test_postgresql_refuses_the_policy_expressions_compile_refuses(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id bigint, owner text, ok boolean); CREATE TABLE members (t_id bigint)")
        for text in REFUSED + ACCEPTED:
            try:
                with conn.transaction(force_rollback=True):
                    conn.execute(f"CREATE POLICY p ON t USING ({text})")  # type: ignore[arg-type]
                refused = False
            except psycopg.Error:
                refused = True
            assert refused == (text in REFUSED), text


@pytest.mark.parametrize("definitions, changed", [(TENANTS, CHANGES["its subquery's table is renamed, a column of it retyped"]),
                                                  (ALLOWED, RENAMED_ARGUMENT)], ids=["subquery", "function"])
def test_verify_proves_migrations_of_policies_reading_other_tables_and_functions(
        definitions: str, changed: str, tmp_path: Path, admin_url: str, capsys, monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for version in (definitions, changed):
        write_definitions(tmp_path, {"defs.yaml": version})
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "proven: rollback_002.sql restores the state before 002" in out
