"""compile, compile --check and plan as a user runs them: exit codes, what is written, what is not."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import generated_files as snapshot
from tests.helpers import run_cli as run
from tests.helpers import write_definitions

USERS = textwrap.dedent("""
    table: users
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: email, type: varchar(255), nullable: false, unique: true}
      - {name: nick, type: text}
    """).lstrip()

ORGS = textwrap.dedent("""
    enum: org_kind
    values: [company, school]
    ---
    table: orgs
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: kind, type: org_kind, nullable: false, default: "'company'"}
      - {name: created_at, type: timestamptz, nullable: false, default: now()}
    """).lstrip()


def with_columns(*columns: str) -> str:
    """The users table with more columns, each a flow mapping such as `{name: x, type: text}`."""
    return USERS + "".join(f"  - {c}\n" for c in columns)


def migrations(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "generated" / "migrations").iterdir())


@pytest.fixture
def compiled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project with users compiled once."""
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 0, err
    return tmp_path


def test_first_compile_writes_migration_rollback_and_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 0, err
    assert err == ""
    assert migrations(tmp_path) == ["001_create_users.sql", "rollback_001.sql"]
    assert (tmp_path / "generated" / "state.json").is_file()
    up = (tmp_path / "generated/migrations/001_create_users.sql").read_text()
    assert "BEGIN;" in up and "COMMIT;" in up and "CREATE TABLE public.users (" in up
    assert "wrote generated/migrations/001_create_users.sql" in out


