"""What a hostile trial of the command line found: hand-edited state, damaged state, odd arguments."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import generated_files, run_cli, write_definitions

USERS = """
table: users
columns:
  - {name: id, type: bigint, primary_key: true}
"""
USERS_PHONE = USERS + "  - {name: phone, type: text}\n"


def _compiled(root: Path, capsys, *versions: str) -> Path:
    for text in versions:
        write_definitions(root, {"users.yaml": text})
        code, _, err = run_cli(root, capsys, "compile")
        assert code == 0, err
    return root


def _edit_state(root: Path, edit) -> None:
    path = root / "generated" / "state.json"
    doc = json.loads(path.read_bytes())
    edit(doc)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")  # as an editor or a script writes it


def test_compile_and_plan_refuse_a_hand_edited_state(tmp_path: Path, capsys) -> None:
    root = _compiled(tmp_path, capsys, USERS, USERS_PHONE)
    _edit_state(root, lambda doc: doc["schema"]["tables"][0]["columns"].pop())  # phone, which 002 adds
    before = generated_files(root)
    for command in ("compile", "plan"):
        code, out, err = run_cli(root, capsys, command)
        assert code == 2, (command, out, err)
        assert "generated/state.json" in err and "edited by hand" in err, err
        assert "schemac rebuild-state --force" in err and "git checkout generated/state.json" in err
        assert "ALTER TABLE" not in out
    assert generated_files(root) == before
    code, out, _ = run_cli(root, capsys, "compile", "--check")
    assert code == 1 and "generated/state.json was edited by hand" in out
    assert "not compiled yet" not in out  # compile would refuse: no advice to run it


def test_plan_header_claims_no_flag_that_was_not_given(tmp_path: Path, capsys) -> None:
    root = _compiled(tmp_path, capsys, USERS_PHONE)
    write_definitions(root, {"users.yaml": USERS})
    code, out, err = run_cli(root, capsys, "plan")
    assert code == 0, err
    assert "--allow-destructive" in out and "compiled with --allow-destructive" not in out
    assert "compile refuses it without --allow-destructive" in out


def _set(path: tuple, value: object):
    def edit(doc: dict) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


COLUMN = ("schema", "tables", 0, "columns", 0)


@pytest.mark.parametrize("edit", [
    _set((*COLUMN, "name"), 5),
    _set((*COLUMN, "type"), ["bigint"]),
    _set((*COLUMN, "nullable"), "no"),
    _set((*COLUMN, "default"), 1),
    _set(("schema", "tables", 0, "name"), None),
    _set(("schema", "tables", 0, "columns"), {"id": "bigint"}),
    _set(("schema", "tables", 0, "primary_key", "columns"), "id"),
    _set(("schema", "enums"), [{"schema": "public", "name": "e", "values": [1, 2]}]),
    _set(("schema", "extensions"), "citext"),
    _set(("migrations", 0, "version"), "1"),
    _set(("migrations", 0, "name"), 7),
], ids=["name", "type", "nullable", "default", "table", "columns", "pk", "enum", "extensions", "version", "mname"])
def test_damaged_state_is_one_line_with_the_way_back(tmp_path: Path, capsys, edit) -> None:
    root = _compiled(tmp_path, capsys, USERS)
    _edit_state(root, edit)
    for command in ("plan", "compile", "compile --check"):
        code, out, err = run_cli(root, capsys, *command.split())
        assert code == 2, (command, out, err)
        assert err.startswith("generated/state.json: error: state.json is damaged") and err.count("\n") == 1, err
        assert "schemac rebuild-state" in err and "git checkout generated/state.json" in err


@pytest.mark.parametrize("text", ["{}", '{"format": 99}', '{"format": "1"}', "[]"])
def test_state_of_no_known_format_gives_the_way_back(tmp_path: Path, capsys, text: str) -> None:
    root = _compiled(tmp_path, capsys, USERS)
    (root / "generated" / "state.json").write_text(text)
    code, _, err = run_cli(root, capsys, "plan")
    assert code == 2 and err.count("\n") == 1, err
    assert "schemac rebuild-state" in err and "git checkout generated/state.json" in err
    assert ("newer schemac" in err) == (text == '{"format": 99}')


@pytest.mark.parametrize("command", ["compile --check", "compile", "plan", "chartdb", "status", "apply",
                                     "rollback", "drift", "verify", "rebuild-state", "import"])
def test_a_project_folder_that_does_not_exist_is_an_error(tmp_path: Path, capsys, command: str) -> None:
    missing = tmp_path / "nosuch"
    offline = command in ("compile --check", "compile", "plan", "chartdb")
    args = () if offline else ("--database-url", "postgresql://nowhere.invalid/x")
    code, out, err = run_cli(missing, capsys, *command.split(), *args)
    assert code == 2, (out, err)
    assert err == f"{missing}: error: no such folder\n" and out == ""
    assert not missing.exists()


@pytest.mark.parametrize("command", ["compile --check", "compile", "plan", "chartdb", "status"])
def test_a_folder_with_no_project_is_an_error(tmp_path: Path, capsys, command: str) -> None:
    args = ("--database-url", "postgresql://nowhere.invalid/x") if command == "status" else ()
    code, out, err = run_cli(tmp_path, capsys, *command.split(), *args)
    assert code == 2 and "not a schemac project: it has neither definitions/ nor generated/" in err, (out, err)
    assert list(tmp_path.iterdir()) == []


def test_compile_check_with_verify_is_refused(tmp_path: Path, capsys) -> None:
    root = _compiled(tmp_path, capsys, USERS)
    with pytest.raises(SystemExit) as exit_:
        run_cli(root, capsys, "compile", "--check", "--verify")
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_check_without_state_advises_only_what_works(tmp_path: Path, capsys) -> None:
    root = _compiled(tmp_path, capsys, USERS, USERS_PHONE)
    (root / "generated" / "state.json").unlink()
    write_definitions(root, {"users.yaml": USERS_PHONE + "  - {name: email, type: text}\n"})
    code, out, _ = run_cli(root, capsys, "compile", "--check")
    assert code == 1 and "generated/state.json is missing" in out and "schemac rebuild-state" in out
    assert "schemac compile" not in out, out  # it refuses until state.json is back
    assert "generated/schema.md is out of date; run 'schemac chartdb'" in out
    assert run_cli(root, capsys, "compile")[0] == 2
