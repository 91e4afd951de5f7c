"""Views and materialized views against a real PostgreSQL: migrations that leave the database as the
definitions say (read back through the scratch database, as drift reads it), import of a database
holding views, and drift reporting a view changed by hand."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from compiler.live.introspect import introspect
from compiler.live.scratch import canonical
from compiler.model.schema import Schema
from compiler.plan.diff import diff
from tests.change_cases import CHAIN, VIEW_CASES
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import migration, rows_of, schema
from tests.db.test_apply import schemac
from tests.helpers import write_definitions


def live(url: str) -> Schema:
    with psycopg.connect(url) as conn:
        return introspect(conn)


def differences(url: str, wanted: Schema) -> list[str]:
    """What drift would find: the database against `wanted` built in a scratch database."""
    return [f"{c.kind} {c.subject}" for c in diff(live(url), canonical(wanted, url))]


@pytest.mark.parametrize("case", sorted(VIEW_CASES))
def test_each_view_change_leaves_what_the_definitions_say_up_and_back(case: str, database_url: str) -> None:
    old, new = (schema(t) for t in VIEW_CASES[case])
    run_sql_file(database_url, migration(Schema(), old))
    if "public.t" in old.tables:
        run_sql_file(database_url, "INSERT INTO t (id, name) VALUES (1, 'a'), (2, NULL);")
    run_sql_file(database_url, migration(old, new))
    assert differences(database_url, new) == []
    run_sql_file(database_url, migration(new, old))
    assert differences(database_url, old) == []


def test_a_view_on_a_view_on_a_column_that_changes_type(database_url: str) -> None:
    """The views are dropped, deepest first, and built again over the new type, rows and all."""
    old = schema(CHAIN)
    new = schema(CHAIN.replace("{name: n, type: integer}", "{name: n, type: bigint}"))
    run_sql_file(database_url, migration(Schema(), old))
    run_sql_file(database_url, "INSERT INTO t VALUES (1, 'a', 2), (2, 'b', 2), (3, 'c', 5);")
    up = migration(old, new)
    assert up.index("DROP VIEW public.v2") < up.index("DROP VIEW public.v1") < up.index("ALTER TABLE public.t")
    run_sql_file(database_url, up)
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT id, m FROM v2 ORDER BY id") == [(1, 3), (2, 3), (3, 6)]
        assert rows_of(conn, "SELECT n, c FROM mv ORDER BY n") == [(2, 2), (5, 1)]
        assert rows_of(conn, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                             "WHERE attrelid = 'v2'::regclass AND attname = 'm'") == [("bigint",)]
    assert differences(database_url, new) == []
    run_sql_file(database_url, migration(new, old))
    assert differences(database_url, old) == []


def test_a_column_renamed_under_a_view_is_followed_not_rebuilt(database_url: str) -> None:
    """PostgreSQL rewrites the stored query itself: the plan renames the view's column, nothing more."""
    old, new = (schema(t) for t in VIEW_CASES["view_column_renamed_with_its_table"])
    assert [c.kind for c in diff(old, new)] == ["RenameColumn", "RenameViewColumn"]
    run_sql_file(database_url, migration(Schema(), old))
    oid = live(database_url).views and rows_of(psycopg.connect(database_url), "SELECT 'named'::regclass::oid")
    run_sql_file(database_url, migration(old, new))
    assert rows_of(psycopg.connect(database_url), "SELECT 'named'::regclass::oid") == oid  # the same view
    assert differences(database_url, new) == []


HAND_MADE = """
CREATE SCHEMA reports;
CREATE TABLE public.accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL);
COMMENT ON TABLE public.accounts IS 'Accounts.';
CREATE VIEW public.rich WITH (security_barrier = on) AS
    SELECT id, owner FROM accounts WHERE balance > 1000 WITH LOCAL CHECK OPTION;
COMMENT ON VIEW public.rich IS 'Over a thousand.';
COMMENT ON COLUMN public.rich.owner IS 'Who.';
CREATE VIEW reports.rich_owners AS SELECT owner FROM public.rich WHERE owner <> '' WITH CASCADED CHECK OPTION;
CREATE MATERIALIZED VIEW reports.totals WITH (fillfactor = 90) AS
    SELECT owner, sum(balance) AS total FROM public.accounts GROUP BY owner WITH NO DATA;
CREATE UNIQUE INDEX totals_owner ON reports.totals (owner);
CREATE VIEW public."Odd View" (a, b) AS SELECT id, upper(owner) FROM accounts;
"""


