"""The definition rules' facts and verdicts, judged by a real PostgreSQL.

compiler/catalog_facts.py holds what PostgreSQL 15's catalog says (operator classes, volatility,
aggregates...); here the server confirms each table, and every rule's example is run as SQL to
show PostgreSQL refuses it (or accepts it and then fails at run time, for the two rules that say so).
"""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from compiler.definitions.rules import _Rules
from compiler.definitions.sources import SourceMap
from compiler.model import catalog_facts as facts
from compiler.model import types as schemac_types
from compiler.model.schema import Enum, Schema

METHODS = ("btree", "hash", "gist", "gin", "spgist", "brin")


def _fails(conn: psycopg.Connection, *statements: str) -> str | None:
    """PostgreSQL's message when the statements fail (rolled back either way), else None."""
    try:
        with conn.transaction(force_rollback=True):
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]
    except psycopg.Error as e:
        return e.diag.message_primary or str(e)
    return None


def test_operator_classes_of_every_built_in_type(database_url: str) -> None:
    # every built-in type schemac knows (compiler.model.types), not the facts' own list
    known = {t for t in schemac_types._PLAIN_TYPES.values() if t not in schemac_types.SERIAL_TYPES}
    known |= set(schemac_types._LENGTH_TYPES.values()) | {"numeric", "interval", '"char"'}
    known |= {f"{t} {tz} time zone" for t in ("timestamp", "time") for tz in ("with", "without")}
    types = sorted(known) + ["mood"]
    rules = _Rules(Schema(enums={"public.mood": Enum("public", "mood", ("a",))}), SourceMap([], {}))
    wrong = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TYPE mood AS ENUM ('a')")
        for type_name in types:
            for method in METHODS:
                refused = _fails(conn, f"CREATE TABLE probe (v {type_name})",
                                 f"CREATE INDEX ON probe USING {method} (v)")
                if (refused is None) != (rules.no_operator_class(type_name, method) is None):
                    wrong.append(f"{type_name} {method}: server says {refused or 'fine'}")
    assert wrong == []


ARRAY_SAMPLES = {"integer": ("1", "2"), "text": ("'a'", "'b'"), "json": ("'1'", "'2'"), "jsonb": ("'1'", "'2'"),
                 "point": ("'(1,1)'", "'(2,2)'")}


def test_operator_classes_of_arrays_with_two_rows(database_url: str) -> None:
    """An index on an array is accepted whatever the elements; the elements' classes decide whether
    two rows can then be stored."""
    rules = _Rules(Schema(), SourceMap([], {}))
    wrong = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for element, (one, two) in ARRAY_SAMPLES.items():
            for method in METHODS:
                refused = _fails(conn, f"CREATE TABLE probe (v {element}[])",
                                 f"CREATE INDEX ON probe USING {method} (v)",
                                 f"INSERT INTO probe VALUES (ARRAY[{one}]::{element}[]), (ARRAY[{two}]::{element}[])")
                if (refused is None) != (rules.no_operator_class(f"{element}[]", method) is None):
                    wrong.append(f"{element}[] {method}: server says {refused or 'fine'}")
    assert wrong == []


