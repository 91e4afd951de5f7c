"""schemac.yaml: defaults, each key, and errors at file:line:col."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.definitions.settings import (
    DEFAULT_LOCK_TIMEOUT,
    Duration,
    MigrationTimeouts,
    Settings,
    TableName,
    load_settings,
    parse_settings,
)
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
    ("apply_lock_timeout: soon\n", "schemac.yaml:1:21: error: apply_lock_timeout must be a time such as 5s"),
    ("apply_lock_timeout: -1\n", "schemac.yaml:1:21: error: apply_lock_timeout must be a time such as 5s"),
    ("apply_lock_timeout: true\n", "schemac.yaml:1:21: error: apply_lock_timeout must be a time such as 5s"),
    ("migrations_table: [a]\n", "schemac.yaml:1:19: error: migrations_table must be a table name"),
    ("migrations_table: a.b.c\n", "schemac.yaml:1:19: error: migrations_table 'a.b.c' has more than one '.'"),
    ("migrations_table: ops.\n", "schemac.yaml:1:19: error: migrations_table 'ops.': a name must not be empty"),
    ("migrations_table: " + "x" * 64 + "\n", "schemac.yaml:1:19: error: migrations_table 'xxxx"),
    ("migrations_table: [\n", "schemac.yaml:2:1: error: invalid YAML"),
    ("migration_lock_timeout: soon\n", "schemac.yaml:1:25: error: migration_lock_timeout must be a time such as 5s"),
    ("migration_lock_timeout: 5 sec\n", "schemac.yaml:1:25: error: migration_lock_timeout must be a time such as 5s"),
    ("migration_lock_timeout: -1\n", "schemac.yaml:1:25: error: migration_lock_timeout must be a time such as 5s"),
    ("migration_lock_timeout: false\n", "schemac.yaml:1:25: error: migration_lock_timeout must be a time such as"),
    ("migration_lock_timeout: .inf\n", "schemac.yaml:1:25: error: migration_lock_timeout must be a time such as 5s"),
    ("migration_statement_timeout: 0.0005\n",
     "schemac.yaml:1:30: error: migration_statement_timeout must be a whole number of milliseconds"),
    ("migration_statement_timeout: 25d\n",
     "schemac.yaml:1:30: error: migration_statement_timeout must be at most 2147483647ms (about 24 days)"),
    ("- a\n", "schemac.yaml:1:1: error: schemac.yaml must be a mapping of settings"),
])
def test_wrong_values_point_at_them(text: str, message: str) -> None:
    errors = errors_of(text)
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_migration_timeouts_default_and_each_spelling() -> None:
    defaults = Settings().migration_timeouts
    assert (str(defaults.lock), str(defaults.statement)) == ("5s", "15min")
    read = parse_settings("migration_lock_timeout: 2.5\nmigration_statement_timeout: 1h\n").migration_timeouts
    assert read == MigrationTimeouts(lock=Duration(2500), statement=Duration(3_600_000))
    assert (str(read.lock), str(read.statement)) == ("2500ms", "1h")
    for given, ms, printed in [("500ms", 500, "500ms"), ("0.3", 300, "300ms"), ("90 s", 90_000, "90s"),
                               ("1.5min", 90_000, "90s"), ("2d", 172_800_000, "2d"), ("0", 0, "0"), ("0s", 0, "0")]:
        lock = parse_settings(f"migration_lock_timeout: {given}\n").migration_timeouts.lock
        assert (lock.ms, str(lock)) == (ms, printed), given


def test_the_wait_for_another_apply_is_a_key_of_its_own() -> None:
    """apply_lock_timeout (the advisory lock apply waits for) and migration_lock_timeout (each
    statement's wait for a table's lock) never stand for each other."""
    settings = parse_settings("apply_lock_timeout: 3\n")
    assert settings.lock_timeout == 3 and settings.migration_timeouts == MigrationTimeouts()
    settings = parse_settings("migration_lock_timeout: 3\n")
    assert settings.lock_timeout == DEFAULT_LOCK_TIMEOUT and str(settings.migration_timeouts.lock) == "3s"
    assert errors_of("lock_timeout: 3\n") == [
        "schemac.yaml:1:1: error: unknown setting 'lock_timeout' (migration_lock_timeout: PostgreSQL's "
        "lock_timeout, set in each migration; apply_lock_timeout: how long apply waits for another apply)"]
    assert errors_of("statement_timeout: 3\n") == [
        "schemac.yaml:1:1: error: unknown setting 'statement_timeout' (did you mean 'migration_statement_timeout'? "
        "It sets PostgreSQL's statement_timeout in each migration)"]


@pytest.mark.parametrize(("text", "seconds"), [("apply_lock_timeout: 5s\n", 5.0), ("apply_lock_timeout: 500ms\n", 0.5),
                                               ("apply_lock_timeout: 2min\n", 120.0), ("apply_lock_timeout: 7\n", 7.0),
                                               ("apply_lock_timeout: 0\n", 0.0)])
def test_apply_lock_timeout_takes_the_units_the_migration_timeouts_take(text: str, seconds: float) -> None:
    assert parse_settings(text).lock_timeout == seconds
