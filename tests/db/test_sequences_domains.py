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
from tests.seqdom_cases import d

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


def check_small_over_80(project: Path, database_url: str, capsys: pytest.CaptureFixture[str], keys: str = "") -> str:
    """The second migration of DEFINITIONS, adding check `small` (VALUE < 50, then `keys`) to the
    domain of a column that stores 80; the first is applied."""
    write_definitions(project, DEFINITIONS)
    assert schemac(project, capsys, "compile")[0] == 0
    assert schemac(project, capsys, "apply", "--database-url", database_url)[0] == 0
    run_sql_file(database_url, "INSERT INTO orders (id, quantity) VALUES (1, 80);")
    more = DEFINITIONS["types.yaml"] + '  - {name: small, expression: "VALUE < 50"' + keys + '}\n'
    write_definitions(project, {**DEFINITIONS, "types.yaml": more})
    code, _, err = schemac(project, capsys, "compile")
    assert code == 0, err
    return sorted((project / "generated" / "migrations").glob("002_*.sql"))[0].read_text()


def test_a_check_added_to_a_domain_is_validated_against_stored_values(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    second = check_small_over_80(tmp_path, database_url, capsys)
    # one statement checks the stored values: NOT VALID and VALIDATE in one transaction would buy nothing
    assert "ADD CONSTRAINT small CHECK (VALUE < 50);" in second
    assert "NOT VALID" not in second and "VALIDATE" not in second
    code, _, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code != 0 and "violate the new constraint" in err  # 80 breaks it: the migration stops, nothing half-done
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT count(*) FROM pg_constraint WHERE conname = 'small'") == [(0,)]


def test_an_online_domain_check_is_validated_after_the_migration_and_apply_finishes_it(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    second = check_small_over_80(tmp_path, database_url, capsys, ", online: true")
    assert "ADD CONSTRAINT small CHECK (VALUE < 50) NOT VALID;" in second
    follow_up = second[second.index("-- schemac:follow-up-transaction"):]
    assert '-- schemac:done-when {"domain_constraint_valid": ["public", "positive", "small"]}' in follow_up
    assert "ALTER DOMAIN public.positive VALIDATE CONSTRAINT small;" in follow_up
    code, _, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 4 and "committed and recorded" in err  # 80 breaks it: the check stays NOT VALID
    valid = "SELECT convalidated FROM pg_constraint WHERE conname = 'small'"
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, valid) == [(False,)]
    run_sql_file(database_url, "UPDATE orders SET quantity = 8;")
    code, out, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0 and "finished 1 statement(s)" in out, err
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, valid) == [(True,)]
    assert schemac(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0


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


def test_a_recreated_domain_converts_its_columns_through_the_type_they_store(
        database_url: str, second_database_url: str) -> None:
    """boolean to integer has a cast, but 'true' is no integer: through text the conversion would fail."""
    old = d("""
        domain: flag
        type: boolean
        ---
        table: switches
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: state, type: flag}
        """)

    def states(*values: object) -> Callable[[psycopg.Connection], None]:
        def check(conn: psycopg.Connection) -> None:
            assert rows_of(conn, "SELECT state FROM switches ORDER BY id") == [(v,) for v in values]
        return check

    up, _ = up_and_back(database_url, second_database_url, old, old.replace("type: boolean", "type: integer"),
                        rows="INSERT INTO switches VALUES (1, true), (2, false), (3, NULL);",
                        after_up=states(1, 0, None), after_rollback=states(True, False, None))
    assert "USING state::boolean::public.flag" in up


def test_a_domain_whose_default_calls_a_sequence_is_dropped_before_the_sequence(
        database_url: str, second_database_url: str) -> None:
    numbered = d("""
        sequence: tickets
        ---
        domain: ticket
        type: bigint
        default: "nextval('tickets')"
        """)
    up, _ = up_and_back(database_url, second_database_url, numbered, "")
    assert up.index("DROP DOMAIN public.ticket") < up.index("DROP SEQUENCE public.tickets")


def test_drift_says_a_domain_is_over_another_base_type(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, DEFINITIONS)
    assert schemac(tmp_path, capsys, "compile")[0] == 0
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    run_sql_file(database_url, """
        INSERT INTO orders (id, quantity) VALUES (1, 7);
        ALTER DOMAIN positive RENAME TO sqd_positive_before;
        CREATE DOMAIN positive AS bigint CONSTRAINT above_zero CHECK (VALUE > 0);
        ALTER TABLE orders ALTER COLUMN quantity TYPE positive;
        DROP DOMAIN sqd_positive_before;
        """)
    code, out, _ = schemac(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 1
    words = out[:out.index("-- reconcile")]
    assert "domain public.positive is over bigint but should be over integer" in words
    for false in ("another name", "is missing", "__old", "not in the definitions", "has another type"):
        assert false not in words, words
    run_sql_file(database_url, out[out.index("-- reconcile"):])
    code, out, _ = schemac(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 0, out
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT quantity FROM orders") == [(7,)]


@pytest.mark.parametrize(("yaml", "sql", "message"), [
    ("domain: d\ntype: integer\ndefault: \"'abc'\"\n", "CREATE DOMAIN d AS integer DEFAULT 'abc'",
     "3:10: error: 'default' of domain d uses 'abc' for a value of type integer: invalid input syntax"),
    ("domain: d\ntype: smallint\ndefault: 40000\n",  # the domain is made; a row taking the default fails
     "CREATE DOMAIN d AS smallint DEFAULT 40000; CREATE TABLE t (n d); INSERT INTO t DEFAULT VALUES",
     "3:10: error: 'default' of domain d is 40000, out of range for type smallint: PostgreSQL accepts the domain"),
    ("enum: mood\nvalues: [happy]\n---\ndomain: d\ntype: mood\ndefault: \"'meh'\"\n",
     "CREATE TYPE mood AS ENUM ('happy'); CREATE DOMAIN d AS mood DEFAULT 'meh'",
     "6:10: error: 'default' of domain d uses 'meh', which is not a value of enum mood (its values: happy)"),
    ("domain: d\ntype: integer\nchecks:\n  - expression: 1\n", "CREATE DOMAIN d AS integer CHECK (1)",
     "4:17: error: check d_check of domain d is a number, not a condition"),
    ("domain: d\ntype: integer\nchecks:\n  - expression: VALUE\n", "CREATE DOMAIN d AS integer CHECK (VALUE)",
     "4:17: error: check d_check of domain d is VALUE of type integer, not a condition"),
    ("domain: d\ntype: text\nchecks:\n  - expression: VALUE || 'x'\n",
     "CREATE DOMAIN d AS text CHECK (VALUE || 'x')",
     "4:17: error: check d_check of domain d is text (a || concatenation), not a condition"),
    ("domain: d\ntype: bigint\ndefault: \"nextval('undeclared_seq')\"\n",
     "CREATE DOMAIN d AS bigint DEFAULT nextval('undeclared_seq')",
     "3:10: error: 'default' of domain d calls sequence undeclared_seq, which is not declared"),
])
def test_a_domain_postgresql_refuses_is_refused_at_compile(yaml: str, sql: str, message: str, tmp_path: Path,
                                                           database_url: str, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    write_definitions(tmp_path, {"types.yaml": yaml})
    code, _, err = schemac(tmp_path, capsys, "compile")
    assert code == 2 and f"definitions/types.yaml:{message}" in err, err
    assert not (tmp_path / "generated").exists()
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.Error):
        for statement in sql.split("; "):
            conn.execute(statement)


def test_a_sequence_and_a_domain_moved_to_another_schema_keep_their_position_and_columns(
        database_url: str, second_database_url: str) -> None:
    old = d("""
        sequence: tickets
        owned_by: orders.other
        grants: [{role: PUBLIC, privileges: [usage]}]
        ---
        domain: code
        type: text
        checks: [{name: short, expression: "length(VALUE) < 5"}]
        ---
        table: orders
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: number, type: bigint, default: "nextval('tickets')"}
          - {name: code, type: code}
          - {name: other, type: bigint}
        """)
    new = (old.replace("sequence: tickets\nowned_by: orders.other\n",
                       "sequence: ticket_numbers\nschema: sales\nrenamed_from: public.tickets\n")
              .replace("domain: code\n", "domain: code\nschema: sales\nrenamed_from: public.code\n")
              .replace("nextval('tickets')", "nextval('sales.ticket_numbers')").replace("type: code}", "type: sales.code}"))

    def kept(conn: psycopg.Connection) -> None:
        conn.execute("INSERT INTO orders (id, code) VALUES (3, 'c')")
        assert rows_of(conn, "SELECT id, number, code FROM orders ORDER BY id") == [
            (1, 1, "a"), (2, 2, "b"), (3, 3, "c")]

    up, down = up_and_back(database_url, second_database_url, old, new,
                           rows="INSERT INTO orders (id, code) VALUES (1, 'a'), (2, 'b');", after_up=kept)
    assert "ALTER SEQUENCE public.tickets RENAME TO ticket_numbers;" in up
    assert "ALTER SEQUENCE public.ticket_numbers SET SCHEMA sales;" in up
    assert "ALTER DOMAIN public.code SET SCHEMA sales;" in up
    assert "DROP SEQUENCE" not in up + down and "DROP DOMAIN" not in up + down
    assert "ALTER DOMAIN sales.code SET SCHEMA public;" in down
    assert "GRANT" not in up + down and "REVOKE" not in up + down  # the sequence keeps its privileges


CHAIN = d("""
    sequence: tickets
    ---
    domain: amount
    type: integer
    checks: [{name: positive, expression: "VALUE > 0"}]
    ---
    table: orders
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: number, type: bigint, default: "nextval('tickets')"}
      - {name: total, type: amount}
    ---
    view: order_totals
    query: select id, number, total from orders
    ---
    view: big_orders
    query: select id, total from order_totals where total > 10
    """)


@pytest.mark.parametrize("change", [
    pytest.param(lambda y: y.replace("type: integer", "type: numeric(12,2)"), id="domain_base_type"),
    pytest.param(lambda y: y.replace("sequence: tickets\n", "sequence: ticket_numbers\nrenamed_from: tickets\n")
                 .replace("nextval('tickets')", "nextval('ticket_numbers')"), id="sequence_renamed"),
    pytest.param(lambda y: y.replace("sequence: tickets\n", "sequence: tickets\nschema: sales\nrenamed_from: public.tickets\n")
                 .replace("nextval('tickets')", "nextval('sales.tickets')"), id="sequence_moved"),
    pytest.param(lambda y: y.replace("domain: amount\n", "domain: amount\nschema: sales\nrenamed_from: public.amount\n")
                 .replace("type: amount}", "type: sales.amount}"), id="domain_moved"),
])
def test_a_domain_or_sequence_changed_under_views_keeps_the_views_and_rows(
        change: Callable[[str], str], database_url: str, second_database_url: str) -> None:
    def numbered(conn: psycopg.Connection) -> None:  # the sequence went on from where it was
        conn.execute("INSERT INTO orders (id, total) VALUES (3, 30)")
        assert rows_of(conn, "SELECT id, number, total::int FROM big_orders JOIN order_totals USING (id, total) "
                             "ORDER BY id") == [(2, 2, 20), (3, 3, 30)]

    def read(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT id, total::int FROM big_orders ORDER BY id") == [(2, 20), (3, 30)]

    up_and_back(database_url, second_database_url, CHAIN, change(CHAIN),
                rows="INSERT INTO orders (id, total) VALUES (1, 5), (2, 20);", after_up=numbered, after_rollback=read)


SHADOWING = d("""
    domain: date
    type: text
    checks: [{name: not_blank, expression: "VALUE <> ''"}]
    ---
    enum: money
    values: [cash, card]
    ---
    table: payments
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: day, type: public.date}
      - {name: how, type: public.money, default: "'cash'"}
      - {name: paid, type: date}
      - {name: amount, type: money}
    """)


def test_a_type_named_like_a_built_in_one_is_named_with_its_schema(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """pg_catalog is searched first: `money` is the built-in, `public.money` the enum declared."""
    write_definitions(tmp_path, {"types.yaml": SHADOWING})
    assert schemac(tmp_path, capsys, "compile")[0] == 0
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    with psycopg.connect(database_url) as conn:
        assert rows_of(conn, "SELECT attname, t.typnamespace::regnamespace::text, t.typname FROM pg_attribute a "
                             "JOIN pg_type t ON t.oid = a.atttypid WHERE attrelid = 'payments'::regclass "
                             "AND attnum > 1 ORDER BY attnum") == [
            ("day", "public", "date"), ("how", "public", "money"), ("paid", "pg_catalog", "date"),
            ("amount", "pg_catalog", "money")]
    assert schemac(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0
    imported = tmp_path / "imported"
    imported.mkdir()
    code, _, err = schemac(imported, capsys, "import", "--database-url", database_url)
    assert code == 0, err
    assert "type: public.money" in (imported / "definitions" / "payments.yaml").read_text()
    assert schemac(imported, capsys, "compile")[0] == 0
    assert schemac(imported, capsys, "drift", "--database-url", database_url)[0] == 0


def test_a_domain_renamed_to_a_built_in_types_name_keeps_its_columns(
        database_url: str, second_database_url: str) -> None:
    old = DEFINITIONS["types.yaml"] + "---\n" + DEFINITIONS["orders.yaml"]
    new = (old.replace("domain: positive\n", "domain: money\nrenamed_from: positive\n")
              .replace("type: positive}", "type: public.money}"))

    def column_type(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attname = 'quantity' "
                             "AND attrelid = 'orders'::regclass") == [("public.money",)]

    up, _ = up_and_back(database_url, second_database_url, old, new,
                        rows="INSERT INTO orders (id, quantity) VALUES (1, 7);", after_up=column_type)
    assert "ALTER DOMAIN public.positive RENAME TO money;" in up and "ALTER TABLE" not in up
