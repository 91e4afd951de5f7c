"""Functions over a domain renamed or moved follow it, on a real PostgreSQL holding rows: the
migration renames or moves the domain and leaves the functions, the view calling one and the
default calling another as they are (PostgreSQL holds them on the domain by oid); a function
whose body names the domain is replaced. Drift finds nothing after the migration nor after its
rollback, and the rows are there all along."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from compiler.plan.diff import diff
from tests.change_cases import FOLLOWING, TYPE_FOLLOWING_CASES
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import rows_of
from tests.db.migrate import schema as _schema
from tests.helpers import run_cli, write_definitions

ROWS = "INSERT INTO public.t (m) VALUES ('happy'), ('sad'); INSERT INTO public.t (a, m) VALUES (7, 'sad');"
READ = "SELECT fa FROM public.v ORDER BY fa"


@pytest.fixture(autouse=True)
def _no_dev_server_from_the_environment(monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _read(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return rows_of(conn, READ)


def _no_drift(project: Path, url: str, capsys) -> None:
    code, out, err = run_cli(project, capsys, "drift", "--database-url", url)
    assert code == 0, out + err


@pytest.mark.parametrize("case", sorted(TYPE_FOLLOWING_CASES))
def test_functions_follow_a_domain_renamed_or_moved_with_rows_and_back(
        case: str, tmp_path: Path, database_url: str, capsys) -> None:
    old_yaml, new_yaml = TYPE_FOLLOWING_CASES[case]
    project, before_project = tmp_path / "project", tmp_path / "before"
    write_definitions(project, {"all.yaml": old_yaml})
    assert run_cli(project, capsys, "compile")[0] == 0
    code, _, err = run_cli(project, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    run_sql_file(database_url, ROWS)
    catalog_before, rows = catalog(database_url), _read(database_url)
    assert rows == [(2,), (2,), (8,)]

    write_definitions(project, {"all.yaml": new_yaml})
    assert run_cli(project, capsys, "compile")[0] == 0
    code, _, err = run_cli(project, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    up = (project / "generated" / "migrations").glob("002_*.sql")
    assert "FUNCTION public.f" not in next(up).read_text()  # f follows: neither dropped nor made again
    _no_drift(project, database_url, capsys)
    assert _read(database_url) == rows

    code, _, err = run_cli(project, capsys, "rollback", "--steps", "1", "--database-url", database_url)
    assert code == 0, err
    assert catalog(database_url) == catalog_before and _read(database_url) == rows
    write_definitions(before_project, {"all.yaml": old_yaml})
    assert run_cli(before_project, capsys, "compile")[0] == 0
    _no_drift(before_project, database_url, capsys)


@pytest.mark.parametrize("case", sorted(TYPE_FOLLOWING_CASES))
def test_only_the_function_naming_the_domain_in_its_body_changes(case: str) -> None:
    old, new = (_schema(t) for t in TYPE_FOLLOWING_CASES[case])
    for a, b in ((old, new), (new, old)):
        routines = [(c.kind, c.subject) for c in diff(a, b) if "Function" in c.kind or "View" in c.kind]
        assert [kind for kind, _ in routines] == ["ReplaceFunction"], routines
        assert routines[0][1].startswith("public.h(")


def test_a_function_moved_aside_names_the_domain_as_it_is_then() -> None:
    """A function a default calls, over the domain, with another result: moved aside before the
    domain is renamed (under the name the domain has then), dropped after (under its new name)."""
    called = FOLLOWING.replace("default: \"g(1)\"", "default: \"k(1)\"") + d_k("d", "integer")
    renamed = (TYPE_FOLLOWING_CASES["functions_follow_a_domain_renamed"][1]
               .replace("default: \"g(1)\"", "default: \"k(1)\"") + d_k("d2", "bigint"))
    changes = [(c.kind, c.subject) for c in diff(_schema(called), _schema(renamed))]
    assert changes.index(("RenameFunctionAside", "public.k(d)")) < changes.index(("RenameDomain", "public.d"))
    assert ("DropCalledFunctionOverDomain", "public.k_schemac_replaced(d2)") in changes


def d_k(domain: str, result: str) -> str:
    return (f"---\nfunction: k\narguments: [{{name: x, type: {domain}}}]\nreturns: {result}\n"
            f"language: sql\nvolatility: immutable\nbody: SELECT x::{result}\n")
