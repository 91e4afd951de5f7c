"""Partitioned tables on a real PostgreSQL: every partition case read back equal to its definitions,
partitions added, dropped and given new bounds with rows in them, import, and drift."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from compiler.cli import main
from compiler.live.introspect import introspect
from compiler.live.scratch import canonical
from compiler.model.schema import Schema
from compiler.plan.diff import diff
from tests.db.catalog import catalog, run_sql_file
from tests.db.imported import assert_rebuilds_the_database
from tests.db.migrate import migration, rows_of, schema, up_and_back
from tests.partition_cases import EVENTS, LOGS, PARTITION_CASES


def _live(url: str) -> Schema:
    with psycopg.connect(url) as conn:
        return introspect(conn)


@pytest.mark.parametrize("case", sorted(PARTITION_CASES))
def test_introspection_reads_back_what_was_asked(case: str, database_url: str) -> None:
    """Up: the database read back has no difference from the definitions (as PostgreSQL spells
    them); rollback: none from the old ones. The keys and indexes PostgreSQL copies onto each
    partition, and a foreign key's copies per referenced partition, are no difference."""
    old, new = (schema(t) for t in PARTITION_CASES[case])
    run_sql_file(database_url, migration(Schema(), old))
    run_sql_file(database_url, migration(old, new))
    assert diff(_live(database_url), canonical(new, database_url)) == []
    run_sql_file(database_url, migration(new, old))
    assert diff(_live(database_url), canonical(old, database_url)) == []


def test_partitions_added_and_dropped_keep_the_rows_of_the_others(database_url: str, second_database_url: str) -> None:
    old_yaml, new_yaml = PARTITION_CASES["partitions_added"]
    rows = """
        INSERT INTO logs VALUES (1, '2024-03-01'), (2, '2024-12-31');
        INSERT INTO events VALUES ('eu', 'a'), (NULL, 'b'), ('us', 'c'), ('mars', 'd');
    """

    def after_up(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1 ORDER BY 1") == [
            ("events_eu", 2), ("events_other", 1), ("events_us", 1)]
        conn.execute("INSERT INTO logs VALUES (3, '2025-06-01')")  # the new partition takes it
        assert rows_of(conn, "SELECT tableoid::regclass::text FROM logs WHERE id = 3") == [("logs_2025",)]
        conn.commit()

    def after_rollback(conn: psycopg.Connection) -> None:  # DropPartition took its own rows, no other
        assert rows_of(conn, "SELECT id FROM logs ORDER BY id") == [(1,), (2,)]
        assert rows_of(conn, "SELECT count(*) FROM events") == [(4,)]

    up_and_back(database_url, second_database_url, old_yaml, new_yaml, rows, after_up, after_rollback)


def test_a_partition_for_rows_the_default_partition_holds_is_refused(database_url: str) -> None:
    """CreatePartition beside a DEFAULT partition reads it (its fails_on_rows hazard): a row of the
    new partition's values there stops the migration, and nothing of it stays."""
    old_yaml, new_yaml = PARTITION_CASES["partitions_added"]
    old, new = schema(old_yaml), schema(new_yaml)
    run_sql_file(database_url, migration(Schema(), old))
    run_sql_file(database_url, "INSERT INTO events VALUES ('asia', 'x');")
    before = catalog(database_url)
    with pytest.raises(AssertionError, match="would be violated by some row"):
        run_sql_file(database_url, migration(old, new))
    assert catalog(database_url) == before


def test_new_bounds_keep_the_rows_and_refuse_one_outside_them(database_url: str, second_database_url: str) -> None:
    wider = LOGS.replace("to: [2025-01-01]", "to: [2026-01-01]")

    # up widens the bounds; the rollback narrows them again, which the row of 2025 refuses
    old, new = schema(LOGS), schema(wider)
    run_sql_file(database_url, migration(Schema(), old))
    run_sql_file(database_url, "INSERT INTO logs VALUES (1, '2024-03-01');")
    run_sql_file(database_url, migration(old, new))
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO logs VALUES (3, '2025-06-01')")  # inside the wider bounds now
        conn.commit()
        assert rows_of(conn, "SELECT tableoid::regclass::text, count(*) FROM logs GROUP BY 1") == [("logs_2024", 2)]
    with pytest.raises(AssertionError, match="partition constraint of relation .logs_2024. is violated by some row"):
        run_sql_file(database_url, migration(new, old))
    with psycopg.connect(database_url) as conn:  # the failed rollback left the partition attached, rows and all
        assert rows_of(conn, "SELECT count(*) FROM logs") == [(2,)]
    run_sql_file(database_url, "DELETE FROM logs WHERE id = 3;")
    run_sql_file(database_url, migration(new, old))
    assert diff(_live(database_url), canonical(old, database_url)) == []


