"""rebuild-state: a lost state.json made again from the migration files, on a real PostgreSQL.

The property: after the loss and the rebuild, compile finds nothing to do, --check is clean, and
the next change compiles to exactly the files it would have compiled to before the loss.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.project import Project
from compiler.sql.state import load_state
from tests.db.test_evolution import steps
from tests.helpers import run_cli, write_definitions

STEPS = steps()


def everything(root: Path) -> dict[str, bytes]:
    gen = root / "generated"
    return {p.relative_to(gen).as_posix(): p.read_bytes() for p in sorted(gen.rglob("*")) if p.is_file()}


def compile_steps(root: Path, count: int, capsys: pytest.CaptureFixture[str]) -> None:
    for _, files in STEPS[:count]:
        write_definitions(root, files)
        code, _, err = run_cli(root, capsys, "compile", "--allow-destructive")
        assert code == 0, err


# after the first migrations, after renames, an enum value added and used, a recreated enum,
# a new schema with a generated column (the last step is the next change of each)
@pytest.mark.parametrize("done", [2, 3, 5, 6, 8, 9, 11])
def test_rebuilt_state_is_the_lost_one_and_the_next_migration_is_the_same(
        done: int, tmp_path: Path, admin_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    lost, kept = tmp_path / "lost", tmp_path / "kept"
    compile_steps(lost, done, capsys)
    shutil.copytree(lost, kept)
    state = lost / "generated/state.json"
    before = state.read_bytes()
    state.unlink()
    assert run_cli(lost, capsys, "compile")[0] == 2  # the loss is noticed, nothing is rewritten

    code, out, err = run_cli(lost, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 0, err
    assert f"wrote generated/state.json from {done} migration(s): 001_" in out
    assert "note:" not in out
    assert state.read_bytes() == before
    code, out, err = run_cli(lost, capsys, "compile")
    assert code == 0 and "No changes" in out, out + err
    assert run_cli(lost, capsys, "compile", "--check")[0] == 0

    for root in (lost, kept):
        write_definitions(root, STEPS[done][1])
        code, _, err = run_cli(root, capsys, "compile", "--allow-destructive")
        assert code == 0, err
    assert everything(lost) == everything(kept)


def change_lines(sql: str) -> list[str]:
    """The one-line comment naming each change of a migration file, in order."""
    return [line for line in sql.splitlines() if line.startswith("-- ") and line.split()[1][:1].isupper()]


@pytest.mark.parametrize("done", [2, 3, 5, 7, 10, 11])
def test_definitions_ahead_of_the_migrations(done: int, tmp_path: Path, admin_url: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Changes not compiled yet: the state is the migrations' schema and the pending change compiles
    to the same statements. What the change touches is spelled as PostgreSQL prints it (the
    definitions no longer hold the old spelling), so only the rollback's spelling, and the order of
    columns dropped together, may differ."""
    lost, kept = tmp_path / "lost", tmp_path / "kept"
    compile_steps(lost, done, capsys)
    shutil.copytree(lost, kept)
    (lost / "generated/state.json").unlink()
    for root in (lost, kept):
        write_definitions(root, STEPS[done][1])
    code, out, err = run_cli(lost, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 0, err
    assert "note: the definitions differ from the last migration" in out
    assert load_state((lost / "generated/state.json").read_bytes()).migrations == \
        load_state((kept / "generated/state.json").read_bytes()).migrations
    for root in (lost, kept):
        code, _, err = run_cli(root, capsys, "compile", "--allow-destructive")
        assert code == 0, err
    assert run_cli(lost, capsys, "compile", "--check")[0] == 0
    files = [{k: v.decode() for k, v in everything(root).items() if k.startswith("migrations/")} for root in (lost, kept)]
    assert sorted(files[0]) == sorted(files[1])
    for rel in files[1]:
        if rel.startswith("migrations/rollback_"):
            assert sorted(change_lines(files[0][rel])) == sorted(change_lines(files[1][rel])), rel
        else:
            assert sorted(files[0][rel].splitlines()) == sorted(files[1][rel].splitlines()), rel


def test_refuses_a_readable_state_unless_forced(tmp_path: Path, admin_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    compile_steps(tmp_path, 2, capsys)
    state = tmp_path / "generated/state.json"
    before = state.read_bytes()
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 2
    assert err.startswith("generated/state.json: error: exists and can be read; rebuild-state replaces it only "
                          "with --force")
    assert state.read_bytes() == before
    # an edited migration recorded as it is now, on purpose
    path = tmp_path / "generated/migrations/rollback_002.sql"
    path.write_text(path.read_text().replace("COMMIT;", "-- reviewed\nCOMMIT;"))
    assert run_cli(tmp_path, capsys, "compile")[0] == 2
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--force", "--dev-url", admin_url)
    assert code == 0, err
    assert run_cli(tmp_path, capsys, "compile", "--check")[0] == 0
    assert state.read_bytes() != before


def test_a_damaged_state_is_replaced_without_force(tmp_path: Path, admin_url: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    compile_steps(tmp_path, 2, capsys)
    state = tmp_path / "generated/state.json"
    before = state.read_bytes()
    state.write_bytes(before[:100])
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 0, err
    assert state.read_bytes() == before


def test_the_dev_server_comes_from_the_environment_then_the_database_url(
        tmp_path: Path, admin_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    compile_steps(tmp_path, 1, capsys)
    state = tmp_path / "generated/state.json"
    before = state.read_bytes()
    for variable in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    state.unlink()
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state")
    assert code == 4 and err.startswith("error: no server for throwaway databases: pass --dev-url URL or set "
                                        "SCHEMAC_DEV_DATABASE_URL")
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--database-url", admin_url)
    assert code == 0, err
    state.unlink()
    monkeypatch.setenv("SCHEMAC_DEV_DATABASE_URL", admin_url)
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state")
    assert code == 0, err
    assert state.read_bytes() == before


def test_files_that_do_not_pair_up_are_named(tmp_path: Path, admin_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    compile_steps(tmp_path, 2, capsys)
    gen = tmp_path / "generated"
    (gen / "state.json").unlink()
    (gen / "migrations/rollback_002.sql").unlink()
    (gen / "migrations/rollback_009.sql").write_text("SELECT 1;\n")
    (gen / "migrations/notes.sql").write_text("SELECT 1;\n")
    (gen / "migrations/001_again.sql").write_text("SELECT 1;\n")
    second = next(gen.glob("migrations/002_*")).name
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 2
    assert err.splitlines()[:-1] == [
        "generated/migrations/notes.sql: error: is neither a migration (NNN_name.sql) nor a rollback "
        "(rollback_NNN.sql); move it away",
        "generated/migrations/001_again.sql: error: is one of 2 migrations numbered 1; keep one",
        "generated/migrations/001_initial_schema.sql: error: is one of 2 migrations numbered 1; keep one",
        f"generated/migrations/{second}: error: has no rollback (rollback_002.sql); restore it with "
        "'git checkout generated/'",
        "generated/migrations/rollback_009.sql: error: is the rollback of no migration; restore the migration "
        "with 'git checkout generated/' or move it away"]
    assert not (gen / "state.json").exists()


def test_a_migration_postgresql_rejects_is_named(tmp_path: Path, admin_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    compile_steps(tmp_path, 2, capsys)
    gen = tmp_path / "generated"
    (gen / "state.json").unlink()
    second = next(gen.glob("migrations/002_*"))
    second.write_text("BEGIN;\nALTER TABLE nowhere ADD x int;\nCOMMIT;\n")
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 4
    assert err.startswith(f"error: generated/migrations/{second.name}: relation \"nowhere\" does not exist")
    assert not (gen / "state.json").exists()
    assert Project(tmp_path).read_state_bytes() is None


def test_unreadable_definitions_are_fixed_first(tmp_path: Path, admin_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The definitions give the state its spelling; without them the next compile would differ."""
    compile_steps(tmp_path, 2, capsys)
    (tmp_path / "generated/state.json").unlink()
    write_definitions(tmp_path, {**STEPS[1][1], "users.yaml": "table: users\ncolumns:\n  - {name: id, type: nope}\n"})
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 2
    assert "definitions/users.yaml:3:22: error: unknown type 'nope'" in err
    assert err.endswith("error(s); nothing written.\n")
    assert not (tmp_path / "generated/state.json").exists()


def test_definitions_postgresql_rejects_are_exit_4(tmp_path: Path, admin_url: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    compile_steps(tmp_path, 1, capsys)
    (tmp_path / "generated/state.json").unlink()
    write_definitions(tmp_path, {**STEPS[0][1], "extra.yaml": "table: extra\ncolumns:\n"
                                 "  - {name: id, type: bigint, check: 'no_such_function(id) > 0'}\n"})
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 4
    assert err.startswith("error: the definitions cannot be built on the server, and rebuild-state needs them "
                          "to spell state.json as compile writes it: function no_such_function(bigint) does not exist")
    assert not (tmp_path / "generated/state.json").exists()


def test_rebuilt_state_records_the_bigquery_migrations(tmp_path: Path, admin_url: str,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.test_warehouse_cli import IN_WAREHOUSE

    monkeypatch.delenv("BIGQUERY_DATASET", raising=False)
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace("created_at}", "created_at, "
                                                                     "partition_expiration_days: 7}")})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0  # 002: the warehouse alone
    state = tmp_path / "generated/state.json"
    before = state.read_bytes()
    assert len(load_state(before).warehouse_migrations) == 2
    state.unlink()
    code, _, err = run_cli(tmp_path, capsys, "rebuild-state", "--dev-url", admin_url)
    assert code == 0, err
    assert state.read_bytes() == before
    assert run_cli(tmp_path, capsys, "compile", "--check")[0] == 0