def test_second_compile_says_no_changes_and_rewrites_nothing(
        compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(compiled)
    code, out, err = run(compiled, capsys, "compile")
    assert code == 0, err
    assert "No changes" in out
    assert snapshot(compiled) == before


def test_check_is_0_when_up_to_date_and_writes_nothing(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(compiled)
    code, out, _ = run(compiled, capsys, "compile", "--check")
    assert code == 0
    assert "up to date" in out
    assert snapshot(compiled) == before


def test_check_is_1_after_a_definition_changes(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(compiled, {"users.yaml": with_columns("{name: phone, type: text}")}, exact=True)
    before = snapshot(compiled)
    code, out, _ = run(compiled, capsys, "compile", "--check")
    assert code == 1
    assert "not compiled yet" in out
    assert snapshot(compiled) == before


def test_check_is_1_when_a_migration_was_edited_by_hand(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = compiled / "generated/migrations/001_create_users.sql"
    path.write_text(path.read_text().replace("COMMIT;", "-- reviewed\nCOMMIT;"))
    code, out, _ = run(compiled, capsys, "compile", "--check")
    assert code == 1
    assert "generated/migrations/001_create_users.sql differs" in out


def test_check_is_1_when_a_rollback_is_missing(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated/migrations/rollback_001.sql").unlink()
    code, out, _ = run(compiled, capsys, "compile", "--check")
    assert code == 1
    assert "generated/migrations/rollback_001.sql is missing" in out


def test_check_is_1_with_an_extra_sql_file(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated/migrations/002_by_hand.sql").write_text("ALTER TABLE users ADD x int;\n")
    code, out, _ = run(compiled, capsys, "compile", "--check")
    assert code == 1
    assert "002_by_hand.sql is not recorded" in out


def test_check_is_1_when_state_json_was_edited(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = compiled / "generated/state.json"
    state.write_text(state.read_text() + "\n")  # same JSON, other bytes
    code, out, _ = run(compiled, capsys, "compile", "--check")
    assert code == 1
    assert "state.json was edited" in out


def test_dropping_a_column_is_refused_with_3_then_allowed(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(compiled, {"users.yaml": USERS.replace("  - {name: nick, type: text}\n", "")}, exact=True)
    before = snapshot(compiled)
    code, out, err = run(compiled, capsys, "compile")
    assert code == 3
    assert "drop column public.users.nick (text)" in err
    assert "--allow-destructive" in err
    assert "renamed_from" not in err  # nothing was added that it could have become
    assert snapshot(compiled) == before
    code, out, err = run(compiled, capsys, "compile", "--allow-destructive")
    assert code == 0, err
    assert migrations(compiled) == ["001_create_users.sql", "002_drop_users_nick.sql",
                                    "rollback_001.sql", "rollback_002.sql"]
    up = (compiled / "generated/migrations/002_drop_users_nick.sql").read_text()
    assert "DROP COLUMN nick" in up
    assert run(compiled, capsys, "compile", "--check")[0] == 0


def test_dropping_a_table_is_refused_with_3(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(compiled, {"orgs.yaml": ORGS}, exact=True)
    before = snapshot(compiled)
    code, _, err = run(compiled, capsys, "compile")
    assert code == 3
    assert "drop table public.users" in err
    assert snapshot(compiled) == before


def test_drop_and_add_of_one_type_is_refused_with_a_rename_hint(
        compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(compiled, {"users.yaml": USERS.replace("name: nick", "name: handle")}, exact=True)
    before = snapshot(compiled)
    code, _, err = run(compiled, capsys, "compile")
    assert code == 3
    assert "drop column public.users.nick" in err
    assert "add 'renamed_from: nick' to column handle" in err
    assert snapshot(compiled) == before
    # following the hint gives a rename, which is not destructive
    write_definitions(compiled, {"users.yaml": USERS.replace("name: nick", "name: handle, renamed_from: nick")}, exact=True)
    code, _, err = run(compiled, capsys, "compile")
    assert code == 0, err
    up = (compiled / "generated/migrations" / migrations(compiled)[1]).read_text()
    assert "RENAME COLUMN nick TO handle" in up


def test_plan_prints_the_sql_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    code, out, err = run(tmp_path, capsys, "plan")
    assert code == 0, err
    assert "CREATE TABLE public.users (" in out and out.rstrip().endswith("COMMIT;")
    assert not (tmp_path / "generated").exists()
    # and it is exactly what compile then writes
    assert run(tmp_path, capsys, "compile")[0] == 0
    assert (tmp_path / "generated/migrations/001_create_users.sql").read_text() == out


def test_plan_shows_destructive_changes_with_exit_0_and_writes_nothing(
        compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(compiled, {"users.yaml": USERS.replace("  - {name: nick, type: text}\n", "")}, exact=True)
    before = snapshot(compiled)
    code, out, _ = run(compiled, capsys, "plan")
    assert code == 0
    assert "DROP COLUMN nick" in out
    assert snapshot(compiled) == before


def test_name_from_m_and_numbering(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(compiled, {"users.yaml": with_columns("{name: phone, type: text}")}, exact=True)
    assert run(compiled, capsys, "compile", "-m", "Add phone")[0] == 0
    write_definitions(compiled, {"users.yaml": with_columns("{name: phone, type: text}"), "orgs.yaml": ORGS}, exact=True)
    assert run(compiled, capsys, "compile")[0] == 0
    write_definitions(compiled, {"users.yaml": with_columns("{name: phone, type: text}", "{name: age, type: int}"),
                     "orgs.yaml": ORGS}, exact=True)
    assert run(compiled, capsys, "compile", "-m", "age")[0] == 0
    assert migrations(compiled) == [
        "001_create_users.sql", "002_add_phone.sql", "003_create_org_kind_and_create_orgs.sql",
        "004_age.sql", "rollback_001.sql", "rollback_002.sql", "rollback_003.sql", "rollback_004.sql"]
    assert run(compiled, capsys, "compile", "--check")[0] == 0


def test_same_definitions_give_byte_identical_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for folder in ("one", "two"):
        root = tmp_path / folder
        write_definitions(root, {"users.yaml": USERS}, exact=True)
        assert run(root, capsys, "compile")[0] == 0
        write_definitions(root, {"users.yaml": with_columns("{name: org_id, type: bigint, references: orgs.id}"),
                     "orgs.yaml": ORGS}, exact=True)
        assert run(root, capsys, "compile")[0] == 0
        outputs.append({name: data for name, (data, _) in snapshot(root).items()})
    assert sorted(outputs[0]) == ["chartdb/diagram.json", "chartdb/metadata.json", "chartdb/schema_index.json",
                                  "chartdb/schemas/public.orgs.json", "chartdb/schemas/public.users.json",
                                  "migrations/001_create_users.sql", "migrations/002_create_org_kind_and_more.sql",
                                  "migrations/rollback_001.sql", "migrations/rollback_002.sql", "schema.md",
                                  "state.json"]
    assert outputs[0] == outputs[1]
    assert str(tmp_path) not in b"".join(outputs[0].values()).decode()


DAMAGED_STATES = [
    pytest.param(b'{"format": 1, "schema": {', id="truncated"),
    pytest.param(b"", id="empty"),
    pytest.param(b'{"format": 1}', id="missing_keys"),
    pytest.param(b'{"format": 99, "schema": {}, "migrations": []}', id="other_format"),
    pytest.param(b'\xff\xfe{}', id="not_utf8"),
    pytest.param(b"[]", id="a_list"),
    pytest.param(b"null", id="null"),
    pytest.param(b'{"format": 1, "schema": {"tables": [], "enums": [], "extensions": []}, "migrations": '
                 b'[{"version": "1", "name": "a", "file": "f", "sha256": "s", "rollback": "r", '
                 b'"rollback_sha256": "z"}]}', id="version_is_a_string"),
]


@pytest.mark.parametrize("damage", DAMAGED_STATES)
def test_damaged_state_json_is_exit_2_with_one_line(
        damage: bytes, compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "generated/state.json").write_bytes(damage)
    write_definitions(compiled, {"users.yaml": with_columns("{name: phone, type: text}")}, exact=True)
    before = snapshot(compiled)
    code, out, err = run(compiled, capsys, "compile")
    assert code == 2
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("generated/state.json: error: ")
    assert snapshot(compiled) == before


def test_definitions_error_beats_writing_even_when_destructive(
        compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input is exit 2 even if the rest would be a refused drop (3)."""
    write_definitions(compiled, {"users.yaml": "table: users\ncolumns:\n  - {name: id, type: bigint, primary_key: treu}\n"}, exact=True)
    before = snapshot(compiled)
    code, _, err = run(compiled, capsys, "compile")
    assert code == 2
    assert err.startswith("definitions/users.yaml:3:43: error: 'primary_key' must be true or false, not 'treu'")
    assert snapshot(compiled) == before


def test_check_on_a_project_never_compiled_is_1_and_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    code, out, _ = run(tmp_path, capsys, "compile", "--check")
    assert code == 1
    assert "not compiled yet" in out
    assert not (tmp_path / "generated").exists()
