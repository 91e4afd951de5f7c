"""The compiled history is never silently rewritten: compile refuses, names the files, says the way back.

Also what an interrupted compile leaves (removed by the next one, reported by --check), the
mode of written files under the user's umask, and links in generated/ that lead out of the project.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler import project as project_module
from tests.helpers import generated_files, run_cli, write_definitions

T1 = "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
T2 = T1 + "  - {name: note, type: text}\n"
MIGRATIONS_1 = ["001_create_t.sql", "rollback_001.sql"]
MIGRATIONS_2 = ["001_create_t.sql", "002_add_t_note.sql", "rollback_001.sql", "rollback_002.sql"]


class Killed(BaseException):
    """The process dying at this point: nothing after it runs, no handler sees it (unlike Ctrl-C)."""


def migrations(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "generated" / "migrations").iterdir())


def everything(root: Path) -> dict[str, bytes]:
    """Every file under the project (definitions and generated), hidden ones included; not the cache,
    whose facts depend on the commands run, not on their outcome."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink() and not p.relative_to(root).as_posix().startswith(".schemac-cache/")}


@pytest.fixture
def compiled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project with t compiled once, and a definitions change waiting to be compiled."""
    root = tmp_path / "project"
    write_definitions(root, {"t.yaml": T1})
    assert run_cli(root, capsys, "compile")[0] == 0
    write_definitions(root, {"t.yaml": T2})
    return root


def refuses(root: Path, capsys: pytest.CaptureFixture[str], *first_lines: str) -> str:
    """compile and plan both exit 2 with lines starting with `first_lines`, writing nothing; their stderr."""
    before = everything(root)
    for command in ("compile", "plan"):
        code, out, err = run_cli(root, capsys, command)
        assert code == 2, (command, out, err)
        assert "Traceback" not in err
        lines = err.splitlines()
        for expected in first_lines:
            assert any(line.startswith(expected) for line in lines), err
        assert lines[-1].endswith("nothing written."), err
        assert everything(root) == before
    return err


# -- the recorded history is intact, or compile stops

def test_an_unrecorded_migration_file_is_an_error_and_is_kept(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = compiled / "generated/migrations/002_by_hand.sql"
    mine.write_text("ALTER TABLE t ADD x int;\n")
    err = refuses(compiled, capsys, "generated/migrations/002_by_hand.sql: error: is not recorded in state.json")
    assert "git checkout generated/" in err and "schemac rebuild-state --force" in err
    assert mine.read_text() == "ALTER TABLE t ADD x int;\n"
    code, out, _ = run_cli(compiled, capsys, "compile", "--check")
    assert code == 1
    assert "stale: generated/migrations/002_by_hand.sql is not recorded in state.json" in out


def test_an_unrecorded_file_blocks_also_a_compile_with_no_changes(
        compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(compiled, {"t.yaml": T1})
    (compiled / "generated/migrations/rollback_007.sql").write_text("-- mine\n")
    refuses(compiled, capsys, "generated/migrations/rollback_007.sql: error: is not recorded in state.json")


def test_a_lost_state_json_beside_migrations_is_an_error(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated/state.json").unlink()
    err = refuses(compiled, capsys, "generated/state.json: error: is missing, but generated/migrations/ holds "
                                    "001_create_t.sql, rollback_001.sql; restore it with 'git checkout "
                                    "generated/state.json', or rebuild it from the migrations with "
                                    "'schemac rebuild-state'")
    assert len(err.splitlines()) == 2
    assert migrations(compiled) == MIGRATIONS_1
    code, out, _ = run_cli(compiled, capsys, "compile", "--check")
    assert code == 1 and "stale: generated/state.json is missing, but generated/migrations/ holds" in out


def test_a_damaged_state_json_says_how_to_recover(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated/state.json").write_bytes(b'{"format": 1, "sch')
    before = everything(compiled)
    code, _, err = run_cli(compiled, capsys, "compile")
    assert code == 2
    assert err.startswith("generated/state.json: error: state.json is damaged")
    assert "git checkout generated/state.json" in err and "schemac rebuild-state" in err
    assert everything(compiled) == before


@pytest.mark.parametrize("rel", ["migrations/001_create_t.sql", "migrations/rollback_001.sql"])
def test_an_edited_migration_or_rollback_is_an_error(rel: str, compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = compiled / "generated" / rel
    path.write_text(path.read_text().replace("COMMIT;", "-- reviewed\nCOMMIT;"))
    err = refuses(compiled, capsys, f"generated/{rel}: error: differs from what was compiled (checksum mismatch)")
    assert f"git checkout generated/{rel}" in err
    assert "-- reviewed" in path.read_text()


@pytest.mark.parametrize("rel", ["migrations/001_create_t.sql", "migrations/rollback_001.sql"])
def test_a_missing_migration_or_rollback_is_an_error(rel: str, compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated" / rel).unlink()
    refuses(compiled, capsys, f"generated/{rel}: error: is missing (state.json records it); "
                              f"restore it with 'git checkout generated/{rel}'")


def test_every_problem_is_named_at_once(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated/migrations/rollback_001.sql").unlink()
    (compiled / "generated/migrations/005_x.sql").write_text("SELECT 1;\n")
    err = refuses(compiled, capsys)
    assert [line.split(":")[0] for line in err.splitlines()] == [
        "generated/migrations/rollback_001.sql", "generated/migrations/005_x.sql", "2 error(s) in generated/; nothing written."]


# -- an interrupted compile: its files are told apart from anyone else's with certainty

def stop_at_the_commit_point(monkeypatch: pytest.MonkeyPatch, how: type[BaseException]) -> None:
    """The next compile raises `how` where it would write state.json, its other files written."""
    real = project_module.write_atomically

    def stops(path: Path, data: bytes, durable: bool = True) -> None:
        if path.name == "state.json":
            raise how
        real(path, data, durable)

    monkeypatch.setattr(project_module, "write_atomically", stops)


@pytest.fixture
def interrupted(compiled: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A compile of T2 killed after writing its migration files, before state.json."""
    stop_at_the_commit_point(monkeypatch, Killed)
    with pytest.raises(Killed):
        run_cli(compiled, capsys, "compile")
    monkeypatch.undo()
    assert migrations(compiled) == MIGRATIONS_2
    assert (compiled / "generated/.compile-journal.json").is_file()
    return compiled


