"""generated/ is written as a set: an interrupted compile leaves the old set or the new one."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler import project as project_module
from compiler.pipeline import check_project, compile_project, write_result
from compiler.project import Project, migration_file, rollback_file, slug
from tests.helpers import write_definitions

T1 = "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
T2 = T1 + "  - {name: note, type: text}\n"


def _snapshot(root: Path) -> dict[str, bytes]:
    gen = root / "generated"
    return {p.relative_to(gen).as_posix(): p.read_bytes() for p in sorted(gen.rglob("*")) if p.is_file()}


def test_an_interrupted_compile_leaves_the_old_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_definitions(tmp_path, {"t.yaml": T1})
    write_result(Project(tmp_path), compile_project(Project(tmp_path)))
    before = _snapshot(tmp_path)
    write_definitions(tmp_path, {"t.yaml": T2})
    result = compile_project(Project(tmp_path))

    real_replace = os.replace
    calls = []

    def failing_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 3:  # the journal and the migration are in place, the process dies before the rest
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(project_module.os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        write_result(Project(tmp_path), result)
    monkeypatch.undo()

    after = _snapshot(tmp_path)
    assert after["state.json"] == before["state.json"]  # the commit point was not reached
    assert not [p for p in (tmp_path / "generated" / "migrations").iterdir() if p.name.startswith(".")]
    assert "migrations/002_add_t_note.sql" in after  # a leftover the journal names
    # the next compile finds the same change, removes the leftover the journal proves it wrote
    # (never a file the journal does not name, see tests/cli/test_history.py) and writes the new set
    result = compile_project(Project(tmp_path))
    write_result(Project(tmp_path), result)
    assert check_project(Project(tmp_path)) == []
    assert sorted(p.name for p in (tmp_path / "generated" / "migrations").iterdir()) == [
        "001_create_t.sql", "002_add_t_note.sql", "rollback_001.sql", "rollback_002.sql"]


def test_file_names() -> None:
    assert migration_file(7, "add_users_phone") == "migrations/007_add_users_phone.sql"
    assert migration_file(1000, "x") == "migrations/1000_x.sql"
    assert rollback_file(12) == "migrations/rollback_012.sql"
    assert slug("Add Users: phone & e-mail!") == "add_users_phone_e_mail"
    assert slug("!!!") == "migration"


def test_automatic_names(tmp_path: Path) -> None:
    def name_after(files: dict[str, str]) -> str:
        write_definitions(tmp_path, files)
        result = compile_project(Project(tmp_path), allow_destructive=True)
        write_result(Project(tmp_path), result)
        assert result.record is not None
        return result.record.file

    two = {"t.yaml": T1, "u.yaml": T1.replace("table: t", "table: u")}
    assert name_after(two) == "migrations/001_initial_schema.sql"  # a whole schema at once
    assert name_after({**two, "t.yaml": T2 + "indexes:\n  - columns: [note]\n"}) == "migrations/002_add_t_note.sql"
    assert name_after({"t.yaml": T2}) == "migrations/003_drop_u.sql"


def test_one_table_first_is_named_after_it(tmp_path: Path) -> None:
    write_definitions(tmp_path, {"t.yaml": T1 + "indexes:\n  - columns: [id]\n"})
    assert compile_project(Project(tmp_path)).record.file == "migrations/001_create_t.sql"