HAND_WRITTEN = """
CREATE SCHEMA archive;
CREATE TABLE readings (
    site integer NOT NULL, taken_on date NOT NULL, id bigint NOT NULL, value numeric(10,2),
    PRIMARY KEY (site, taken_on, id), UNIQUE (id, site, taken_on)
) PARTITION BY RANGE (site, taken_on);
COMMENT ON TABLE readings IS 'By site and day.';
CREATE INDEX ON readings (value);
CREATE TABLE readings_low PARTITION OF readings FOR VALUES FROM (MINVALUE, MINVALUE) TO (10, '2024-01-01');
CREATE TABLE archive.readings_high PARTITION OF readings FOR VALUES FROM (10, '2024-01-01') TO (MAXVALUE, MAXVALUE);
COMMENT ON TABLE archive.readings_high IS 'Kept apart.';
CREATE TABLE events (region text, body text) PARTITION BY LIST (region);
CREATE TABLE events_eu PARTITION OF events FOR VALUES IN (NULL, 'eu', 'it''s');
CREATE TABLE events_rest PARTITION OF events DEFAULT PARTITION BY HASH (body);
CREATE TABLE events_rest_0 PARTITION OF events_rest FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE events_rest_1 PARTITION OF events_rest FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE accounts (id bigint PRIMARY KEY, site integer, taken_on date, reading bigint,
    FOREIGN KEY (site, taken_on, reading) REFERENCES readings (site, taken_on, id)) PARTITION BY HASH (id);
CREATE TABLE accounts_0 PARTITION OF accounts FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE accounts_1 PARTITION OF accounts FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE accounts_2 PARTITION OF accounts FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE accounts_3 PARTITION OF accounts FOR VALUES WITH (MODULUS 4, REMAINDER 3);
CREATE TABLE payments (account bigint REFERENCES accounts (id));
CREATE TABLE names (name text, n integer) PARTITION BY RANGE (lower(name) COLLATE "C" text_pattern_ops, (n + 1));
CREATE TABLE names_a PARTITION OF names FOR VALUES FROM (MINVALUE, MINVALUE) TO ('n', 0);
"""


def test_import_writes_partitions_that_compile_to_the_same_database(
        tmp_path: Path, database_url: str, second_database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, HAND_WRITTEN)
    assert main(["-C", str(tmp_path), "import", "--database-url", database_url]) == 0
    out, err = capsys.readouterr()
    assert "warning" not in err, err  # no partition is unmanaged, no per-partition copy of a key is reported
    readings = (tmp_path / "definitions" / "readings.yaml").read_text()
    assert "partition_by: {method: range, columns: [site, taken_on]}" in readings
    assert "{name: readings_high, schema: archive, from: [10, \"2024-01-01\"], to: [MAXVALUE, MAXVALUE]" in readings
    events = (tmp_path / "definitions" / "events.yaml").read_text()
    assert "in: [null, eu, \"it's\"]" in events and "partition_by: {method: hash, columns: [body]}" in events

    assert_rebuilds_the_database(tmp_path, database_url, second_database_url, capsys)
    # a list partition's values are a set: written in another order, they are no drift
    run_sql_file(database_url, """
        ALTER TABLE events DETACH PARTITION events_eu;
        ALTER TABLE events ATTACH PARTITION events_eu FOR VALUES IN ('it''s', 'eu', NULL);
    """)
    assert main(["-C", str(tmp_path), "drift", "--database-url", database_url]) == 0


def test_drift_reports_a_hand_made_partition_and_a_detached_one(tmp_path: Path, database_url: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "t.yaml").write_text(LOGS + EVENTS)
    assert main(["-C", str(tmp_path), "compile"]) == 0
    assert main(["-C", str(tmp_path), "apply", "--database-url", database_url]) == 0
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "drift", "--database-url", database_url]) == 0
    run_sql_file(database_url, """
        CREATE TABLE logs_2025 PARTITION OF logs FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        ALTER TABLE events DETACH PARTITION events_us;
    """)
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "drift", "--database-url", database_url]) == 1
    out = capsys.readouterr().out
    assert "partition public.logs_2025 is not in the definitions" in out
    assert "partition public.events_us is missing" in out
    assert "table public.events_us is not in the definitions" in out
    assert "DROP TABLE public.logs_2025;" in out


