"""The rows verify proves migrations on: they respect what the catalog asks, or the table is said empty."""
from __future__ import annotations

import psycopg
import pytest

from compiler.live.introspect import introspect
from compiler.live.sample_rows import fill, sample_value
from tests.db.catalog import run_sql_file

SCHEMA = """
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE orgs (
    id uuid PRIMARY KEY,
    name varchar(3) NOT NULL UNIQUE,
    owner_id bigint,                      -- closes a cycle with people: nullable, set afterwards
    parent_id uuid REFERENCES orgs (id),  -- its own table
    budget numeric(4,2) NOT NULL,
    fraction numeric(2,2),
    code char(2),
    tags text[] NOT NULL,
    moods mood[],
    meta jsonb NOT NULL,
    doc json,
    ip inet,
    net cidr,
    raw bytea,
    starts date NOT NULL,
    at timestamptz,
    wait interval day to second,
    flags bit(3),
    open boolean NOT NULL UNIQUE         -- two values only: a third row must be refused
);
CREATE TABLE people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs (id),
    mood mood NOT NULL,
    email text NOT NULL UNIQUE,
    shout text GENERATED ALWAYS AS (upper(email)) STORED
);
ALTER TABLE orgs ADD FOREIGN KEY (owner_id) REFERENCES people (id);
CREATE TABLE picky (n integer CHECK (n > 100), s text CHECK (length(s) < 3));
CREATE TABLE pickier (n integer CHECK (n IS NOT NULL AND n < 0));
CREATE TABLE mail (address varchar(40) NOT NULL CHECK (address LIKE '%@%'));
CREATE TABLE odd (p point NOT NULL, t tsvector, g int4range, x pg_lsn NOT NULL);
CREATE TABLE needs_odd (id serial PRIMARY KEY, lsn pg_lsn NOT NULL, UNIQUE (lsn));
CREATE TABLE child_of_picky (n integer NOT NULL, m integer);
CREATE TABLE hard_cycle_a (id integer PRIMARY KEY, b_id integer NOT NULL);
CREATE TABLE hard_cycle_b (id integer PRIMARY KEY, a_id integer NOT NULL REFERENCES hard_cycle_a (id));
ALTER TABLE hard_cycle_a ADD FOREIGN KEY (b_id) REFERENCES hard_cycle_b (id);
"""


def test_rows_respect_keys_types_and_foreign_keys(database_url: str) -> None:
    run_sql_file(database_url, SCHEMA)
    with psycopg.connect(database_url, autocommit=True) as conn:
        filled = fill(conn, introspect(conn))
        assert filled.rows == {"public.orgs": 2, "public.people": 3, "public.child_of_picky": 3,
                               "public.picky": 3, "public.mail": 3}
        assert filled.empty == {
            "public.pickier": "its check pickier_n_check rejected the generated rows",
            "public.odd": "no sample value for column x of type pg_lsn",
            "public.needs_odd": "no sample value for column lsn of type pg_lsn",
            "public.hard_cycle_a": "its foreign key hard_cycle_a_b_id_fkey references public.hard_cycle_b, which "
                                   "needs rows here first: a cycle of NOT NULL foreign keys",
            "public.hard_cycle_b": "its foreign key hard_cycle_b_a_id_fkey references public.hard_cycle_a, which "
                                   "is empty",
        }
        orgs = conn.execute("SELECT name, budget::text, fraction::text, tags, meta, open, owner_id IS NOT NULL, "
                            "parent_id IS NOT NULL, starts FROM orgs ORDER BY name").fetchall()
        assert [o[:6] for o in orgs] == [("na1", "1.00", "0.01", ["tags_1"], {"n": 1}, True),
                                         ("na2", "2.00", "0.02", ["tags_2"], {"n": 2}, False)]
        assert all(o[6] and o[7] for o in orgs)  # the cycle and the self-reference were closed afterwards
        # the last row holds NULL where it may, as real data may
        assert conn.execute("SELECT n, s FROM picky ORDER BY n").fetchall() == [(1000, "1"), (2000, "2"), (None, None)]
        assert conn.execute("SELECT address FROM mail ORDER BY 1").fetchone() == ("user1@example.com",)
        people = conn.execute("SELECT p.mood::text, p.shout, o.name FROM people p JOIN orgs o ON o.id = p.org_id "
                              "ORDER BY p.id").fetchall()
        assert people == [("calm", "EMAIL_1", "na1"), ("busy", "EMAIL_2", "na2"), ("calm", "EMAIL_3", "na1")]


@pytest.mark.parametrize(("type_", "row", "value"), [
    ("character varying(1)", 2, "3"),
    ("character(5)", 0, "code1"),
    ("numeric(3,3)", 1, "0.002"),
    ("timestamp(3) with time zone", 0, "2024-01-01 12:00:00+00"),
    ("integer[]", 1, '{"2"}'),
    ("mood", 2, "calm"),
    ("geometry", 0, None),
])
def test_sample_values(type_: str, row: int, value: str | None) -> None:
    assert sample_value(type_, "code", row, {"mood": ("calm", "busy")}) == value
