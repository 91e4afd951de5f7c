"""The offline canonical forms checked against PostgreSQL itself.

compiler.model.types spells types the way format_type() prints them, compiler.model.names quotes and
names objects the way PostgreSQL does; here a real server is the judge.
"""
from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from compiler.model import types
from compiler.model.names import default_name, quote_ident
from tests.helpers import schema_of

EXTENSIONS = ("citext", "hstore", "ltree", "cube")


def _aliases() -> list[str]:
    """Every spelling compiler.model.types knows, with modifiers, time zones and array forms."""
    out: list[str] = []
    out += [t for t in types._PLAIN_TYPES if t not in types.SERIAL_TYPES and not t.startswith("serial")]
    for t in types._LENGTH_TYPES:
        out += [t, f"{t}(1)", f"{t}(12)", f"{t} ( 7 )"]
    for t in types._TIME_TYPES:
        out += [t, f"{t}(0)", f"{t}(3)", f"{t}(6)"]
    for t in ("timestamp", "time"):
        for tz in ("with time zone", "without time zone"):
            out += [f"{t} {tz}", f"{t}(2) {tz}"]
    for t in ("numeric", "decimal"):
        out += [t, f"{t}(10)", f"{t}(10,2)", f"{t}(10, 2)", f"{t}(5,-2)", f"{t}(1000,0)"]
    out += ["float", "float(1)", "float(24)", "float(25)", "float(53)", "interval", "interval(3)"]
    out += ["bpchar(5)", "interval(0)", "interval second(2)", "interval day to second(3)"]
    out += [f"interval {f}" for f in types._INTERVAL_FIELDS]
    out += [t for t in types.EXTENSION_TYPES if types.EXTENSION_TYPES[t] in EXTENSIONS]
    out += ["INT", "Int4", "VARCHAR(20)", "Double Precision", "TIMESTAMPTZ", "Timestamp(3) With Time Zone"]
    arrays = []
    for t in ("int", "text", "varchar(10)", "timestamptz", "timestamp(3) with time zone", "numeric(5,2)",
              "bool", "uuid", "jsonb", "char", "float8", "citext"):
        arrays += [f"{t}[]", f"{t}[][]", f"{t}[3]", f"{t} array", f"{t} ARRAY[4]", f"{t} []"]
    return out + arrays


def _format_types(url: str, spellings: list[str]) -> dict[str, str]:
    """What format_type() prints for a column declared with each spelling."""
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(f"c{i}"), sql.SQL(t)) for i, t in enumerate(spellings))
    with psycopg.connect(url, autocommit=True) as conn:
        for ext in EXTENSIONS:
            conn.execute(sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(ext)))
        conn.execute(sql.SQL("CREATE TABLE t ({})").format(columns))
        rows = conn.execute("""
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = 't'::regclass AND a.attnum > 0 ORDER BY a.attnum""").fetchall()
    return {spellings[int(name[1:])]: printed for name, printed in rows}


def test_every_alias_is_spelled_as_format_type_prints_it(database_url: str) -> None:
    spellings = _aliases()
    printed = _format_types(database_url, spellings)
    assert len(printed) == len(spellings)
    wrong = {t: (types.canonical_type(t, {}), printed[t]) for t in spellings
             if types.canonical_type(t, {}) != printed[t]}
    assert wrong == {}