def test_import_of_views_compiles_to_no_difference(tmp_path: Path, database_url: str, second_database_url: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, HAND_MADE)
    code, _, err = schemac(tmp_path, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert "view" not in err  # none left out
    files = sorted(p.relative_to(tmp_path / "definitions").as_posix() for p in (tmp_path / "definitions").rglob("*.yaml"))
    assert files == ["Odd_View.yaml", "accounts.yaml", "reports/rich_owners.yaml", "reports/totals.yaml", "rich.yaml"]
    totals = (tmp_path / "definitions" / "reports" / "totals.yaml").read_text()
    assert "with_data: false" in totals and "fillfactor: 90" in totals and "totals_owner" in totals
    rich = (tmp_path / "definitions" / "rich.yaml").read_text()
    assert "{check_option: local, security_barrier: true}" in rich and "comment: Who." in rich
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    # the compiled migration builds the same catalog
    code, _, err = schemac(tmp_path, "apply", "--database-url", second_database_url, capsys=capsys)
    assert code == 0, err
    mine, theirs = catalog(database_url), catalog(second_database_url)
    # the same queries, columns and indexes; options as the catalog keeps them are spelled as written
    assert [v[:4] + v[5:] for v in mine["views"]] == [v[:4] + v[5:] for v in theirs["views"]]
    assert mine["view_columns"] == theirs["view_columns"]
    assert mine["indexes"] == [i for i in theirs["indexes"] if i[1] != "schema_migrations"]
    assert diff(live(database_url), live(second_database_url)) == []


VIEWS_PROJECT = {"t.yaml": "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
                           "  - {name: name, type: text}\n",
                 "named.yaml": "view: named\nquery: |\n  select id, name\n  from t\n"}


def test_a_view_over_a_table_with_a_quoted_name_is_imported_and_compiles_to_no_difference(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # pg_get_viewdef qualifies columns by the table's quoted name: "Tbl"."ID"
    run_sql_file(database_url, """
        CREATE TABLE "Tbl" ("ID" integer, "end" text, n integer);
        CREATE VIEW "Chk" AS SELECT "Tbl"."ID", "Tbl".n, "Tbl"."end" FROM "Tbl";
    """)
    code, _, err = schemac(tmp_path, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0 and "view" not in err, err
    assert '"Tbl"."ID"' in (tmp_path / "definitions" / "Chk.yaml").read_text()
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err


def test_drift_reports_a_view_replaced_by_hand(tmp_path: Path, database_url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, VIEWS_PROJECT)
    assert schemac(tmp_path, "compile", capsys=capsys)[0] == 0
    assert schemac(tmp_path, "apply", "--database-url", database_url, capsys=capsys)[0] == 0
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err  # re-indenting is no difference: the texts compare as PostgreSQL prints them
    run_sql_file(database_url, "CREATE OR REPLACE VIEW named AS SELECT id, name FROM t WHERE id > 0")
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 1, out + err
    assert "  - view public.named has another query" in out
    assert "CREATE OR REPLACE VIEW public.named" in out


def test_a_lost_state_with_views_is_rebuilt_as_compile_wrote_it(tmp_path: Path, admin_url: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"t.yaml": VIEW_CASES["views_created"][1]})
    assert schemac(tmp_path, "compile", capsys=capsys)[0] == 0
    state = tmp_path / "generated/state.json"
    before = state.read_bytes()
    state.unlink()
    code, _, err = schemac(tmp_path, "rebuild-state", "--dev-url", admin_url, capsys=capsys)
    assert code == 0, err
    assert state.read_bytes() == before
    code, out, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0 and "No changes" in out, out + err
