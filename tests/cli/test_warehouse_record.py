"""The warehouse beside the history: BigQuery migrations are recorded in state.json like
PostgreSQL's (an edited or deleted one is caught), a warehouse-only change is a numbered BigQuery
migration of its own, two tables may not share a BigQuery name, and the environment's dataset
matters only to a project with warehouse tables."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_warehouse_cli import EVENTS, IN_WAREHOUSE
from tests.cli.test_warehouse_cli import _no_dataset_variable as _no_dataset_variable  # autouse, here too
from tests.helpers import generated_files, run_cli, write_definitions

MIGRATIONS = "warehouse/bigquery/migrations"


def _state(root: Path) -> dict:
    return json.loads((root / "generated" / "state.json").read_text())


def _files(root: Path, folder: str) -> list[str]:
    path = root / "generated" / folder
    return sorted(p.name for p in path.iterdir() if p.is_file()) if path.is_dir() else []


# -- the environment's dataset

def test_a_bad_environment_dataset_is_nothing_to_a_project_without_warehouse_tables(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    write_definitions(tmp_path, {"events.yaml": EVENTS})
    monkeypatch.setenv("BIGQUERY_DATASET", "not-a-dataset")
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 0, err
    assert run_cli(tmp_path, capsys, "compile", "--check")[:2] == (0, "generated/ is up to date\n")


def test_a_bad_environment_dataset_is_an_error_at_the_first_warehouse_table(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    (tmp_path / "schemac.yaml").write_text("bigquery_dataset: analytics\n")
    monkeypatch.setenv("BIGQUERY_DATASET", "a.b")
    expected = ("definitions/events.yaml:5:1: error: table public.events is in the BigQuery warehouse, whose "
                "dataset comes from the environment variable BIGQUERY_DATASET (over schemac.yaml's bigquery_dataset "
                "'analytics'), and 'a.b' is not a BigQuery dataset name (letters, digits and underscores, "
                "up to 1,024)")
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2 and err.splitlines()[0] == expected
    assert not (tmp_path / "generated").exists()
    monkeypatch.delenv("BIGQUERY_DATASET")
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    monkeypatch.setenv("BIGQUERY_DATASET", "a.b")
    code, _, err = run_cli(tmp_path, capsys, "compile", "--check")
    assert code == 2 and err.splitlines()[0] == expected


# -- one BigQuery name, one table

def test_two_tables_with_one_bigquery_name_are_an_error_naming_both(tmp_path: Path, capsys) -> None:
    table = "table: {name}\nschema: {schema}\ncolumns:\n  - {{name: id, type: bigint}}\nwarehouse: {{bigquery: true}}\n"
    write_definitions(tmp_path, {"a.yaml": table.format(name="b_c", schema="a"),
                                 "b.yaml": table.format(name="c", schema="a_b"),
                                 "c.yaml": table.format(name="a_b_c", schema="public"),
                                 "d.yaml": table.format(name="c", schema="b").replace(
                                     "warehouse: {bigquery: true}", "")})
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2
    assert [line for line in err.splitlines() if ": error: " in line] == [
        "definitions/b.yaml:5:1: error: table a_b.c and table a.b_c (definitions/a.yaml:5) are both BigQuery "
        "table a_b_c in the warehouse (a table outside public is named schema_table there); rename one, or keep "
        "one out of the warehouse",
        "definitions/c.yaml:5:1: error: table public.a_b_c and table a.b_c (definitions/a.yaml:5) are both "
        "BigQuery table a_b_c in the warehouse (a table outside public is named schema_table there); rename one, "
        "or keep one out of the warehouse"]
    assert not (tmp_path / "generated").exists()


# -- BigQuery migrations in the record

def test_state_json_records_each_bigquery_migration_with_its_checksum(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    data = (tmp_path / "generated" / MIGRATIONS / "001_create_events.sql").read_bytes()
    import hashlib

    assert _state(tmp_path)["warehouse_migrations"] == [
        {"version": 1, "file": f"{MIGRATIONS}/001_create_events.sql", "sha256": hashlib.sha256(data).hexdigest()}]


def test_a_project_without_the_warehouse_has_no_warehouse_record(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": EVENTS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert "warehouse_migrations" not in _state(tmp_path)


def test_an_edited_or_deleted_bigquery_migration_is_caught_like_a_postgresql_one(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    written = tmp_path / "generated" / MIGRATIONS / "001_create_events.sql"
    original = written.read_bytes()
    written.write_bytes(original + b"-- by hand\n")
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--check")
    assert code == 1 and f"stale: generated/{MIGRATIONS}/001_create_events.sql differs from what was compiled" in out
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace(
        "  - {name: created_at", "  - {name: email, type: text}\n  - {name: created_at")})
    before = generated_files(tmp_path)
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[0].startswith(f"generated/{MIGRATIONS}/001_create_events.sql: error: differs from "
                                          "what was compiled (checksum mismatch)")
    assert generated_files(tmp_path) == before
    written.unlink()
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2 and err.splitlines()[0].startswith(
        f"generated/{MIGRATIONS}/001_create_events.sql: error: is missing (state.json records it)")
    written.write_bytes(original)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert _files(tmp_path, MIGRATIONS) == ["001_create_events.sql", "002_add_events_email.sql"]


def test_an_unrecorded_bigquery_migration_is_caught(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    (tmp_path / "generated" / MIGRATIONS / "002_mine.sql").write_text("-- by hand\n")
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--check")
    assert code == 1 and f"stale: generated/{MIGRATIONS}/002_mine.sql is not recorded in state.json" in out


def test_a_bigquery_migration_of_an_interrupted_compile_is_a_leftover(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    import hashlib

    left = b"-- written, then the compile was killed\n"
    (tmp_path / "generated" / MIGRATIONS / "002_x.sql").write_bytes(left)
    (tmp_path / "generated" / ".compile-journal.json").write_text(json.dumps(
        {"files": {f"{MIGRATIONS}/002_x.sql": hashlib.sha256(left).hexdigest()}}))
    code, out, _ = run_cli(tmp_path, capsys, "compile")
    assert code == 0 and f"removed generated/{MIGRATIONS}/002_x.sql: a leftover of an interrupted compile" in out
    assert _files(tmp_path, MIGRATIONS) == ["001_create_events.sql"]


# -- a change to the warehouse keys alone

def test_a_warehouse_only_change_is_a_bigquery_migration_in_the_same_sequence(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace(
        "partition_by: created_at}", "partition_by: created_at, partition_expiration_days: 90}")})
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--check")
    assert code == 1
    assert ("stale: definitions have 1 warehouse change(s) not compiled yet (no PostgreSQL change); "
            "run 'schemac compile'") in out.splitlines()
    code, out, err = run_cli(tmp_path, capsys, "compile")
    assert code == 0, err
    assert f"wrote generated/{MIGRATIONS}/002_warehouse_events.sql (1 BigQuery change(s); no PostgreSQL change)" \
        in out.splitlines()
    assert _files(tmp_path, "migrations") == ["001_create_events.sql", "rollback_001.sql"]
    assert _files(tmp_path, MIGRATIONS) == ["001_create_events.sql", "002_warehouse_events.sql"]
    text = (tmp_path / "generated" / MIGRATIONS / "002_warehouse_events.sql").read_text()
    assert text.endswith("-- SetOptions events\n"
                         "ALTER TABLE events SET OPTIONS (partition_expiration_days=90);\n")
    state = _state(tmp_path)
    assert [m["version"] for m in state["migrations"]] == [1]
    assert [m["version"] for m in state["warehouse_migrations"]] == [1, 2]
    assert state["schema"]["tables"][0]["warehouse"]["partition_expiration_days"] == 90
    assert run_cli(tmp_path, capsys, "compile", "--check")[:2] == (0, "generated/ is up to date\n")
    assert run_cli(tmp_path, capsys, "compile")[1].startswith("No changes")
    # the next PostgreSQL migration takes the next number of the one sequence
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace(
        "partition_by: created_at}", "partition_by: created_at, partition_expiration_days: 90}").replace(
        "  - {name: created_at", "  - {name: email, type: text}\n  - {name: created_at")})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert _files(tmp_path, "migrations") == ["001_create_events.sql", "003_add_events_email.sql",
                                              "rollback_001.sql", "rollback_003.sql"]
    assert _files(tmp_path, MIGRATIONS)[-1] == "003_add_events_email.sql"


def test_a_warehouse_key_added_later_creates_the_bigquery_table(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": EVENTS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile", "-m", "events to the warehouse")[0] == 0
    assert _files(tmp_path, MIGRATIONS) == ["002_events_to_the_warehouse.sql"]
    assert "CREATE TABLE events" in (
        tmp_path / "generated" / MIGRATIONS / "002_events_to_the_warehouse.sql").read_text()


def test_a_destructive_warehouse_only_change_is_refused(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    before = generated_files(tmp_path)
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace(
        "partition_by: created_at}", "partition_by: created_at, cluster_by: [id]}")})
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 3 and "BigQuery table events is rebuilt" in err
    assert {k: v[0] for k, v in generated_files(tmp_path).items()} == {k: v[0] for k, v in before.items()}
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--allow-destructive")
    assert code == 0
    assert "DROP TABLE events;" in (
        tmp_path / "generated" / MIGRATIONS / "002_warehouse_events.sql").read_text()


def test_a_lost_state_json_beside_bigquery_migrations_is_named(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    (tmp_path / "generated" / "state.json").unlink()
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2 and err.splitlines()[0].startswith(
        "generated/state.json: error: is missing, but generated/ holds migrations/001_create_events.sql, "
        f"migrations/rollback_001.sql, {MIGRATIONS}/001_create_events.sql; restore it")


def test_two_warehouse_names_that_differ_only_in_case_are_an_error(tmp_path: Path, capsys) -> None:
    table = 'table: "{name}"\ncolumns:\n  - {{name: id, type: bigint}}\nwarehouse: {{bigquery: true}}\n'
    write_definitions(tmp_path, {"a.yaml": table.format(name="Events"), "b.yaml": table.format(name="events")})
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2 and err.splitlines()[0] == (
        "definitions/b.yaml:4:1: error: table public.events and table public.Events (definitions/a.yaml:4) are "
        "BigQuery tables Events and events, whose names differ only in case (one file name on a case-insensitive "
        "file system, one table in a case-insensitive dataset); rename one, or keep one out of the warehouse")


def test_plan_prints_the_bigquery_migration_of_a_warehouse_only_change(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace(
        "partition_by: created_at}", "partition_by: created_at, require_partition_filter: true}")})
    before = generated_files(tmp_path)
    code, out, _ = run_cli(tmp_path, capsys, "plan")
    assert code == 0
    assert out.splitlines()[0] == f"-- No PostgreSQL changes; compile writes generated/{MIGRATIONS}/002_warehouse_events.sql:"
    assert out.endswith("ALTER TABLE events SET OPTIONS (require_partition_filter=TRUE);\n")
    assert generated_files(tmp_path) == before
