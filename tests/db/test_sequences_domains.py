"""Standalone sequences and domains on a real PostgreSQL: import compiles to an empty diff, drift sees
hand-made changes, a default calling a declared sequence numbers rows, a migration never moves a
sequence's position, and a domain's checks are proven against the rows already stored."""
from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from compiler.cli import main
from compiler.model.schema import Schema
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import migration, rows_of, schema, up_and_back
from tests.helpers import write_definitions

HAND_WRITTEN = r"""
CREATE SCHEMA shop;
CREATE TYPE public.mood AS ENUM ('happy', 'sad');
CREATE DOMAIN public.positive AS integer DEFAULT 1 NOT NULL CONSTRAINT above_zero CHECK (VALUE > 0);
CREATE DOMAIN public.percent AS public.positive CHECK (VALUE <= 100);
CREATE DOMAIN shop.code AS varchar(8) COLLATE "C" CHECK (VALUE <> '') CHECK (length(VALUE) < 7);
CREATE DOMAIN public.moods AS public.mood[];
CREATE DOMAIN public.feeling AS public.mood DEFAULT 'happy';
COMMENT ON DOMAIN shop.code IS 'A short code.';
CREATE SEQUENCE shop.order_numbers AS integer INCREMENT BY 5 MINVALUE 100 MAXVALUE 900000 START 200 CACHE 10 CYCLE;
CREATE SEQUENCE public.countdown AS smallint INCREMENT BY -1;
COMMENT ON SEQUENCE public.countdown IS 'Counts down.';
CREATE TABLE shop.orders (
    id bigint PRIMARY KEY,
    number integer NOT NULL DEFAULT nextval('shop.order_numbers'),
    code shop.code,
    share public.percent,
    moods public.moods,
    mood public.feeling,
    kept bigint
);
ALTER SEQUENCE shop.order_numbers OWNED BY shop.orders.kept;
CREATE TABLE public.plain (id serial PRIMARY KEY, n smallint DEFAULT nextval('countdown'));
"""


