"""schemac.yaml's migration timeouts as compile writes them, and refused when wrong."""
from __future__ import annotations

from pathlib import Path

from tests.helpers import run_cli, write_definitions

USERS = "table: users\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"


def _timeout_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "timeout" in line]


def test_the_settings_change_the_lines_of_every_transaction(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS})
    code, planned, _ = run_cli(tmp_path, capsys, "plan")
    assert code == 0
    assert _timeout_lines(planned) == ["SET LOCAL lock_timeout = '5s';", "SET LOCAL statement_timeout = '15min';"]
    (tmp_path / "schemac.yaml").write_text("migration_lock_timeout: 2s\nmigration_statement_timeout: 0\n")
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    for name in ("001_create_users.sql", "rollback_001.sql"):
        text = (tmp_path / "generated" / "migrations" / name).read_text()
        assert _timeout_lines(text) == ["SET LOCAL lock_timeout = '2s';", "SET LOCAL statement_timeout = '0';"], name
        assert text.index("BEGIN;\nSET LOCAL lock_timeout") < text.index("-- schemac:statement")


def test_a_changed_setting_never_rewrites_a_compiled_migration(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    first = (tmp_path / "generated" / "migrations" / "001_create_users.sql").read_bytes()
    (tmp_path / "schemac.yaml").write_text("migration_lock_timeout: 1s\n")
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--check")
    assert (code, out) == (0, "generated/ is up to date\n")  # the history stands as compiled
    write_definitions(tmp_path, {"users.yaml": USERS + "  - {name: email, type: text}\n"})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert (tmp_path / "generated" / "migrations" / "001_create_users.sql").read_bytes() == first
    second = (tmp_path / "generated" / "migrations" / "002_add_users_email.sql").read_text()
    assert "SET LOCAL lock_timeout = '1s';" in second


def test_a_bad_value_is_exit_2_at_its_place_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS})
    (tmp_path / "schemac.yaml").write_text("# timeouts\nmigration_statement_timeout: forever\n"
                                           "migration_lock_timeout: -5\n")
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[:2] == [
        "schemac.yaml:2:30: error: migration_statement_timeout must be a time such as 5s, 500ms, 15min or 1h, "
        "or a number of seconds; 0 means no limit",
        "schemac.yaml:3:25: error: migration_lock_timeout must be a time such as 5s, 500ms, 15min or 1h, "
        "or a number of seconds; 0 means no limit"]
    assert not (tmp_path / "generated").exists()
    assert run_cli(tmp_path, capsys, "compile", "--check")[0] == 2
