"""The cache in .schemac-cache/: kept out of git, never stale, and no cache, a damaged one or an
unwritable one gives the same answers."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.helpers import run_cli, write_definitions

T1 = "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
T2 = T1 + "  - {name: note, type: text}\n"
CACHE = ".schemac-cache"


def entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / CACHE).rglob("*") if p.is_file() and p.name != ".gitignore")


def checks(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, out, _ = run_cli(root, capsys, "compile", "--check")
    return code, out


@pytest.fixture
def compiled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_definitions(tmp_path, {"t.yaml": T1})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    return tmp_path


def test_the_cache_ignores_itself_for_git(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checks(compiled, capsys)
    assert (compiled / CACHE / ".gitignore").read_text().splitlines()[-1] == "*"
    assert entries(compiled)


def test_a_check_answers_the_same_from_the_cache(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = checks(compiled, capsys)
    assert first == checks(compiled, capsys) == (0, "generated/ is up to date\n")
    write_definitions(compiled, {"t.yaml": T2})  # new contents: new keys, nothing cached is used
    stale = checks(compiled, capsys)
    assert stale[0] == 1 and "1 change(s) not compiled yet" in stale[1]
    assert checks(compiled, capsys) == stale
    write_definitions(compiled, {"t.yaml": T1})  # back: the facts about these contents still hold
    assert checks(compiled, capsys) == first


def test_edits_in_generated_are_seen_with_a_cache(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checks(compiled, capsys)
    state = compiled / "generated/state.json"
    written = state.read_bytes()
    state.write_bytes(written.replace(b'"format": 1', b'"format":  1'))  # the same state, not as schemac writes it
    code, out = checks(compiled, capsys)
    assert code == 1 and "state.json was edited by hand" in out
    state.write_bytes(written.replace(b'"bigint"', b'"integer"'))
    code, out = checks(compiled, capsys)
    assert code == 1 and "1 change(s) not compiled yet" in out
    state.write_bytes(written)
    diagram = compiled / "generated/chartdb/schemas/public.t.json"
    diagram.write_bytes(diagram.read_bytes() + b" ")
    assert checks(compiled, capsys) == (1, "stale: generated/chartdb/schemas/public.t.json is out of date; "
                                           "run 'schemac compile' or 'schemac chartdb'\n")


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]", b'{"a": 1}', b"\xff\xfe"])
def test_a_damaged_cache_is_computed_again(compiled: Path, capsys: pytest.CaptureFixture[str],
                                           damage: bytes) -> None:
    write_definitions(compiled, {"t.yaml": T2})
    stale = checks(compiled, capsys)
    write_definitions(compiled, {"t.yaml": T1})
    fresh = checks(compiled, capsys)
    write_definitions(compiled, {"t.yaml": T2})
    for path in entries(compiled):
        path.write_bytes(damage)
    assert checks(compiled, capsys) == stale
    write_definitions(compiled, {"t.yaml": T1})
    assert checks(compiled, capsys) == fresh
    for path in entries(compiled):
        path.write_bytes(damage)
    assert run_cli(compiled, capsys, "compile")[1] == (
        "No changes: the definitions match generated/state.json; nothing written.\n")


def test_no_cache_folder_or_an_unwritable_one_changes_nothing(
        compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = checks(compiled, capsys)
    for path in sorted((compiled / CACHE).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (compiled / CACHE).rmdir()
    assert checks(compiled, capsys) == fresh
    if os.geteuid() == 0:
        # root writes through any mode: a file where the folder should be stops it instead
        for path in sorted((compiled / CACHE).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        (compiled / CACHE).rmdir()
        (compiled / CACHE).write_text("not a folder")
    else:
        (compiled / CACHE).chmod(stat.S_IRUSR | stat.S_IXUSR)
    write_definitions(compiled, {"t.yaml": T2})
    assert run_cli(compiled, capsys, "compile")[0] == 0
    assert checks(compiled, capsys) == fresh


def test_a_check_of_what_was_checked_reads_no_definitions(
        compiled: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler import pipeline
    from compiler.sql import history

    assert checks(compiled, capsys) == (0, "generated/ is up to date\n")

    def refused(*args: object) -> None:
        raise AssertionError("built again")

    for module, name in ((pipeline, "read_definitions_and_folders"), (pipeline, "diagram_files"),
                         (history, "dump_state"), (history, "load_state")):
        monkeypatch.setattr(module, name, refused)
    assert checks(compiled, capsys) == (0, "generated/ is up to date\n")
