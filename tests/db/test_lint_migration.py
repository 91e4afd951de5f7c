"""schemac lint --migration: the plan of a compiled migration recovered on a throwaway database."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli, write_definitions

V1 = """
table: users
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: varchar(50)}
  - {name: note, type: text}
"""
V2 = """
table: users
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: varchar(80), nullable: false}
  - {name: remark, type: text, renamed_from: note}
indexes:
  - columns: [email]
"""
V3 = V2 + "  - columns: [remark]\n    allow: [lock]\n"


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    for text in (V1, V2, V3):
        write_definitions(tmp_path, {"users.yaml": text})
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    return tmp_path


def test_a_compiled_migration_is_linted_from_its_plan(project: Path, admin_url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(project, capsys, "lint", "--migration", "2", "--dev-url", admin_url)
    assert (code, err) == (1, "")
    assert [line.split("  ")[:3] for line in out.splitlines()[:-1]] == [
        ["public.users.note", "breaks_code", "RenameColumn, ACCESS EXCLUSIVE: deploy code that no longer uses it "
                                             "first (expand, then contract)"],
        ["public.users.email", "lock", "SetNotNull, ACCESS EXCLUSIVE: add `online: true` to the column (a NOT VALID "
                                       "check validated in a transaction of its own, then SET NOT NULL without a "
                                       "scan)"],
        ["public.users.email", "fails_on_rows", "SetNotNull, ACCESS EXCLUSIVE: check the existing rows first "
                                                "(the migration stops at the first bad one)"],
        ["public.users_email_idx", "lock", "CreateIndex, SHARE: add `concurrently: true` to the index "
                                           "(CONCURRENTLY: reads and writes go on)"]]
    assert out.splitlines()[-1].startswith("4 of 4 hazard(s) in migration 002_")
    # varchar(50) -> varchar(80) is made in place: no rewrite is listed


def test_a_migration_is_named_by_number_or_name_and_acknowledged_like_pending_ones(
        project: Path, admin_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    name = next((project / "generated/migrations").glob("003_*.sql")).stem
    for wanted in (name, name.split("_", 1)[1], "3", "003", f"{name}.sql"):
        code, out, _ = run_cli(project, capsys, "lint", "--migration", wanted, "--dev-url", admin_url)
        assert (code, out) == (0, "public.users_remark_idx  lock (allowed)  CreateIndex, SHARE: add `concurrently: "
                                  "true` to the index (CONCURRENTLY: reads and writes go on)\n"
                                  f"1 hazard(s) in migration {name}.sql, all acknowledged.\n"), wanted
    code, out, _ = run_cli(project, capsys, "lint", "--migration", "1", "--dev-url", admin_url)
    assert (code, out) == (0, "No hazards in migration 001_create_users.sql.\n")


def test_a_rename_no_longer_declared_reads_as_a_drop(project: Path, admin_url: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": V3.replace(", renamed_from: note", "")})
    code, out, _ = run_cli(project, capsys, "lint", "--migration", "2", "--dev-url", admin_url,
                           "--allow", "lock", "fails_on_rows")
    assert code == 1
    assert [line.split("  ")[:2] for line in out.splitlines() if "(allowed)" not in line][:2] == [
        ["public.users.note", "data_loss"], ["public.users.note", "breaks_code"]]


ONLINE_V2 = """
table: users
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: varchar(50), nullable: false, online: true}
  - {name: note, type: text}
checks:
  - {name: note_short, expression: length(note) < 100, online: true}
indexes:
  - {columns: [email], concurrently: true}
"""
ONLINE_V3 = ONLINE_V2.replace("indexes:\n  - {columns: [email], concurrently: true}\n", "")


def test_a_migration_built_online_is_linted_as_it_was_built(tmp_path: Path, admin_url: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """CONCURRENTLY and NOT VALID + VALIDATE leave no trace in the catalog: lint --migration
    reads them from the file's marks and lists what lint listed before the file was compiled."""
    pending = []
    for text in (V1, ONLINE_V2, ONLINE_V3):
        write_definitions(tmp_path, {"users.yaml": text})
        pending.append(run_cli(tmp_path, capsys, "lint")[1].splitlines()[:-1])
        assert run_cli(tmp_path, capsys, "compile")[0] == 0
    for number in ("2", "3"):
        code, out, err = run_cli(tmp_path, capsys, "lint", "--migration", number, "--dev-url", admin_url)
        assert err == ""
        assert out.splitlines()[:-1] == pending[int(number) - 1]
        assert "concurrently: true" not in out and "ACCESS EXCLUSIVE" not in out, out
    # the file's header: the validations only (the index was built CONCURRENTLY, the checks NOT VALID)
    assert [line.split("  ")[1:3] for line in pending[1]] == [
        ["fails_on_rows", "ValidateConstraint, SHARE UPDATE EXCLUSIVE: check the existing rows first "
                          "(the migration stops at the first bad one)"]] * 2