def test_leftovers_of_a_killed_compile_are_removed_by_the_next(
        interrupted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(interrupted, capsys, "compile", "--check")
    assert code == 1
    assert "stale: generated/migrations/002_add_t_note.sql is a leftover of an interrupted compile" in out
    assert "stale: generated/.compile-journal.json is a leftover of an interrupted compile" in out
    code, out, err = run_cli(interrupted, capsys, "plan")  # plan reads past them and removes nothing
    assert code == 0, err
    assert migrations(interrupted) == MIGRATIONS_2
    code, out, err = run_cli(interrupted, capsys, "compile")
    assert code == 0, err
    assert "removed generated/migrations/002_add_t_note.sql: a leftover of an interrupted compile" in out
    assert migrations(interrupted) == MIGRATIONS_2
    assert not (interrupted / "generated/.compile-journal.json").exists()
    assert run_cli(interrupted, capsys, "compile", "--check")[0] == 0
    # the same as a compile never interrupted
    clean = tmp_path / "clean"
    write_definitions(clean, {"t.yaml": T1})
    run_cli(clean, capsys, "compile")
    write_definitions(clean, {"t.yaml": T2})
    run_cli(clean, capsys, "compile")
    assert everything(clean) == everything(interrupted)


def test_leftovers_go_also_when_the_definitions_went_back(interrupted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(interrupted, {"t.yaml": T1})
    code, out, err = run_cli(interrupted, capsys, "compile")
    assert code == 0, err
    assert "removed generated/migrations/002_add_t_note.sql" in out and "No schema changes" in out
    assert migrations(interrupted) == MIGRATIONS_1
    assert run_cli(interrupted, capsys, "compile", "--check")[0] == 0


def test_a_leftover_edited_since_is_not_removed(interrupted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = interrupted / "generated/migrations/002_add_t_note.sql"
    path.write_text(path.read_text() + "-- mine now\n")
    refuses(interrupted, capsys, "generated/migrations/002_add_t_note.sql: error: is not recorded in state.json")
    assert path.read_text().endswith("-- mine now\n")


def test_a_file_the_journal_does_not_list_is_not_removed(interrupted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (interrupted / "generated/migrations/003_mine.sql").write_text("SELECT 1;\n")
    refuses(interrupted, capsys, "generated/migrations/003_mine.sql: error: is not recorded in state.json")


def test_a_first_compile_killed_before_state_json_is_not_a_lost_state(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write_definitions(tmp_path, {"t.yaml": T1})
    stop_at_the_commit_point(monkeypatch, Killed)
    with pytest.raises(Killed):
        run_cli(tmp_path, capsys, "compile")
    monkeypatch.undo()
    assert not (tmp_path / "generated/state.json").exists() and migrations(tmp_path) == MIGRATIONS_1
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--check")
    assert code == 1 and "stale: generated/migrations/001_create_t.sql is a leftover of an interrupted compile" in out
    assert "state.json is missing" not in out
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 0, err
    assert run_cli(tmp_path, capsys, "compile", "--check")[0] == 0


def test_a_journal_left_after_state_json_was_written_goes_alone(compiled: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real_unlink = Path.unlink

    def dies_before_the_journal_goes(self: Path, missing_ok: bool = False) -> None:
        if self.name == ".compile-journal.json":
            raise Killed
        real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", dies_before_the_journal_goes)
    with pytest.raises(Killed):
        run_cli(compiled, capsys, "compile")
    monkeypatch.undo()
    before = everything(compiled)
    code, out, _ = run_cli(compiled, capsys, "compile")
    assert code == 0
    assert out.splitlines()[0] == "removed generated/.compile-journal.json: a leftover of an interrupted compile"
    after = everything(compiled)
    assert set(before) - set(after) == {"generated/.compile-journal.json"}
    assert migrations(compiled) == MIGRATIONS_2


@pytest.mark.parametrize("folder", ["", "migrations/", "chartdb/", "chartdb/schemas/"])
def test_temporary_files_of_a_killed_write_are_reported_and_removed(
        folder: str, compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(compiled, {"t.yaml": T1})
    tmp = compiled / "generated" / folder / ".state.json.x1y_2z3a.tmp"
    tmp.write_text('{"format": 1')
    code, out, _ = run_cli(compiled, capsys, "compile", "--check")
    assert code == 1
    assert f"stale: generated/{folder}.state.json.x1y_2z3a.tmp is a leftover of an interrupted compile" in out
    code, out, err = run_cli(compiled, capsys, "compile")
    assert code == 0, err
    assert not tmp.exists()
    assert run_cli(compiled, capsys, "compile", "--check")[0] == 0


def test_the_journal_lists_exactly_the_migration_files_with_their_checksums(
        interrupted: Path) -> None:
    import hashlib
    import json

    journal = json.loads((interrupted / "generated/.compile-journal.json").read_text())
    assert journal == {"files": {rel: hashlib.sha256((interrupted / "generated" / rel).read_bytes()).hexdigest()
                                 for rel in ("migrations/002_add_t_note.sql", "migrations/rollback_002.sql")}}


# -- files get the user's umask

@pytest.fixture(params=[0o022, 0o002], ids=["umask022", "umask002"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_generated_files_get_the_mode_of_the_umask(umask: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"t.yaml": T1})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    modes = {rel: stat.S_IMODE((tmp_path / "generated" / rel).stat().st_mode) for rel in generated_files(tmp_path)}
    assert "state.json" in modes and "migrations/001_create_t.sql" in modes and "chartdb/diagram.json" in modes
    assert set(modes.values()) == {0o666 & ~umask}, modes


def test_a_rewritten_file_keeps_its_mode(umask: int, compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = compiled / "generated/state.json"
    state.chmod(0o640)
    assert run_cli(compiled, capsys, "compile")[0] == 0
    assert stat.S_IMODE(state.stat().st_mode) == 0o640
    assert stat.S_IMODE((compiled / "generated/migrations/002_add_t_note.sql").stat().st_mode) == 0o666 & ~umask


# -- compile writes only inside the project

@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    (folder / "schemas").mkdir(parents=True)
    (folder / "precious.txt").write_text("keep me\n")
    return folder


def _link_out(root: Path, rel: str, outside: Path) -> None:
    """Replace generated/`rel` by a link to a copy of it outside the project."""
    path = root / "generated" / rel if rel else root / "generated"
    target = outside / (rel.replace("/", "_") or "generated")
    path.rename(target)
    path.symlink_to(target, target_is_directory=target.is_dir())


@pytest.mark.parametrize("rel", ["", "migrations", "chartdb", "chartdb/schemas", "state.json", "schema.md",
                                 "migrations/rollback_001.sql"])
def test_a_link_out_of_the_project_is_an_error_and_never_followed(
        rel: str, compiled: Path, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _link_out(compiled, rel, outside)
    shown = f"generated/{rel}" if rel else "generated"
    before = {p: p.read_bytes() for p in sorted(outside.rglob("*")) if p.is_file()}
    for args in (["compile"], ["plan"], ["compile", "--check"], ["chartdb"]):
        code, out, err = run_cli(compiled, capsys, *args)
        assert code == 2, (args, out, err)
        assert err.startswith(f"{shown}: error: is a symbolic link to {outside}"), err
        assert "outside the project" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in sorted(outside.rglob("*")) if p.is_file()} == before


def test_a_link_that_stays_inside_the_project_is_fine(
        compiled: Path, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated/chartdb").rename(compiled / "diagrams")
    (compiled / "generated/chartdb").symlink_to("../diagrams", target_is_directory=True)
    _link_out(compiled, "schema.md", outside)
    code, _, err = run_cli(compiled, capsys, "compile")
    assert code == 2
    assert [line.split(":")[0] for line in err.splitlines()[:-1]] == ["generated/schema.md"]  # not chartdb
    (compiled / "generated/schema.md").unlink()
    code, _, err = run_cli(compiled, capsys, "compile")
    assert code == 0, err
    assert (compiled / "diagrams/schemas/public.t.json").is_file()


def test_a_link_inside_that_leads_out_through_another_is_an_error(
        compiled: Path, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated/chartdb").rename(compiled / "diagrams")
    (compiled / "generated/chartdb").symlink_to("../diagrams", target_is_directory=True)
    (compiled / "diagrams/schemas").rename(outside / "schemas_copy")
    (compiled / "diagrams/schemas").symlink_to(outside / "schemas_copy", target_is_directory=True)
    before = {p: p.read_bytes() for p in sorted(outside.rglob("*")) if p.is_file()}
    code, _, err = run_cli(compiled, capsys, "compile")
    assert code == 2
    assert err.startswith(f"generated/chartdb/schemas: error: leads through symbolic links to {outside}")
    assert {p: p.read_bytes() for p in sorted(outside.rglob("*")) if p.is_file()} == before


def test_rebuild_state_refuses_before_it_connects(compiled: Path, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A readable state.json, or a link out of the project: exit 2, no server needed, nothing written."""
    nowhere = ["--dev-url", "postgresql://nobody@127.0.0.1:1/none"]
    before = everything(compiled)
    code, _, err = run_cli(compiled, capsys, "rebuild-state", *nowhere)
    assert code == 2
    assert err.startswith("generated/state.json: error: exists and can be read; rebuild-state replaces it only "
                          "with --force")
    _link_out(compiled, "state.json", outside)
    code, _, err = run_cli(compiled, capsys, "rebuild-state", "--force", *nowhere)
    assert code == 2
    assert err.startswith(f"generated/state.json: error: is a symbolic link to {outside}")
    assert everything(compiled) == {k: v for k, v in before.items() if k != "generated/state.json"}


def test_rebuild_state_with_no_migrations_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"t.yaml": T1})
    code, out, err = run_cli(tmp_path, capsys, "rebuild-state", "--dev-url", "postgresql://nobody@127.0.0.1:1/none")
    assert (code, out, err) == (0, "generated/migrations/ holds no migrations; nothing to rebuild, nothing written.\n", "")
    assert not (tmp_path / "generated").exists()


def test_a_second_compile_waits_for_the_first(compiled: Path) -> None:
    """A compile still writing is not a killed one: the next waits instead of taking its files for leftovers."""
    import fcntl
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    holder = os.open(compiled, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # as a compile in the middle of writing holds it
        second = subprocess.Popen([sys.executable, "-m", "compiler.cli", "-C", str(compiled), "compile"],
                                  env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        assert second.stderr is not None
        assert second.stderr.readline() == "waiting for another schemac command writing this project...\n"
        time.sleep(0.5)
        assert second.poll() is None
        assert migrations(compiled) == MIGRATIONS_1
    finally:
        os.close(holder)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert "wrote generated/migrations/002_add_t_note.sql" in out


def test_ctrl_c_before_the_commit_point_leaves_what_the_next_compile_removes(
        compiled: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    stop_at_the_commit_point(monkeypatch, KeyboardInterrupt)
    assert run_cli(compiled, capsys, "compile")[0] == 130
    monkeypatch.undo()
    code, out, _ = run_cli(compiled, capsys, "compile", "--check")
    assert code == 1 and "002_add_t_note.sql is a leftover of an interrupted compile" in out
    code, out, err = run_cli(compiled, capsys, "compile")
    assert code == 0, err
    assert "removed generated/migrations/002_add_t_note.sql" in out
    assert migrations(compiled) == MIGRATIONS_2
    assert run_cli(compiled, capsys, "compile", "--check")[0] == 0