def test_serial_types_are_kept_and_stand_for_their_integer(database_url: str) -> None:
    serials = ["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]
    printed = _format_types(database_url, serials)
    for t in serials:
        canonical = types.canonical_type(t, {})
        assert canonical in types.SERIAL_TYPES
        assert types.SERIAL_TYPES[canonical] == printed[t]


def test_enum_types_are_spelled_as_format_type_prints_them(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA app")
        conn.execute("CREATE TYPE mood AS ENUM ('a')")
        conn.execute('CREATE TYPE "Mood" AS ENUM (\'a\')')
        conn.execute("CREATE TYPE app.level AS ENUM ('a')")
        conn.execute('CREATE TABLE t (a mood, b "Mood", c app.level, d mood[], e app.level[])')
        printed = [r[0] for r in conn.execute("""
            SELECT format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = 't'::regclass AND attnum > 0 ORDER BY attnum""")]
    spelling = {"mood": types.enum_type_spelling("public", "mood"),
                "Mood": types.enum_type_spelling("public", "Mood"),
                "app.level": types.enum_type_spelling("app", "level")}
    ours = [types.canonical_type(t, spelling) for t in ("mood", "Mood", "app.level", "mood[]", "app.level[]")]
    assert ours == printed


TRICKY_NAMES = [
    "users", "user", "order", "select", "table", "between", "int", "name", "type", "Order", "USERS",
    "a b", 'a"b', '"', "a$b", "a-b", "a.b", "_x", "x1", "1x", "café", "ß", "Ä", "snake_case_1",
    "current_user", "all", "analyse", "xmltable", "none", "", "with space and \"quote\"",
]


def test_quote_ident_matches_postgresql(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        theirs = {n: conn.execute("SELECT quote_ident(%s)", (n,)).fetchone()[0] for n in TRICKY_NAMES}
    assert {n: quote_ident(n) for n in TRICKY_NAMES} == theirs


def test_quote_ident_keyword_list_is_postgresqls(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        words = [r[0] for r in conn.execute("SELECT word FROM pg_get_keywords() ORDER BY 1")]
        theirs = {w: conn.execute("SELECT quote_ident(%s)", (w,)).fetchone()[0] for w in words}
    assert {w: quote_ident(w) for w in words} == theirs


# -- default names: build.py's names against the ones PostgreSQL picks for unnamed objects

LONG_TABLE = "a_table_name_that_is_long_enough_to_need_truncating_somewhere"  # 61 bytes
LONG_COLUMN = "a_column_name_that_is_also_long_enough_to_be_cut_by_postgres"  # 61 bytes
WIDE_TABLE = "tabelle_" + "ü" * 27  # 62 bytes, two bytes a character
WIDE_COLUMN = "spalte_" + "ö" * 20  # 47 bytes

NAMES_YAML = f"""
table: orgs
columns:
  - {{name: id, type: bigint, primary_key: true}}
---
table: users
columns:
  - {{name: id, type: bigint, primary_key: true}}
  - {{name: email, type: text, unique: true, check: "email <> ''"}}
  - {{name: org_id, type: bigint, references: orgs.id}}
  - {{name: status, type: text}}
  - {{name: created_at, type: timestamp}}
  - {{name: a, type: integer}}
  - {{name: b, type: integer}}
unique:
  - [org_id, email]
indexes:
  - columns: [status, created_at]
  - expression: lower(email)
  - expression: a + b
  - expression: "coalesce(a, b)"
  - {{expression: "date_trunc('day', created_at)", using: btree}}
  - {{columns: [status], where: "a > 0"}}
  - expression: "upper(status)"
checks:
  - expression: "a > b"
  - expression: "b >= 0"
---
table: {LONG_TABLE}
columns:
  - {{name: {LONG_COLUMN}, type: bigint, primary_key: true}}
  - {{name: second_{LONG_COLUMN[:50]}, type: bigint, unique: true, check: "second_{LONG_COLUMN[:50]} > 0"}}
  - {{name: org_id, type: bigint, references: orgs.id}}
  - {{name: x, type: integer}}
unique:
  - [{LONG_COLUMN}, second_{LONG_COLUMN[:50]}, org_id]
indexes:
  - columns: [org_id, x]
  - columns: [x]
  - expression: lower(x::text)
---
table: short
columns:
  - {{name: id, type: bigint}}
  - {{name: {LONG_COLUMN}, type: bigint}}
  - {{name: second_{LONG_COLUMN[:50]}, type: bigint}}
primary_key: [id, {LONG_COLUMN}]
unique:
  - [{LONG_COLUMN}, second_{LONG_COLUMN[:50]}]
indexes:
  - columns: [{LONG_COLUMN}, second_{LONG_COLUMN[:50]}, id]
foreign_keys:
  - {{columns: [{LONG_COLUMN}], references: {{table: orgs, columns: [id]}}}}
---
table: {WIDE_TABLE}
columns:
  - {{name: {WIDE_COLUMN}, type: bigint, primary_key: true}}
  - {{name: {WIDE_COLUMN}_2, type: bigint, unique: true, check: "{WIDE_COLUMN}_2 > 0"}}
indexes:
  - columns: [{WIDE_COLUMN}, {WIDE_COLUMN}_2]
"""

NAMES_DDL = f"""
CREATE TABLE orgs (id bigint PRIMARY KEY);
CREATE TABLE users (
  id bigint PRIMARY KEY,
  email text UNIQUE CHECK (email <> ''),
  org_id bigint REFERENCES orgs (id),
  status text, created_at timestamp, a integer, b integer,
  UNIQUE (org_id, email),
  CHECK (a > b), CHECK (b >= 0)
);
CREATE INDEX ON users (status, created_at);
CREATE INDEX ON users (lower(email));
CREATE INDEX ON users ((a + b));
CREATE INDEX ON users (coalesce(a, b));
CREATE INDEX ON users (date_trunc('day', created_at));
CREATE INDEX ON users (status) WHERE a > 0;
CREATE INDEX ON users (upper(status));
CREATE TABLE {LONG_TABLE} (
  {LONG_COLUMN} bigint PRIMARY KEY,
  second_{LONG_COLUMN[:50]} bigint UNIQUE CHECK (second_{LONG_COLUMN[:50]} > 0),
  org_id bigint REFERENCES orgs (id),
  x integer,
  UNIQUE ({LONG_COLUMN}, second_{LONG_COLUMN[:50]}, org_id)
);
CREATE INDEX ON {LONG_TABLE} (org_id, x);
CREATE INDEX ON {LONG_TABLE} (x);
CREATE INDEX ON {LONG_TABLE} (lower(x::text));
CREATE TABLE short (
  id bigint, {LONG_COLUMN} bigint, second_{LONG_COLUMN[:50]} bigint,
  PRIMARY KEY (id, {LONG_COLUMN}),
  UNIQUE ({LONG_COLUMN}, second_{LONG_COLUMN[:50]}),
  FOREIGN KEY ({LONG_COLUMN}) REFERENCES orgs (id)
);
CREATE INDEX ON short ({LONG_COLUMN}, second_{LONG_COLUMN[:50]}, id);
CREATE TABLE "{WIDE_TABLE}" (
  "{WIDE_COLUMN}" bigint PRIMARY KEY,
  "{WIDE_COLUMN}_2" bigint UNIQUE CHECK ("{WIDE_COLUMN}_2" > 0)
);
CREATE INDEX ON "{WIDE_TABLE}" ("{WIDE_COLUMN}", "{WIDE_COLUMN}_2");
"""


def _names_in_database(url: str, ddl: str) -> dict[str, set[str]]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(ddl)
        rows = conn.execute("""
            SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            WHERE c.relnamespace = 'public'::regnamespace
            UNION
            SELECT c.relname, i.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_class i ON i.oid = x.indexrelid WHERE c.relnamespace = 'public'::regnamespace
            """).fetchall()
    out: dict[str, set[str]] = {}
    for table, name in rows:
        out.setdefault(table, set()).add(name)
    return out


def _names_in_model(yaml_text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for t in schema_of(yaml_text).tables.values():
        names = {c.name for c in t.constraints} | {f.name for f in t.foreign_keys}
        names |= {i.name for i in t.indexes}
        out[t.name] = names
    return out


def test_default_names_are_postgresqls(database_url: str) -> None:
    assert LONG_TABLE.__len__() == 61 and len(WIDE_TABLE.encode()) == 62
    assert _names_in_model(NAMES_YAML) == _names_in_database(database_url, NAMES_DDL)


@pytest.mark.parametrize("expression", [
    "lower(email)", "LOWER(email)", "email", "a + b", "coalesce(a, b)", "upper(lower(email))",
    "date_trunc('day', created_at)", "lower(email) || 'x'", "abs(a) + abs(b)",
])
def test_expression_index_default_name_is_postgresqls(database_url: str, expression: str) -> None:
    _expression_index_name_matches(database_url, expression)


@pytest.mark.parametrize("expression", [
    "(email)",
    "email::text",
    "(a + b)::text",
    "abs(a) % abs(b)",
    "a::integer",
    "(a + b)::bigint",
    "CASE WHEN a > 0 THEN a END",
    "coalesce(a, 0) + 1",
])
def test_expression_index_default_name_odd_cases(database_url: str, expression: str) -> None:
    _expression_index_name_matches(database_url, expression)


def _expression_index_name_matches(url: str, expression: str) -> None:
    yaml_text = f"""
    table: t
    columns:
      - {{name: email, type: text}}
      - {{name: a, type: integer}}
      - {{name: b, type: integer}}
      - {{name: created_at, type: timestamp}}
    indexes:
      - expression: "{expression}"
    """
    ours = {i.name for i in schema_of(yaml_text).tables["public.t"].indexes}
    ddl = ("CREATE TABLE t (email text, a integer, b integer, created_at timestamp);"
           f"CREATE INDEX ON t (({expression}));")
    assert ours == _names_in_database(url, ddl)["t"]


def test_default_name_truncation_matches_postgresql_directly(database_url: str) -> None:
    """default_name() itself, for table/column lengths around the 63-byte limit."""
    cases = []
    for n1 in (1, 30, 40, 58, 63):
        for n2 in (1, 30, 40, 58, 63):
            table, column = "t" * n1, "c" * n2
            cases.append((table, column))
    cases.append(("ü" * 31, "ö" * 31))  # truncation must not split a character
    cases.append(("t" * 10, "ö" * 31))
    with psycopg.connect(database_url, autocommit=True) as conn:
        for table, column in cases:
            conn.execute(sql.SQL("CREATE TABLE {} (id integer PRIMARY KEY, {} integer UNIQUE)").format(
                sql.Identifier(table), sql.Identifier(column)))
            conn.execute(sql.SQL("CREATE INDEX ON {} ({})").format(sql.Identifier(table), sql.Identifier(column)))
            names = {r[0] for r in conn.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
                "UNION SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass", (quote_ident(table), quote_ident(table)))}
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table)))
            expected = {default_name(table, [], "pkey"), default_name(table, [column], "key"),
                        default_name(table, [column], "idx")}
            assert names == expected, (table, column)


def test_catalog_type_list_is_postgresqls(database_url: str) -> None:
    from compiler.model.qualify import CATALOG_TYPES

    with psycopg.connect(database_url) as conn:
        names = {n for (n,) in conn.execute(
            "SELECT typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace "
            "AND typname !~ '^_' AND typrelid = 0").fetchall()}
    assert names == CATALOG_TYPES