def test_functions_said_not_immutable_have_no_immutable_variant(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute('CREATE EXTENSION "uuid-ossp"')
        rows = dict(conn.execute("SELECT proname, bool_and(provolatile <> 'i') FROM pg_proc "
                                 "WHERE proname = ANY(%s) GROUP BY proname",
                                 [sorted(facts.NOT_IMMUTABLE_FUNCTIONS)]).fetchall())
    assert rows == dict.fromkeys(facts.NOT_IMMUTABLE_FUNCTIONS, True)


def test_value_functions_are_refused_in_a_generated_column(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        refused = {word: _fails(conn, f"CREATE TABLE probe (v text GENERATED ALWAYS AS (({word})::text) STORED)")
                   for word in facts.VALUE_FUNCTIONS}
    assert refused == dict.fromkeys(facts.VALUE_FUNCTIONS, "generation expression is not immutable")


def test_aggregates_windows_and_set_returning_functions_are_what_the_server_says(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        def kinds(names: frozenset[str], test: str) -> dict[str, bool]:
            return dict(conn.execute(f"SELECT proname, bool_and({test}) FROM pg_proc WHERE proname = ANY(%s) "  # type: ignore[arg-type]
                                     "AND pronamespace = 'pg_catalog'::regnamespace GROUP BY proname",
                                     [sorted(names)]).fetchall())
        assert kinds(facts.AGGREGATE_FUNCTIONS, "prokind = 'a'") == dict.fromkeys(facts.AGGREGATE_FUNCTIONS, True)
        assert kinds(facts.WINDOW_FUNCTIONS, "prokind IN ('w', 'a')") == dict.fromkeys(facts.WINDOW_FUNCTIONS, True)
        assert kinds(facts.SET_RETURNING_FUNCTIONS, "proretset") == dict.fromkeys(facts.SET_RETURNING_FUNCTIONS, True)


def test_system_columns_are_the_servers(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE probe (v integer)")
        names = {r[0] for r in conn.execute("SELECT attname FROM pg_attribute WHERE attrelid = 'probe'::regclass "
                                            "AND attnum < 0").fetchall()}
    assert names == facts.SYSTEM_COLUMNS


# Each rule's example, as PostgreSQL sees it: (setup and statement, the start of its message).
REFUSED = {
    "enum_label_in_default": (["CREATE TABLE t (s mood DEFAULT 'x')"], 'invalid input value for enum mood: "x"'),
    "enum_label_in_check": (["CREATE TABLE t (s mood CHECK (s <> 'x'))"], "invalid input value for enum mood"),
    "enum_label_in_predicate": (["CREATE TABLE t (s mood)", "CREATE INDEX ON t (s) WHERE s IN ('a', 'x')"],
                                "invalid input value for enum mood"),
    "enum_label_in_any_array": (["CREATE TABLE t (s mood)", "CREATE INDEX ON t (s) WHERE s = ANY ('{a,x}')"],
                                "invalid input value for enum mood"),
    "enum_compared_with_text_array": (["CREATE TABLE t (s mood)",
                                       "CREATE INDEX ON t (s) WHERE s <> ALL (ARRAY['a'])"],
                                      "operator does not exist: mood <> text"),
    "enum_label_in_cast": (["CREATE TABLE t (s text DEFAULT ('x'::mood)::text)"], "invalid input value for enum"),
    "enum_label_in_generated": (["CREATE TABLE t (s mood, g boolean GENERATED ALWAYS AS (s = 'x') STORED)"],
                                "invalid input value for enum mood"),
    "enum_label_in_index_expression": (["CREATE TABLE t (s mood)", "CREATE INDEX ON t ((s = 'x'))"],
                                       "invalid input value for enum mood"),
    "enum_label_in_array_default": (["CREATE TABLE t (s mood[] DEFAULT '{a,x}')"], "invalid input value for enum"),
    "enum_cast_folds_to_lower_case": (['CREATE TYPE "Feeling" AS ENUM (\'a\')',
                                       "CREATE TABLE t (s \"Feeling\" CHECK (s <> 'a'::Feeling))"],
                                      'type "feeling" does not exist'),
    "generated_uses_generated": (["CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED, "
                                  "c int GENERATED ALWAYS AS (b * 2) STORED)"],
                                 'cannot use generated column "b" in column generation expression'),
    "now_in_generated": (["CREATE TABLE t (a timestamptz GENERATED ALWAYS AS (now()) STORED)"],
                         "generation expression is not immutable"),
    "concat_in_generated": (["CREATE TABLE t (a text, b text GENERATED ALWAYS AS (concat(a, '!')) STORED)"],
                            "generation expression is not immutable"),
    "random_in_index_expression": (["CREATE TABLE t (a float8)", "CREATE INDEX ON t ((a + random()))"],
                                   "functions in index expression must be marked IMMUTABLE"),
    "current_timestamp_in_predicate": (["CREATE TABLE t (a int)",
                                        "CREATE INDEX ON t (a) WHERE current_timestamp > '2020-01-01'"],
                                       "functions in index predicate must be marked IMMUTABLE"),
    "aggregate_in_check": (["CREATE TABLE t (a int CHECK (count(*) > 0))"],
                           "aggregate functions are not allowed in check constraints"),
    "aggregate_in_default": (["CREATE TABLE t (a int DEFAULT sum(1))"],
                             "aggregate functions are not allowed in DEFAULT expressions"),
    "window_in_check": (["CREATE TABLE t (a bigint CHECK (row_number() OVER () > 0))"],
                        "window functions are not allowed in check constraints"),
    "set_returning_in_default": (["CREATE TABLE t (a int DEFAULT generate_series(1, 2))"],
                                 "set-returning functions are not allowed in DEFAULT expressions"),
    "cast_constant_not_a_uuid": (["CREATE TABLE t (a text CHECK (a <> ('none'::uuid)::text))"],
                                 'invalid input syntax for type uuid: "none"'),
    "check_is_a_number": (["CREATE TABLE t (a int CHECK (a + 1))"], "argument of CHECK must be type boolean"),
    "check_is_a_bare_column": (["CREATE TABLE t (a int CHECK (a))"], "argument of CHECK must be type boolean"),
    "check_is_a_column_of_a_domain_over_integer": (["CREATE DOMAIN count AS integer",
                                                    "CREATE TABLE t (a count CHECK (a))"],
                                                   "argument of CHECK must be type boolean"),
    "check_is_text": (["CREATE TABLE t (a text CHECK ((a || 'x')))"], "argument of CHECK must be type boolean"),
    "predicate_is_a_cast": (["CREATE TABLE t (a int)", "CREATE INDEX ON t (a) WHERE a::text"],
                            "argument of WHERE must be type boolean"),
    "unique_hash_index": (["CREATE TABLE t (a int)", "CREATE UNIQUE INDEX ON t USING hash (a)"],
                          'access method "hash" does not support unique indexes'),
    "hash_index_on_two_columns": (["CREATE TABLE t (a int, b int)", "CREATE INDEX ON t USING hash (a, b)"],
                                  'access method "hash" does not support multicolumn indexes'),
    "spgist_index_on_two_columns": (["CREATE TABLE t (a text, b text)", "CREATE INDEX ON t USING spgist (a, b)"],
                                    'access method "spgist" does not support multicolumn indexes'),
    "unique_json_column": (["CREATE TABLE t (a json UNIQUE)"],
                           'data type json has no default operator class for access method "btree"'),
    "json_primary_key": (["CREATE TABLE t (a json PRIMARY KEY)"], "data type json has no default operator class"),
    "index_of_33_columns": ([f"CREATE TABLE t ({', '.join(f'c{i} int' for i in range(33))})",
                             f"CREATE INDEX ON t ({', '.join(f'c{i}' for i in range(33))})"],
                            "cannot use more than 32 columns in an index"),
    "table_of_1601_columns": ([f"CREATE TABLE t ({', '.join(f'c{i} int' for i in range(1601))})"],
                              "tables can have at most 1600 columns"),
    "system_column_name": (["CREATE TABLE t (xmin int)"], 'column name "xmin" conflicts with a system column name'),
    "identity_declared_nullable": (["CREATE TABLE t (a int GENERATED ALWAYS AS IDENTITY NULL)"],
                                   'conflicting NULL/NOT NULL declarations for column "a"'),
    "serial_declared_nullable": (["CREATE TABLE t (a serial NULL)"], "conflicting NULL/NOT NULL declarations"),
    "foreign_key_updates_generated_column": (
        ["CREATE TABLE o (id int PRIMARY KEY)",
         "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a) STORED REFERENCES o ON UPDATE CASCADE)"],
        "invalid ON UPDATE action for foreign key constraint containing generated column"),
    # accepted, then every delete of a referenced row that has a referencing one fails
    "set_null_on_not_null_column": (
        ["CREATE TABLE o (id int PRIMARY KEY)", "CREATE TABLE t (o_id int NOT NULL REFERENCES o ON DELETE SET NULL)",
         "INSERT INTO o VALUES (1)", "INSERT INTO t VALUES (1)", "DELETE FROM o"],
        'null value in column "o_id" of relation "t" violates not-null constraint'),
    "set_default_without_default": (
        ["CREATE TABLE o (id int PRIMARY KEY)",
         "CREATE TABLE t (o_id int NOT NULL REFERENCES o ON DELETE SET DEFAULT)",
         "INSERT INTO o VALUES (1)", "INSERT INTO t VALUES (1)", "DELETE FROM o"],
        'null value in column "o_id" of relation "t" violates not-null constraint'),
    # accepted, then the second row fails
    "unique_array_of_json": (["CREATE TABLE t (a json[] UNIQUE)",
                              "INSERT INTO t VALUES (ARRAY['1'::json]), (ARRAY['2'::json])"],
                             "could not identify a comparison function for type json"),
}


def test_postgresql_refuses_what_each_rule_refuses(database_url: str) -> None:
    wrong = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TYPE mood AS ENUM ('a')")
        for rule, (statements, message) in REFUSED.items():
            refused = _fails(conn, *statements)
            if refused is None or not refused.startswith(message):
                wrong[rule] = refused
    assert wrong == {}


def test_every_rule_tried_through_the_command_line_was_tried_on_the_server() -> None:
    from tests.cli.test_definition_rules import CASES

    tried = set(REFUSED) | {"enum_label_in_in_list", "enum_label_in_index_predicate",  # same as predicate/any
                            "enum_label_in_generated_column", "now_in_generated_column",
                            "concat_in_generated_column", "current_timestamp_in_index_predicate",
                            "window_function_in_check", "set_returning_function_in_default",
                            "btree_index_on_point", "gin_index_on_integer",  # the operator-class tests above
                            "default_not_an_integer", "check_constant_not_a_boolean", "default_out_of_range",
                            "default_too_long"}  # the constant tests above
    assert {c.id for c in CASES} <= tried


CONSTANTS = [
    ("integer", t) for t in ("12", " +12 ", "-0", "abc", "1.5", "1_000", "0x1F", "", "  ", "2147483647", "2147483648")
] + [("smallint", "-32768"), ("smallint", "32768"), ("bigint", "9223372036854775808")] + [
    ("numeric", t) for t in ("1e2", ".5", "5.", "NaN", "Infinity", "-inf", "1,5", "abc", " 2 ")
] + [("double precision", t) for t in ("nan", "-Infinity", "1e-3", "one")] + [
    ("boolean", t) for t in ("t", "ye", "OFF", " true ", "1", "o", "maybe", "", "of", "n")
] + [("uuid", t) for t in ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "x",
                           "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1")] + [
    ("jsonb", t) for t in ('{"a": [1, null]}', "[1,2", "NaN", "1", "'x'", '"x"')
] + [("json", "{bad"), ("character varying(3)", "abc  "), ("character varying(3)", "abcd"), ("character(2)", "abc"),
     ("text", "anything")]


def test_constants_are_read_as_the_server_reads_them(database_url: str) -> None:
    """A default of each constant, then a row that takes it: refused exactly when the rule says so."""
    from compiler.model.literal_input import constant_problem

    wrong = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for type_name, text in CONSTANTS:
            literal = "'" + text.replace("'", "''") + "'"
            refused = _fails(conn, f"CREATE TABLE probe (v {type_name} DEFAULT {literal})",
                             "INSERT INTO probe DEFAULT VALUES")
            if (refused is None) != (constant_problem(type_name, text, stored=True) is None):
                wrong.append(f"{type_name} {literal}: server says {refused or 'fine'}")
    assert wrong == []


@pytest.mark.parametrize(("type_name", "number", "fits"), [
    ("smallint", "32767", True), ("smallint", "32768", False), ("smallint", "-32769", False),
    ("integer", "-2147483648", True), ("bigint", "9223372036854775808", False), ("integer", "1.5", True),
    ("numeric(3,0)", "100000", True)])  # numeric precision is not judged: no false refusal
def test_numbers_that_do_not_fit_fail_every_row(database_url: str, type_name: str, number: str, fits: bool) -> None:
    from compiler.model.literal_input import number_problem

    with psycopg.connect(database_url, autocommit=True) as conn:
        refused = _fails(conn, f"CREATE TABLE probe (v {type_name} DEFAULT {number})", "INSERT INTO probe DEFAULT VALUES")
    assert (number_problem(type_name, number) is None) == (fits or type_name.startswith("numeric"))
    assert (refused is None) == fits or type_name.startswith("numeric"), refused


def test_the_near_misses_of_every_rule_apply(database_url: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """What the rules let through really is valid: compiled and applied to a real database."""
    from tests.cli.test_definition_rules import NEAR_MISSES
    from tests.helpers import run_cli, write_definitions

    write_definitions(tmp_path, NEAR_MISSES, exact=True)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO orgs (id) VALUES (1)")
        conn.execute("INSERT INTO users (id, email, org_id) VALUES (1, 'a@b', 1), (2, 'c@d', 1)")
        conn.execute("DELETE FROM orgs")  # on delete set null, on a nullable column
        assert conn.execute("SELECT count(*) FROM users WHERE org_id IS NULL").fetchone() == (2,)
