"""Functions of the definitions that tables and domains call, on a real PostgreSQL: created before
their callers and dropped after them, a replaced one moved aside while the callers are set again.

Each case is the round trip of DESIGN.md: apply, read the catalog back, compare with PostgreSQL's
own build of the intended schema; roll back, compare with the old one.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.live.database import connect
from compiler.live.scratch import canonical
from compiler.model.schema import Schema
from compiler.plan.diff import diff
from tests.change_cases import CALLED_FUNCTION_CASES, d
from tests.db.catalog import run_sql_file
from tests.db.migrate import migration
from tests.db.migrate import schema as _schema
from tests.db.test_apply import schemac
from tests.db.test_routines import _live, _round_trip
from tests.helpers import write_definitions

# a sql body that reads a table created after it: checked when called, not when created
NEXT_CODE = d("""
    function: next_code
    returns: text
    language: sql
    body: SELECT 'c' || count(*) FROM public.items
    """)
TWICE = d("""
    ---
    function: twice
    arguments: [{name: x, type: integer}]
    returns: integer
    language: sql
    volatility: immutable
    body: SELECT x * 2
    """)
ITEMS = d("""
    ---
    table: items
    columns:
      - {name: id, type: integer, primary_key: true}
    """)

CALLERS = {
    "default": NEXT_CODE + ITEMS + "  - {name: code, type: text, default: \"next_code()\"}\n",
    "check": TWICE + ITEMS + "  - {name: n, type: integer, check: \"twice(n) < 100\"}\n",
    "index": TWICE + ITEMS + "  - {name: n, type: integer}\nindexes:\n  - {expression: twice(n)}\n",
    "index_where": TWICE + ITEMS + "  - {name: n, type: integer}\nindexes:\n  - {columns: [id], where: twice(n) > 4}\n",
    "generated": TWICE + ITEMS + "  - {name: n, type: integer}\n  - {name: n2, type: integer, generated: twice(n)}\n",
    "partition_key": TWICE + d("""
        ---
        table: events
        columns:
          - {name: n, type: integer, nullable: false}
        partition_by: {method: range, columns: [{expression: twice(n)}]}
        partitions:
          - {name: events_low, from: [0], to: [100]}
        """),
    "domain": TWICE + d("""
        ---
        domain: evens
        type: integer
        default: twice(1)
        checks:
          - {name: small, expression: twice(VALUE) < 1000}
        """) + ITEMS + "  - {name: n, type: evens}\n",
}


@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_a_called_function_is_created_before_its_caller_and_dropped_after(caller: str, database_url: str) -> None:
    new = _schema(CALLERS[caller])
    kinds = [c.kind for c in diff(Schema(), new)]
    assert kinds[0] == "CreateCalledFunction", kinds
    assert [c.kind for c in diff(new, Schema())][-1] == "DropCalledFunction"
    _round_trip(database_url, Schema(), new)


def test_a_default_calling_a_function_counts_rows_of_a_table_created_after_it(database_url: str) -> None:
    run_sql_file(database_url, migration(Schema(), _schema(CALLERS["default"])))
    run_sql_file(database_url, "INSERT INTO items (id) VALUES (1); INSERT INTO items (id) VALUES (2);")
    with connect(database_url) as conn:
        assert [r[0] for r in conn.execute("SELECT code FROM items ORDER BY id")] == ["c0", "c1"]


# another argument type: a new signature, so the old function is moved aside while the callers are set again
WIDER = {"{name: x, type: integer}": "{name: x, type: bigint}", "returns: integer": "returns: bigint"}
REPOINTED = ["default", "check", "index", "index_where", "domain"]


def _widened(text: str) -> str:
    for a, b in WIDER.items():
        text = text.replace(a, b)
    return text


@pytest.mark.parametrize("caller", REPOINTED)
def test_a_signature_change_points_the_callers_at_the_new_function_and_back(caller: str, database_url: str) -> None:
    text = CALLERS[caller] if caller != "default" else CALLERS["check"].replace(
        "check: \"twice(n) < 100\"", "default: twice(2)")
    old, new = _schema(text), _schema(_widened(text))
    kinds = [c.kind for c in diff(old, new)]
    assert kinds[:2] == ["RenameFunctionAside", "CreateCalledFunction"] and kinds[-1] == "DropCalledFunction", kinds
    _round_trip(database_url, old, new)


def test_a_new_return_type_under_one_signature_is_replaced_through_a_free_name(database_url: str) -> None:
    """CREATE OR REPLACE cannot change the return type: same key, dropped and created again."""
    old = _schema(CALLERS["check"])
    new = _schema(CALLERS["check"].replace("returns: integer", "returns: bigint"))
    assert [c.kind for c in diff(old, new)] == ["RenameFunctionAside", "CreateCalledFunction", "DropConstraint",
                                                "AddConstraint", "DropCalledFunction"]
    _round_trip(database_url, old, new)


def test_a_function_whose_callers_go_with_it_is_dropped_after_them(database_url: str) -> None:
    old = _schema(CALLERS["domain"])
    new = _schema(ITEMS)
    assert [c.kind for c in diff(old, new)][-3:] == ["DropColumn", "DropDomain", "DropCalledFunction"]
    _round_trip(database_url, old, new)


def test_compile_apply_drift_and_verify_agree(tmp_path: Path, database_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The whole pipeline: compile writes the migration, apply runs it, drift finds no difference,
    verify proves the rollback; a signature change compiles and applies the same way."""
    text = CALLERS["domain"] + "  - {name: m, type: integer, default: twice(3), check: \"twice(m) > 0\"}\n"
    write_definitions(tmp_path, {"all.yaml": text})
    assert schemac(tmp_path, "compile", capsys=capsys)[0] == 0
    code, _, err = schemac(tmp_path, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    write_definitions(tmp_path, {"all.yaml": _widened(text)})
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "verify", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    code, _, err = schemac(tmp_path, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err


def test_import_writes_a_called_function_that_compiles_to_an_empty_diff(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, migration(Schema(), _schema(CALLERS["domain"] + "  - {name: m, type: integer, "
                                                                                "check: \"twice(m) > 0\"}\n")))
    code, _, err = schemac(tmp_path, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err


def test_a_function_first_called_in_the_migration_that_replaces_it_makes_way_first(database_url: str) -> None:
    """Its successor is created before the tables, so the old one is moved aside before that."""
    old = _schema(TWICE + ITEMS)
    new = _schema(CALLERS["check"].replace("returns: integer", "returns: bigint"))
    assert [c.kind for c in diff(old, new)] == ["RenameFunctionAside", "CreateCalledFunction", "AddColumn",
                                                "AddConstraint", "DropCalledFunction"]
    _round_trip(database_url, old, new)


def test_a_called_function_over_a_domain_comes_after_the_domain_and_goes_before_it(database_url: str) -> None:
    new = _schema(CALLED_FUNCTION_CASES["called_function_over_a_domain"][1])
    assert [c.kind for c in diff(Schema(), new)][:3] == ["CreateDomain", "CreateCalledFunctionOverDomain",
                                                         "CreateTable"]
    _round_trip(database_url, Schema(), new)


# a called function over a domain made anew (another base type): dropped under the renamed-away domain,
# so it is moved aside before that rename, and each caller kept is pointed at its successor
OVER_K = d("""
    domain: k
    type: integer
    ---
    function: kf
    arguments: [{name: x, type: k}]
    returns: integer
    language: sql
    volatility: immutable
    body: SELECT x + 1
    ---
    table: t
    columns:
      - {name: id, type: k}
    """)
OVER_K_CALLERS = {
    "default": OVER_K + "  - {name: d, type: integer, default: \"kf(1)\"}\n",
    "check": OVER_K + "  - {name: d, type: integer, check: \"kf(d) > 0\"}\n",
    "index": OVER_K + "  - {name: d, type: integer}\nindexes:\n  - {expression: kf(id)}\n  - {name: t_kf_d_idx, expression: kf(d)}\n",
    "materialized_view": OVER_K + "  - {name: d, type: integer, default: \"kf(1)\"}\n" + d("""
        ---
        materialized_view: tv
        query: SELECT kf(id) AS n FROM t
        """),
}


@pytest.mark.parametrize("caller", sorted(OVER_K_CALLERS))
def test_a_new_base_type_of_a_domain_under_a_called_function_points_its_callers_at_the_new_one(
        caller: str, tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = OVER_K_CALLERS[caller]
    wider = text.replace("domain: k\ntype: integer", "domain: k\ntype: bigint")
    assert wider != text
    write_definitions(tmp_path, {"all.yaml": text})
    assert schemac(tmp_path, "compile", capsys=capsys)[0] == 0
    code, _, err = schemac(tmp_path, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    run_sql_file(database_url, "INSERT INTO t (id, d) VALUES (1, 2);")
    write_definitions(tmp_path, {"all.yaml": wider})
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, _, err = schemac(tmp_path, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    with connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'kf%'").fetchone() == (1,)
    code, _, err = schemac(tmp_path, "rollback", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert diff(_live(database_url), canonical(_schema(text), database_url)) == []
    with connect(database_url) as conn:
        assert conn.execute("SELECT id, d FROM t").fetchall() == [(1, 2)]


@pytest.mark.parametrize("caller", ["generated", "partition_key"])
def test_a_new_base_type_of_a_domain_under_a_function_a_generated_column_or_key_calls_is_refused(
        caller: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The function is made anew with the domain, and PostgreSQL cannot point such a caller at the new one."""
    text = OVER_K.replace("  - {name: id, type: k}\n", "  - {name: id, type: integer, nullable: false}\n") + (
        "  - {name: g, type: integer, generated: kf(id)}\n" if caller == "generated" else
        "partition_by: {method: range, columns: [{expression: kf(id)}]}\n"
        "partitions:\n  - {name: t_low, from: [0], to: [100]}\n")
    write_definitions(tmp_path, {"all.yaml": text})
    assert schemac(tmp_path, "compile", capsys=capsys)[0] == 0
    write_definitions(tmp_path, {"all.yaml": text.replace("domain: k\ntype: integer", "domain: k\ntype: bigint")})
    code, _, err = schemac(tmp_path, "compile", "--allow-destructive", capsys=capsys)
    assert code == 2, err
    what = "generated column public.t.g" if caller == "generated" else "the partition key of public.t"
    assert err.startswith("definitions/all.yaml:14:"), err  # the call, in the table's document
    assert f"{what} calls kf(), which takes or returns domain k" in err
    assert not list((tmp_path / "generated" / "migrations").glob("002_*"))
