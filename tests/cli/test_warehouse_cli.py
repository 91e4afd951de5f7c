"""compile writes the BigQuery DDL of warehouse tables beside the migrations, compile --check
notices when it is stale, and the dataset comes from schemac.yaml or BIGQUERY_DATASET."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import generated_files, run_cli, write_definitions

EVENTS = """
table: events
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: created_at, type: timestamptz, nullable: false}
"""
IN_WAREHOUSE = EVENTS + "warehouse: {bigquery: true, partition_by: created_at}\n"
FOLDER = "warehouse/bigquery"


@pytest.fixture(autouse=True)
def _no_dataset_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIGQUERY_DATASET", raising=False)


def _warehouse(root: Path) -> list[str]:
    return sorted(rel for rel in generated_files(root)
                  if rel.startswith("warehouse/") and not rel.startswith(f"{FOLDER}/migrations/"))


def test_compile_writes_one_file_a_table_and_one_with_all(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    code, out, _ = run_cli(tmp_path, capsys, "compile")
    assert code == 0 and "wrote generated/warehouse/bigquery/\n" in out
    assert _warehouse(tmp_path) == [f"{FOLDER}/warehouse.events.sql", f"{FOLDER}/warehouse.sql"]
    text = (tmp_path / "generated" / FOLDER / "warehouse.events.sql").read_text()
    assert "CREATE TABLE warehouse.events (" in text and "PARTITION BY TIMESTAMP_TRUNC(created_at, DAY)" in text
    assert run_cli(tmp_path, capsys, "compile", "--check")[:2] == (0, "generated/ is up to date\n")


def test_a_project_without_the_key_gets_exactly_what_it_got_before(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": EVENTS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    plain = {rel: data for rel, (data, _) in generated_files(tmp_path).items()}
    assert not any(rel.startswith("warehouse") for rel in plain)
    other = tmp_path / "other"
    write_definitions(other, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(other, capsys, "compile")[0] == 0
    marked = {rel: data for rel, (data, _) in generated_files(other).items() if not rel.startswith("warehouse/")}
    marked_state, plain_state = json.loads(marked.pop("state.json")), json.loads(plain.pop("state.json"))
    assert marked == plain  # migrations and diagrams: byte for byte
    # state.json holds the warehouse options, for the next warehouse migration, and the record of the
    # BigQuery migration, and nothing else more
    del marked_state["schema"]["tables"][0]["warehouse"]
    assert [m["file"] for m in marked_state.pop("warehouse_migrations")] == [f"{FOLDER}/migrations/001_create_events.sql"]
    assert marked_state == plain_state


def test_check_tells_a_hand_edit_a_missing_file_and_a_leftover(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    (tmp_path / "generated" / FOLDER / "warehouse.events.sql").write_text("-- edited\n")
    (tmp_path / "generated" / FOLDER / "warehouse.sql").unlink()
    (tmp_path / "generated" / FOLDER / "warehouse.gone.sql").write_text("-- old\n")
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--check")
    assert code == 1
    assert out.splitlines() == [
        f"stale: generated/{FOLDER}/warehouse.events.sql is out of date; run 'schemac compile'",
        f"stale: generated/{FOLDER}/warehouse.sql is missing; run 'schemac compile'",
        f"stale: generated/{FOLDER}/warehouse.gone.sql belongs to no warehouse table; run 'schemac compile'"]
    code, out, _ = run_cli(tmp_path, capsys, "compile")
    assert code == 0 and "brought 3 warehouse file(s) up to date" in out
    assert _warehouse(tmp_path) == [f"{FOLDER}/warehouse.events.sql", f"{FOLDER}/warehouse.sql"]
    assert run_cli(tmp_path, capsys, "compile", "--check")[0] == 0


def test_a_warehouse_key_added_later_is_a_bigquery_migration_alone(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": EVENTS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--check")
    assert code == 1 and out.splitlines() == [
        "stale: definitions have 1 warehouse change(s) not compiled yet (no PostgreSQL change); run 'schemac compile'",
        f"stale: generated/{FOLDER}/warehouse.events.sql is missing; run 'schemac compile'",
        f"stale: generated/{FOLDER}/warehouse.sql is missing; run 'schemac compile'"]
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert sorted(p.name for p in (tmp_path / "generated" / "migrations").iterdir()) == [
        "001_create_events.sql", "rollback_001.sql"]
    assert sorted(p.name for p in (tmp_path / "generated" / FOLDER / "migrations").iterdir()) == [
        "002_warehouse_events.sql"]
    assert len(_warehouse(tmp_path)) == 2


def test_the_dataset_setting_and_the_environment_over_it(tmp_path: Path, capsys,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    (tmp_path / "schemac.yaml").write_text("bigquery_dataset: analytics\n")
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert _warehouse(tmp_path) == [f"{FOLDER}/analytics.events.sql", f"{FOLDER}/analytics.sql"]
    monkeypatch.setenv("BIGQUERY_DATASET", "analytics_staging")
    assert run_cli(tmp_path, capsys, "compile", "--check")[0] == 1
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert _warehouse(tmp_path) == [f"{FOLDER}/analytics_staging.events.sql", f"{FOLDER}/analytics_staging.sql"]
    assert "CREATE TABLE analytics_staging.events" in (
        tmp_path / "generated" / FOLDER / "analytics_staging.sql").read_text()


def test_a_bad_dataset_is_exit_2_and_nothing_is_written(tmp_path: Path, capsys,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    (tmp_path / "schemac.yaml").write_text("# the warehouse\nbigquery_dataset: my-data\n")
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[0] == ("schemac.yaml:2:19: error: bigquery_dataset must be a BigQuery dataset name "
                                   "(letters, digits and underscores, up to 1,024), not 'my-data'")
    assert not (tmp_path / "generated").exists()
    (tmp_path / "schemac.yaml").unlink()
    monkeypatch.setenv("BIGQUERY_DATASET", "a.b")
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2 and err.splitlines()[0].startswith(
        "definitions/events.yaml:5:1: error: table public.events is in the BigQuery warehouse, whose dataset comes "
        "from the environment variable BIGQUERY_DATASET (over the default dataset 'warehouse'), and 'a.b' is not")
    assert not (tmp_path / "generated").exists()


def test_a_warehouse_mistake_is_exit_2_at_its_place(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": EVENTS + "warehouse: {bigquery: true, cluster_by: [a, b, c, d, e]}\n"})
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[0] == ("definitions/events.yaml:5:41: error: BigQuery clusters by at most 4 columns, "
                                   "and table events's warehouse lists 5")
    assert not (tmp_path / "generated").exists()


def test_the_bigquery_migration_has_the_number_of_the_postgresql_one(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace(
        "  - {name: created_at", "  - {name: email, type: text}\n  - {name: created_at")})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    migrations = tmp_path / "generated" / FOLDER / "migrations"
    assert sorted(p.name for p in migrations.iterdir()) == ["001_create_events.sql", "002_add_events_email.sql"]
    assert (migrations / "002_add_events_email.sql").read_text().endswith(
        "-- AddColumn events.email\nALTER TABLE events ADD COLUMN email STRING;\n")


def test_what_bigquery_cannot_do_in_place_needs_allow_destructive(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    before = generated_files(tmp_path)
    # with a column added, which PostgreSQL and BigQuery both add in place
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace(
        "partition_by: created_at}", "partition_by: created_at, granularity: year}").replace(
        "  - {name: created_at", "  - {name: email, type: text}\n  - {name: created_at")})
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 3
    assert err.splitlines()[1:] == [
        "  - BigQuery table events is rebuilt (new partitioning or clustering, which BigQuery cannot "
        "change in place): its rows are lost; reload it"]
    assert ("  - BigQuery table events is rebuilt (new partitioning or clustering, which BigQuery cannot "
            "change in place): its rows are lost; reload it") in err.splitlines()
    assert {k: v[0] for k, v in generated_files(tmp_path).items()} == {k: v[0] for k, v in before.items()}


def test_migrations_name_no_dataset_so_one_history_serves_every_dataset(tmp_path: Path, capsys,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # staging compiles with BIGQUERY_DATASET, production without: the migrations are the same bytes,
    # tables of the default dataset each is run against; the full-table files name the dataset
    with_email = IN_WAREHOUSE.replace("  - {name: created_at", "  - {name: email, type: text}\n  - {name: created_at")
    staging, production = tmp_path / "staging", tmp_path / "production"
    for root in (staging, production):
        write_definitions(root, {"events.yaml": IN_WAREHOUSE})
        (root / "schemac.yaml").write_text("bigquery_dataset: analytics\n")
        assert run_cli(root, capsys, "compile")[0] == 0
        write_definitions(root, {"events.yaml": with_email})
        with monkeypatch.context() as m:
            if root is staging:
                m.setenv("BIGQUERY_DATASET", "analytics_staging")
            assert run_cli(root, capsys, "compile")[0] == 0
    migrations = {root.name: {rel: data for rel, (data, _) in generated_files(root).items()
                              if rel.startswith(f"{FOLDER}/migrations/")} for root in (staging, production)}
    assert migrations["staging"] == migrations["production"]
    added = migrations["staging"][f"{FOLDER}/migrations/002_add_events_email.sql"].decode()
    assert "analytics" not in added and added.splitlines()[1] == (
        "-- tables of the default dataset: run it after SET @@dataset_id = '<dataset>';")
    created = migrations["staging"][f"{FOLDER}/migrations/001_create_events.sql"].decode()
    assert "CREATE TABLE events (" in created and "analytics" not in created
    assert _warehouse(staging) == [f"{FOLDER}/analytics_staging.events.sql", f"{FOLDER}/analytics_staging.sql"]
    assert "CREATE TABLE analytics_staging.events" in (staging / "generated" / FOLDER / "analytics_staging.sql").read_text()


def test_review_and_lint_see_the_bigquery_migrations_and_what_they_lose(tmp_path: Path, capsys) -> None:
    """A table rebuilt in BigQuery alone (new granularity) is a change to lint, a data_loss hazard,
    before and after it is compiled; review lists the BigQuery migration with its loss."""
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    base = tmp_path / "base-state.json"
    base.write_bytes((tmp_path / "generated" / "state.json").read_bytes())
    write_definitions(tmp_path, {"events.yaml": IN_WAREHOUSE.replace(
        "partition_by: created_at}", "partition_by: created_at, granularity: year}")})
    lost = ("data_loss  BigQuery: BigQuery table events is rebuilt (new partitioning or clustering, which BigQuery "
            "cannot change in place): its rows are lost; reload it")
    code, out, _ = run_cli(tmp_path, capsys, "lint")
    assert code == 1, out
    assert f"warehouse/bigquery/migrations/002_warehouse_events.sql  {lost}" in out.splitlines()
    assert run_cli(tmp_path, capsys, "lint", "--allow", "data_loss")[0] == 0
    assert run_cli(tmp_path, capsys, "compile", "--allow-destructive")[0] == 0
    code, out, _ = run_cli(tmp_path, capsys, "lint", "--base-state", str(base))
    assert code == 1 and f"warehouse/bigquery/migrations/002_warehouse_events.sql  {lost}" in out.splitlines()
    code, out, _ = run_cli(tmp_path, capsys, "review", "--base-state", str(base))
    assert code == 0
    assert "0 migration(s), 1 BigQuery migration(s); no table changed." in out
    assert "### BigQuery `warehouse/bigquery/migrations/002_warehouse_events.sql`" in out
    assert ("**Destructive:** BigQuery table events is rebuilt (new partitioning or clustering, which BigQuery "
            "cannot change in place): its rows are lost; reload it") in out
    assert "DROP TABLE" in out
