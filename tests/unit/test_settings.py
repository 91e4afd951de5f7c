"""schemac.yaml: defaults, each key, and errors at file:line:col."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.definitions.settings import DEFAULT_LOCK_TIMEOUT, Settings, TableName, load_settings, parse_settings
from compiler.errors import DefinitionErrors


def errors_of(text: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as e:
        parse_settings(text)
    return [str(x) for x in e.value.errors]


def test_no_file_and_empty_file_give_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings(TableName("public", "schema_migrations"), DEFAULT_LOCK_TIMEOUT)
    (tmp_path / "schemac.yaml").write_text("# nothing set yet\n")
    assert load_settings(tmp_path) == Settings()


def test_each_key() -> None:
    settings = parse_settings("migrations_table: ops.schemac_history\napply_lock_timeout: 2.5\n")
    assert settings.migrations_table == TableName("ops", "schemac_history")
    assert settings.lock_timeout == 2.5
    assert parse_settings("migrations_table: History\n").migrations_table == TableName("public", "History")
    assert str(TableName("Ops", "my history")) == '"Ops"."my history"'
    # a plain scalar YAML would read as a number or a boolean is the name as written
    assert parse_settings("migrations_table: on\n").migrations_table == TableName("public", "on")


def test_unknown_key_with_did_you_mean() -> None:
    assert errors_of("migration_table: x\n") == [
        "schemac.yaml:1:1: error: unknown setting 'migration_table' (did you mean 'migrations_table'?)"]


@pytest.mark.parametrize(("text", "message"), [
    ("apply_lock_timeout: soon\n", "schemac.yaml:1:21: error: apply_lock_timeout must be a number of seconds"),
    ("apply_lock_timeout: -1\n", "schemac.yaml:1:21: error: apply_lock_timeout must be a number of seconds"),
    ("apply_lock_timeout: true\n", "schemac.yaml:1:21: error: apply_lock_timeout must be a number of seconds"),
    ("migrations_table: [a]\n", "schemac.yaml:1:19: error: migrations_table must be a table name"),
    ("migrations_table: a.b.c\n", "schemac.yaml:1:19: error: migrations_table 'a.b.c' has more than one '.'"),
    ("migrations_table: ops.\n", "schemac.yaml:1:19: error: migrations_table 'ops.': a name must not be empty"),
    ("migrations_table: " + "x" * 64 + "\n", "schemac.yaml:1:19: error: migrations_table 'xxxx"),
    ("migrations_table: [\n", "schemac.yaml:2:1: error: invalid YAML"),
    ("- a\n", "schemac.yaml:1:1: error: schemac.yaml must be a mapping of settings"),
])
def test_wrong_values_point_at_them(text: str, message: str) -> None:
    errors = errors_of(text)
    assert len(errors) == 1 and errors[0].startswith(message), errors