def test_seeds_go_into_a_partitioned_table_and_twice_change_nothing(tmp_path: Path, database_url: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """INSERT ... ON CONFLICT on the parent: PostgreSQL routes each row to its partition, and the
    key (which holds the partition column) finds it again."""
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "logs.yaml").write_text(
        LOGS + "  - {name: logs_2025, from: [2025-01-01], to: [2026-01-01]}\n"
        + "  - {name: logs_rest, from: [2026-01-01], to: [MAXVALUE]}\n")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "logs.yaml").write_text("table: logs\nrows:\n  - {id: 1, at: 2024-05-01}\n"
                                                 "  - {id: 2, at: 2025-05-01}\n")
    assert main(["-C", str(tmp_path), "compile"]) == 0
    assert main(["-C", str(tmp_path), "apply", "--seed", "--database-url", database_url]) == 0
    assert main(["-C", str(tmp_path), "seed", "--database-url", database_url]) == 0
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT tableoid::regclass::text, id FROM logs ORDER BY id") == [
            ("logs_2024", 1), ("logs_2025", 2)]


def test_verify_catches_ranges_of_text_that_overlap(tmp_path: Path, database_url: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Compile compares the bounds it can without the key's type (integers, dates); text ranges
    are PostgreSQL's to judge, and verify builds the migration on a throwaway database."""
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "names.yaml").write_text(
        "table: names\ncolumns:\n  - {name: name, type: text}\npartition_by: {method: range, columns: [name]}\n"
        "partitions:\n  - {name: names_a, from: [a], to: [n]}\n  - {name: names_b, from: [m], to: [z]}\n")
    assert main(["-C", str(tmp_path), "compile"]) == 0
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "verify", "--database-url", database_url]) != 0
    out, err = capsys.readouterr()
    assert 'partition "names_b" would overlap partition "names_a"' in out + err


def test_an_index_asked_online_is_built_partition_by_partition(tmp_path: Path, database_url: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table: apply makes the parent's
    index ON ONLY, builds each partition's concurrently and attaches it; the parent's is valid then,
    and reads as the index the definitions declare."""
    old_yaml, new_yaml = PARTITION_CASES["index_built_online_on_a_partitioned_table"]
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "visits.yaml").write_text(old_yaml)
    assert main(["-C", str(tmp_path), "compile"]) == 0
    assert main(["-C", str(tmp_path), "apply", "--database-url", database_url]) == 0
    run_sql_file(database_url, "INSERT INTO visits VALUES (1, '2023-05-01'), (2, '2023-05-01'), (2, '2025-05-01');")
    (tmp_path / "definitions" / "visits.yaml").write_text(new_yaml)
    assert main(["-C", str(tmp_path), "compile"]) == 0
    assert main(["-C", str(tmp_path), "apply", "--database-url", database_url]) == 0
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, """
            SELECT c.relname, x.indisvalid, (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                                             WHERE i.inhrelid = c.oid)
            FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE c.relname LIKE '%at_site_idx'
            ORDER BY 1""") == [
            ("visits_1_at_site_idx", True, "visits_at_site_idx"),
            ("visits_2_at_site_idx", True, "visits_at_site_idx"),
            ("visits_2_new_at_site_idx", True, "visits_2_at_site_idx"),
            ("visits_2_old_at_site_idx", True, "visits_2_at_site_idx"),
            ("visits_at_site_idx", True, None)]
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "drift", "--database-url", database_url]) == 0
    assert main(["-C", str(tmp_path), "rollback", "--database-url", database_url]) == 0
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT count(*) FROM pg_class WHERE relname LIKE '%at_site_idx'") == [(0,)]


def test_import_lists_what_a_partition_holds_alone(tmp_path: Path, database_url: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A table attached as a partition keeps its own defaults and NOT NULL, and a partition may get
    indexes and checks of its own: the definitions hold a partition's bounds only, so import says so."""
    run_sql_file(database_url, """
        CREATE TABLE logs (id bigint NOT NULL, at date NOT NULL, note text DEFAULT 'x') PARTITION BY RANGE (at);
        CREATE TABLE logs_2024 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE logs_2025 (id bigint NOT NULL DEFAULT 0, at date NOT NULL, note text NOT NULL);
        ALTER TABLE logs ATTACH PARTITION logs_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE INDEX logs_2024_note ON logs_2024 (note);
        ALTER TABLE logs_2024 ADD CONSTRAINT short CHECK (length(note) < 10);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER logs_touch BEFORE UPDATE ON logs FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TRIGGER own_touch BEFORE UPDATE ON logs_2024 FOR EACH ROW EXECUTE FUNCTION touch();
    """)
    assert main(["-C", str(tmp_path), "import", "--database-url", database_url]) == 0
    warnings = sorted(line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: "))
    assert warnings == [
        "warning: logs_2024_note on partition public.logs_2024: index of a partition alone (not written)",
        # the parent's trigger is written; its clones on the partitions are PostgreSQL's, not listed
        "warning: own_touch on partition public.logs_2024: trigger of a partition alone (not written)",
        "warning: public.logs_2025.id: default or NOT NULL of a partition alone (not written)",
        "warning: public.logs_2025.note: default or NOT NULL of a partition alone (not written)",
        "warning: short on partition public.logs_2024: constraint of a partition alone (not written)"]
    assert "{name: logs_2025, from: [\"2025-01-01\"], to: [\"2026-01-01\"]}" in (
        tmp_path / "definitions" / "logs.yaml").read_text()


def test_a_partition_key_using_a_function_of_the_definitions_is_imported_and_compiles(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, """
        CREATE FUNCTION bucket(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT i / 10';
        CREATE TABLE t (k integer) PARTITION BY RANGE (bucket(k));
        CREATE TABLE t0 PARTITION OF t FOR VALUES FROM (0) TO (10);
        CREATE TABLE plain (id integer);
    """)
    assert main(["-C", str(tmp_path), "import", "--database-url", database_url]) == 0
    err = capsys.readouterr().err
    # the function is written (a sql routine), and created before the table whose key calls it
    assert "warning" not in err
    assert sorted(p.name for p in (tmp_path / "definitions").glob("*.yaml")) == ["plain.yaml", "routines.yaml",
                                                                                 "t.yaml"]
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "compile"]) == 0
    assert main(["-C", str(tmp_path), "drift", "--database-url", database_url]) == 0


