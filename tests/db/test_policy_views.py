"""Policies whose subquery reads a view, on a real PostgreSQL: PostgreSQL refuses to drop a view a
policy reads, so a policy reading a view that the migration drops (to create it again, or for
good) is dropped before it and made again after it, up and back; a view removed while a policy
still reads it is refused by compile."""
from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg
import pytest

from tests.db.catalog import catalog
from tests.helpers import run_cli, write_definitions

MEMBERS = textwrap.dedent("""
    table: members
    columns:
      - {name: tenant_id, type: integer, nullable: false}
      - {name: member, type: text, nullable: false}
    ---
    """)
VIEW = textwrap.dedent("""
    view: my_tenants
    query: SELECT tenant_id FROM members WHERE member = current_user
    ---
    """)
DOCS = textwrap.dedent("""
    table: docs
    rls: {enabled: true}
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: tenant_id, type: integer, nullable: false}
    policies:
      - name: via_view
        using: "tenant_id IN (SELECT tenant_id FROM my_tenants)"
    """)
BEFORE = MEMBERS + VIEW + DOCS
ROWS = "INSERT INTO members VALUES (1, current_user), (2, 'someone'); INSERT INTO docs VALUES (10, 1), (20, 2)"
CHANGES = {
    # the view is dropped and created again around the column's new type
    "the view is made again": BEFORE.replace("{name: tenant_id, type: integer, nullable: false}\n  - {name: member",
                                             "{name: tenant_id, type: bigint, nullable: false}\n  - {name: member"),
    # the view and the policy go together; the policy goes first
    "the view and the policy are removed": MEMBERS + DOCS.split("policies:")[0],
    # the policy now reads the table itself; the view goes after it
    "the view is removed, the policy reads the table": MEMBERS + DOCS.replace(
        "SELECT tenant_id FROM my_tenants", "SELECT tenant_id FROM members WHERE member = current_user"),
}


def _rows(url: str) -> list[tuple[int, int]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute("SELECT id, tenant_id FROM docs ORDER BY id").fetchall()]


@pytest.mark.parametrize("after", CHANGES.values(), ids=CHANGES.keys())
def test_a_policy_reading_a_view_dropped_is_dropped_before_it_and_made_again_after(
        after: str, tmp_path: Path, database_url: str, capsys) -> None:
    write_definitions(tmp_path, {"defs.yaml": BEFORE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(ROWS)
    before = catalog(database_url)
    write_definitions(tmp_path, {"defs.yaml": after})
    code, _, err = run_cli(tmp_path, capsys, "compile", "--allow-destructive")
    assert code == 0, err
    code, _, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out + err
    assert _rows(database_url) == [(10, 1), (20, 2)]
    code, _, err = run_cli(tmp_path, capsys, "rollback", "--database-url", database_url)
    assert code == 0, err
    assert catalog(database_url) == before, "the rollback did not restore the catalog"
    assert _rows(database_url) == [(10, 1), (20, 2)]
    for name in ("002_*.sql", "rollback_002.sql"):
        sql = next((tmp_path / "generated" / "migrations").glob(name)).read_text()
        if "DROP VIEW" in sql:
            assert sql.index("DROP POLICY via_view") < sql.index("DROP VIEW"), name
