"""drift and apply --baseline leave out what import leaves out as unmanaged: never a DROP of it."""
from __future__ import annotations

from pathlib import Path

from tests.db.catalog import run_sql_file
from tests.db.test_apply import schemac

ADOPTED = """
CREATE SCHEMA billing;
CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE parted (id int NOT NULL, at date NOT NULL, customer_id int REFERENCES customer (id))
    PARTITION BY RANGE (at);
CREATE TABLE billing.invoice PARTITION OF parted FOR VALUES FROM ('2020-01-01') TO ('2030-01-01');
CREATE TABLE inh_parent (id int PRIMARY KEY, note text);
CREATE TABLE inh_child (extra text) INHERITS (inh_parent);
ALTER TABLE inh_child ADD PRIMARY KEY (id);
CREATE TABLE plain (id int PRIMARY KEY, customer_id int REFERENCES customer (id),
                    parent_id int CONSTRAINT plain_parent_fk REFERENCES inh_child (id));
"""


def adopted(tmp_path: Path, url: str, capsys) -> Path:
    run_sql_file(url, ADOPTED)
    code, _, err = schemac(tmp_path, "import", "--database-url", url, capsys=capsys)
    assert code == 0, err
    assert "inheriting from" in err and "parted" not in err  # a partitioned table is managed: imported
    assert "{name: invoice, schema: billing, from:" in (tmp_path / "definitions" / "parted.yaml").read_text()
    assert "foreign key plain_parent_fk: references public.inh_child, which is not imported; skipped" in err
    code, _, err = schemac(tmp_path, "compile", "-m", "initial", capsys=capsys)
    assert code == 0, err
    return tmp_path


def test_baseline_and_drift_leave_out_inheritance(tmp_path: Path, database_url: str, capsys) -> None:
    project = adopted(tmp_path, database_url, capsys)
    code, out, err = schemac(project, "apply", "--baseline", "1", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    code, out, err = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    assert "DROP" not in out


def test_drift_still_reports_an_extra_plain_table_and_says_it_drops_data(tmp_path: Path, database_url: str,
                                                                          capsys) -> None:
    project = adopted(tmp_path, database_url, capsys)
    run_sql_file(database_url, "CREATE TABLE extra (id int); CREATE TYPE stray AS ENUM ('a');")
    code, out, err = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 1, out + err
    assert "table public.extra is not in the definitions (its data would be dropped)" in out
    assert "enum public.stray is not in the definitions" in out
    assert "DROP TABLE public.extra" in out
    assert "parted" not in out and "invoice" not in out and "inh_child" not in out
    assert "\n-- DESTRUCTIVE, review before running: drop table public.extra: its rows are lost\n" in out
