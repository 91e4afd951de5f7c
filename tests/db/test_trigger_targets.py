"""Triggers on views, on partitioned tables and constraint triggers FROM a table, on a real
PostgreSQL: at work on rows, read back by drift, and written by import (with no warning about
what it wrote). The round trips of their changes are ROUTINE_CASES (tests/db/test_routines.py).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.change_cases import LOGS_AUDIT, STAMPED, d
from tests.db.catalog import run_sql_file
from tests.db.test_apply import schemac
from tests.db.test_routines import applied
from tests.partition_cases import LOGS

THROUGH_THE_VIEW = STAMPED + d("""
    ---
    function: write_through
    returns: trigger
    language: plpgsql
    body: |
      BEGIN
        INSERT INTO t (id, name) VALUES (NEW.id, upper(NEW.name));
        RETURN NEW;
      END;
    ---
    view: named
    query: select id, name from t
    ---
    trigger: named_insert
    view: named
    timing: instead of
    events: [insert]
    for_each: row
    function: write_through
    """) + "---\n" + LOGS + LOGS_AUDIT


def test_an_instead_of_trigger_writes_through_the_view_and_clones_are_no_drift(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    project = applied(tmp_path, database_url, capsys, THROUGH_THE_VIEW)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO named (id, name) VALUES (1, 'ann')")
        assert conn.execute("SELECT name FROM t").fetchall() == [("ANN",)]
        # the parent's row trigger is cloned to its partition: PostgreSQL's, not a trigger of the definitions
        clones = conn.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'logs_2024'::regclass "
                              "AND tgname = 'logs_audit' AND tgparentid <> 0").fetchone()
        assert clones == (1,)
    code, out, err = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err


def test_drift_reports_a_dropped_view_trigger(tmp_path: Path, database_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    project = applied(tmp_path, database_url, capsys, THROUGH_THE_VIEW)
    run_sql_file(database_url, "DROP TRIGGER named_insert ON named")
    code, out, err = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 1, out + err
    assert "  - trigger public.named.named_insert of a view is missing, differs or went with its view\n" in out
    assert "INSTEAD OF INSERT ON public.named" in out


@pytest.fixture
def reader(admin_url: str, database_url: str) -> Iterator[str]:
    """A role of this test's own."""
    name = f"trg_reader_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


HAND_MADE = """
CREATE TABLE owners (id bigint PRIMARY KEY);
CREATE TABLE t (id bigint PRIMARY KEY, name text);
CREATE VIEW v AS SELECT id, name FROM t;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER v_insert INSTEAD OF INSERT OR UPDATE ON v FOR EACH ROW EXECUTE FUNCTION audit('x', '1.50');
CREATE TRIGGER v_updated AFTER UPDATE ON v FOR EACH STATEMENT EXECUTE FUNCTION audit();
COMMENT ON TRIGGER v_updated ON v IS 'Per statement.';
CREATE CONSTRAINT TRIGGER t_owned AFTER INSERT ON t FROM owners DEFERRABLE FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TABLE logs (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE logs_2024 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TRIGGER logs_audit AFTER INSERT ON logs FOR EACH ROW EXECUTE FUNCTION audit();
"""


def test_import_writes_view_partitioned_and_from_triggers_and_warns_of_none(
        tmp_path: Path, database_url: str, reader: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, HAND_MADE + f"GRANT SELECT ON logs TO {reader};\n"
                                           f"GRANT UPDATE (at) ON logs TO {reader};\n")
    code, _, err = schemac(tmp_path, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    assert [line for line in err.splitlines() if "warning" in line] == []
    definitions = tmp_path / "definitions"
    view = (definitions / "v.yaml").read_text()
    assert "trigger: v_insert\nview: v\ntiming: instead of\nevents: [insert, update]\nfor_each: row\n" \
           "function: audit\narguments: [x, \"1.50\"]\n" in view
    assert "trigger: v_updated\nview: v\n" in view
    assert "constraint: true\nfrom: owners\n" in (definitions / "t.yaml").read_text()
    logs = (definitions / "logs.yaml").read_text()
    assert "trigger: logs_audit\ntable: logs\n" in logs and "logs_2024" in logs
    assert f"{{role: {reader}, privileges: [select]}}" in logs
    assert "logs_audit" not in [p.stem for p in definitions.iterdir()]  # no trigger of the partition
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