def test_a_list_value_spelled_like_a_range_word_is_text(database_url: str) -> None:
    """On a text key 'MINVALUE' is a value like any other: emitted as a literal (bare, PostgreSQL
    would read it as a column and refuse), read back as the same value."""
    new = schema("""
        table: marks
        columns:
          - {name: word, type: text}
        partition_by: {method: list, columns: [word]}
        partitions:
          - {name: marks_ends, in: [MINVALUE, maxvalue]}
        """)
    run_sql_file(database_url, migration(Schema(), new))
    assert diff(_live(database_url), canonical(new, database_url)) == []
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO marks VALUES ('MINVALUE'), ('maxvalue')")
        assert rows_of(conn, "SELECT word FROM marks_ends ORDER BY word") == [("MINVALUE",), ("maxvalue",)]


PART_OVER_K = """domain: k
type: integer
---
table: part
columns:
  - {name: pk, type: k, nullable: false}
  - {name: v, type: text}
partition_by: {method: list, columns: [pk]}
partitions:
  - {name: part_1, in: [1]}
  - {name: part_d, default: true}
"""


def test_a_new_base_type_of_a_domain_of_a_partition_key_column_builds_the_table_again(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """PostgreSQL alters no partition key column's type, a domain's made anew included: the table is
    dropped and created again, as for a new type of the column itself (refused without
    --allow-destructive), and the rollback builds it back over the old domain."""
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "t.yaml").write_text(PART_OVER_K)
    assert main(["-C", str(tmp_path), "compile"]) == 0
    assert main(["-C", str(tmp_path), "apply", "--database-url", database_url]) == 0
    run_sql_file(database_url, "INSERT INTO part VALUES (1, 'a'), (2, 'b');")
    (tmp_path / "definitions" / "t.yaml").write_text(PART_OVER_K.replace("type: integer", "type: bigint"))
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "compile"]) == 3
    err = capsys.readouterr().err
    assert ("drop and create table public.part again, as its partition key column pk is of domain public.k, "
            "which is made anew: its rows are lost") in err
    assert main(["-C", str(tmp_path), "compile", "--allow-destructive"]) == 0
    assert main(["-C", str(tmp_path), "apply", "--database-url", database_url]) == 0
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "drift", "--database-url", database_url]) == 0, capsys.readouterr().out
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT format_type(typbasetype, NULL) FROM pg_type WHERE typname = 'k'") == [
            ("bigint",)]
    assert main(["-C", str(tmp_path), "rollback", "--database-url", database_url]) == 0
    assert diff(_live(database_url), canonical(schema(PART_OVER_K), database_url)) == []


def test_an_enum_made_anew_under_a_partition_key_column_builds_the_table_again(database_url: str) -> None:
    old_yaml = """enum: color
values: [red, green, blue]
---
table: paint
columns:
  - {name: c, type: color, nullable: false}
partition_by: {method: list, columns: [c]}
partitions:
  - {name: paint_r, in: [red]}
  - {name: paint_d, default: true}
"""
    old, new = schema(old_yaml), schema(old_yaml.replace("[red, green, blue]", "[red, blue]"))
    assert [c.kind for c in diff(old, new)][:4] == ["RenameEnum", "CreateEnum", "DropTable", "CreateTable"]
    run_sql_file(database_url, migration(Schema(), old))
    run_sql_file(database_url, "INSERT INTO paint VALUES ('red'), ('blue');")
    run_sql_file(database_url, migration(old, new))
    assert diff(_live(database_url), canonical(new, database_url)) == []
    run_sql_file(database_url, migration(new, old))
    assert diff(_live(database_url), canonical(old, database_url)) == []