def schemac(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["-C", str(project), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_of_sequences_and_domains_compiles_to_an_empty_diff(
        tmp_path: Path, database_url: str, second_database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, HAND_WRITTEN)
    code, out, err = schemac(tmp_path, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    assert "domain" not in out + err and "sequence" not in out + err  # nothing left out, nothing to warn of
    types = (tmp_path / "definitions" / "types.yaml").read_text()
    assert "domain: percent\ntype: positive\nchecks:" in types  # its default is the one it copied
    assert "sequence: order_numbers\nschema: shop\ntype: integer\nstart: 200\nincrement: 5\nminvalue: 100\n" in types
    assert "owned_by: orders.kept" in types
    assert schemac(tmp_path, capsys, "compile")[0] == 0
    assert schemac(tmp_path, capsys, "apply", "--database-url", second_database_url)[0] == 0
    original, rebuilt = catalog(database_url), catalog(second_database_url)
    for part in original:
        assert [r for r in rebuilt[part] if "schema_migrations" not in str(r)] == original[part], part
    code, out, _ = schemac(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out


DEFINITIONS = {k: textwrap.dedent(v).lstrip("\n") for k, v in {
    "types.yaml": """
        sequence: order_numbers
        start: 1000
        ---
        domain: positive
        type: integer
        checks:
          - {name: above_zero, expression: "VALUE > 0"}
        """,
    "orders.yaml": """
        table: orders
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: number, type: bigint, nullable: false, default: "nextval('order_numbers')"}
          - {name: quantity, type: positive}
        """,
}.items()}


def test_drift_reports_hand_made_changes_to_sequences_and_domains(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, DEFINITIONS)
    assert schemac(tmp_path, capsys, "compile")[0] == 0
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    assert schemac(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ALTER SEQUENCE order_numbers INCREMENT BY 10")
        conn.execute("ALTER DOMAIN positive ADD CONSTRAINT small CHECK (VALUE < 50) NOT VALID")
        conn.execute("ALTER DOMAIN positive DROP CONSTRAINT above_zero")
    code, out, _ = schemac(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 1
    assert "sequence public.order_numbers has other options" in out
    assert "check public.positive.above_zero is missing" in out
    assert "check public.positive.small is not in the definitions" in out
    run_sql_file(database_url, out[out.index("-- reconcile"):])
    code, out, _ = schemac(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out


def test_a_default_calling_a_declared_sequence_numbers_rows_and_keeps_its_position(
        database_url: str, second_database_url: str) -> None:
    old = DEFINITIONS["types.yaml"] + "---\n" + DEFINITIONS["orders.yaml"]
    new = old.replace("start: 1000", "start: 5\nincrement: 2\ncache: 3")

    def numbered(conn: psycopg.Connection) -> None:
        conn.execute("INSERT INTO orders (id) VALUES (3)")
        # 1000 and 1001 were given before the migration; its new START WITH moves nothing
        assert rows_of(conn, "SELECT id, number FROM orders ORDER BY id") == [(1, 1000), (2, 1001), (3, 1003)]

    up_and_back(database_url, second_database_url, old, new,
                rows="INSERT INTO orders (id) VALUES (1), (2);", after_up=numbered)


def test_a_check_added_to_a_domain_is_validated_against_stored_values(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, DEFINITIONS)
    assert schemac(tmp_path, capsys, "compile")[0] == 0
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    run_sql_file(database_url, "INSERT INTO orders (id, quantity) VALUES (1, 80);")
    more = DEFINITIONS["types.yaml"] + '  - {name: small, expression: "VALUE < 50"}\n'
    write_definitions(tmp_path, {**DEFINITIONS, "types.yaml": more})
    code, out, err = schemac(tmp_path, capsys, "compile")
    assert code == 0, err
    second = sorted((tmp_path / "generated" / "migrations").glob("002_*.sql"))[0].read_text()
    assert "ADD CONSTRAINT small CHECK (VALUE < 50) NOT VALID;" in second
    assert "VALIDATE CONSTRAINT small;" in second
    code, _, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code != 0 and "violate the new constraint" in err  # 80 breaks it: the migration stops, nothing half-done
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT count(*) FROM pg_constraint WHERE conname = 'small'") == [(0,)]


def test_a_new_base_type_converts_the_columns_of_the_domain(database_url: str, second_database_url: str) -> None:
    old = DEFINITIONS["types.yaml"] + "---\n" + DEFINITIONS["orders.yaml"]
    new = old.replace("type: integer", "type: bigint")

    def over(base: str) -> Callable[[psycopg.Connection], None]:
        def check(conn: psycopg.Connection) -> None:
            assert rows_of(conn, "SELECT id, quantity FROM orders ORDER BY id") == [(1, 7), (2, None)]
            assert rows_of(conn, "SELECT format_type(typbasetype, NULL) FROM pg_type WHERE typname = 'positive'") == [
                (base,)]
        return check

    up, _ = up_and_back(database_url, second_database_url, old, new,
                        rows="INSERT INTO orders (id, quantity) VALUES (1, 7), (2, NULL);",
                        after_up=over("bigint"), after_rollback=over("integer"))
    assert "RENAME TO positive__old" in up and "DROP DOMAIN public.positive__old" in up


def test_narrowing_a_sequence_past_its_position_fails_rather_than_moving_it(database_url: str) -> None:
    text = DEFINITIONS["types.yaml"] + "---\n" + DEFINITIONS["orders.yaml"]
    old, new = schema(text), schema(text.replace("start: 1000", "maxvalue: 500"))
    run_sql_file(database_url, migration(Schema(), old))
    run_sql_file(database_url, "INSERT INTO orders (id) VALUES (1);")
    sql = migration(old, new)
    assert "fails_on_rows  AlterSequence" in sql  # the hazard is declared
    with pytest.raises(AssertionError, match="cannot be greater than MAXVALUE"):
        run_sql_file(database_url, sql)
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT last_value FROM order_numbers") == [(1000,)]



def test_import_of_one_schema_brings_the_domains_and_sequences_its_tables_use(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, HAND_WRITTEN + """
        CREATE TABLE public.base (k int);
        CREATE TABLE public.heir (n int) INHERITS (public.base);
        CREATE SEQUENCE public.heir_numbers OWNED BY public.heir.n;
        """)
    code, out, err = schemac(tmp_path, capsys, "import", "--database-url", database_url, "--schema", "shop")
    assert code == 0, err
    assert "domain public.percent: outside the schemas imported, written because shop.orders.share uses it" in out + err
    assert "domain public.positive: outside the schemas imported, written because shop.orders.share uses it" in out + err
    types = (tmp_path / "definitions" / "types.yaml").read_text()
    assert "domain: code" in types and "domain: percent" in types and "countdown" not in types
    assert schemac(tmp_path, capsys, "compile")[0] == 0

    whole = tmp_path / "whole"
    whole.mkdir()
    code, out, err = schemac(whole, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    assert ("sequence public.heir_numbers: owned by heir.n, which is not imported; written without its owner"
            in err)
    assert schemac(whole, capsys, "compile")[0] == 0


def test_generated_rows_for_verify_fill_domain_columns_as_their_base_type(database_url: str) -> None:
    from compiler.live.introspect import introspect
    from compiler.live.sample_rows import fill
    run_sql_file(database_url, HAND_WRITTEN)
    with psycopg.connect(database_url, autocommit=True) as conn:
        filled = fill(conn, introspect(conn))
        assert filled.rows == {"shop.orders": 3, "public.plain": 3}, filled.empty
        # share is of a NOT NULL domain: a value in every row, even the one that holds NULL where it may
        assert rows_of(conn, "SELECT count(*), count(share), count(moods) FROM shop.orders") == [(3, 3, 2)]
