"""Full fidelity: every property schemac manages survives apply, introspection, rollback, import and drift.

The change cases named in FIDELITY_CASES are applied to a real PostgreSQL; the introspected
catalog must equal the definitions as PostgreSQL stores them (no diff), before and after the
rollback. A hand-written database using every property imports to definitions that rebuild
it exactly, and a hand-made change to each property is reported by drift.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg
import pytest

from compiler.cli import main
from compiler.database import connect
from compiler.diff import diff
from compiler.drift import in_words
from compiler.introspect import introspect
from compiler.model import Schema
from compiler.render import Renderer
from compiler.scratch import canonical
from tests.change_cases import CASES, FIDELITY_CASES
from tests.db.catalog import catalog, run_sql_file
from tests.helpers import schema_of


def _schema(text: str) -> Schema:
    return schema_of(textwrap.dedent(text)) if text.strip() else Schema()


def _migration(old: Schema, new: Schema) -> str:
    return Renderer().migration("test", diff(old, new), [])


def _live(url: str) -> Schema:
    with connect(url) as conn:
        return introspect(conn)


@pytest.mark.parametrize("case", FIDELITY_CASES)
def test_introspected_catalog_equals_the_definitions(case: str, database_url: str) -> None:
    old, new = (_schema(t) for t in CASES[case])
    run_sql_file(database_url, _migration(Schema(), old))
    assert diff(_live(database_url), canonical(old, database_url)) == []
    run_sql_file(database_url, _migration(old, new))
    assert diff(_live(database_url), canonical(new, database_url)) == []
    run_sql_file(database_url, _migration(new, old))
    assert diff(_live(database_url), canonical(old, database_url)) == []


HAND_WRITTEN = r"""
CREATE TABLE public.people (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    handle text,
    org bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT people_org_handle_key UNIQUE NULLS NOT DISTINCT (org, handle)
);
CREATE INDEX people_recent_idx ON public.people (created_at DESC NULLS LAST, email text_pattern_ops)
    INCLUDE (handle) WITH (deduplicate_items = false, fillfactor = 70);
CREATE UNIQUE INDEX people_handle_idx ON public.people (handle) NULLS NOT DISTINCT;
CREATE INDEX people_lower_idx ON public.people ((lower(email)) text_pattern_ops DESC, org NULLS FIRST);
CREATE INDEX people_org_idx ON public.people USING brin (org) WITH (pages_per_range = 32);
COMMENT ON INDEX public.people_org_idx IS 'Rough order of organisations.';

CREATE TABLE public.orgs (
    id bigint PRIMARY KEY,
    code text NOT NULL,
    UNIQUE (id, code),
    CONSTRAINT positive CHECK (id > 0) NO INHERIT
);
ALTER TABLE public.people ADD FOREIGN KEY (org) REFERENCES public.orgs (id) DEFERRABLE;
CREATE TABLE public.memberships (
    org bigint,
    code text,
    FOREIGN KEY (org, code) REFERENCES public.orgs (id, code) MATCH FULL DEFERRABLE INITIALLY DEFERRED
);
CREATE TYPE public.level AS ENUM ('low', 'high');
COMMENT ON TYPE public.level IS 'How much.';
CREATE TABLE public.notes (
    id bigint CONSTRAINT notes_pkey PRIMARY KEY,
    level public.level CHECK (level <> 'high'),
    parent bigint REFERENCES public.notes (id),
    body text UNIQUE
);
COMMENT ON CONSTRAINT notes_pkey ON public.notes IS 'One note.';
COMMENT ON CONSTRAINT notes_level_check ON public.notes IS 'Never high.';
COMMENT ON CONSTRAINT notes_parent_fkey ON public.notes IS 'Notes nest.';
COMMENT ON CONSTRAINT notes_body_key ON public.notes IS 'Said once.';
CREATE TABLE public.codes (code text COLLATE "C" PRIMARY KEY, label varchar(20) COLLATE "POSIX", plain text);
"""


def test_import_keeps_every_property(tmp_path: Path, database_url: str, second_database_url: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    run_sql_file(database_url, HAND_WRITTEN)
    assert main(["-C", str(tmp_path), "import", "--database-url", database_url]) == 0
    people = (tmp_path / "definitions" / "people.yaml").read_text()
    assert "{column: created_at, order: desc, nulls: last}, {column: email, opclass: text_pattern_ops}" in people
    assert "with: {deduplicate_items: false, fillfactor: 70}" in people
    assert "{columns: [org, handle], nulls_not_distinct: true}" in people
    assert "references: orgs.id, deferrable: true}" in people
    memberships = (tmp_path / "definitions" / "memberships.yaml").read_text()
    assert "initially_deferred: true, match: full}" in memberships
    orgs = (tmp_path / "definitions" / "orgs.yaml").read_text()
    assert "{name: positive, expression: id > 0, no_inherit: true}" in orgs
    notes = (tmp_path / "definitions" / "notes.yaml").read_text()
    assert "primary_key: {name: notes_pkey, columns: [id], comment: One note.}" in notes
    assert "comment: Notes nest.}" in notes and "comment: Said once.}" in notes and "comment: Never high.}" in notes
    assert "enum: level\ncomment: How much.\n" in (tmp_path / "definitions" / "types.yaml").read_text()
    codes = (tmp_path / "definitions" / "codes.yaml").read_text()
    assert "{name: code, type: text, primary_key: true, collation: C}" in codes
    assert "{name: label, type: varchar(20), collation: POSIX}" in codes and "{name: plain, type: text}" in codes
    assert main(["-C", str(tmp_path), "compile"]) == 0
    assert main(["-C", str(tmp_path), "apply", "--database-url", second_database_url]) == 0
    original, rebuilt = catalog(database_url), catalog(second_database_url)
    for part in original:
        assert [r for r in rebuilt[part] if "schema_migrations" not in r] == original[part], part
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "drift", "--database-url", database_url]) == 0


# a change made by hand -> what drift must say about it
HAND_MADE = [
    ("ALTER INDEX people_recent_idx SET (fillfactor = 90)", "index public.people_recent_idx has other storage parameters"),
    ("ALTER INDEX people_recent_idx SET (deduplicate_items = on)",
     "index public.people_recent_idx has other storage parameters"),
    ("COMMENT ON INDEX people_org_idx IS 'other'", "index public.people_org_idx has another comment"),
    ("DROP INDEX people_handle_idx; CREATE UNIQUE INDEX people_handle_idx ON people (handle)",
     "index public.people_handle_idx is missing or differs"),
    ("ALTER TABLE people DROP CONSTRAINT people_org_handle_key, ADD CONSTRAINT people_org_handle_key UNIQUE (org, handle)",
     "constraint public.people.people_org_handle_key is missing or differs"),
    ("ALTER TABLE people ALTER CONSTRAINT people_org_fkey NOT DEFERRABLE",
     "foreign key public.people.people_org_fkey is deferrable or deferred otherwise"),
    ("ALTER TABLE memberships DROP CONSTRAINT memberships_org_code_fkey, ADD CONSTRAINT memberships_org_code_fkey "
     "FOREIGN KEY (org, code) REFERENCES orgs (id, code) DEFERRABLE INITIALLY DEFERRED",
     "foreign key public.memberships.memberships_org_code_fkey is missing or differs"),
    ("ALTER TABLE orgs DROP CONSTRAINT positive, ADD CONSTRAINT positive CHECK (id > 0)",
     "constraint public.orgs.positive is missing or differs"),
    ("COMMENT ON CONSTRAINT notes_pkey ON notes IS NULL", "constraint public.notes.notes_pkey has another comment"),
    ("COMMENT ON CONSTRAINT notes_parent_fkey ON notes IS 'x'",
     "constraint public.notes.notes_parent_fkey has another comment"),
    ("COMMENT ON TYPE level IS 'x'", "enum public.level has another comment"),
    ("ALTER TABLE codes ALTER COLUMN label TYPE varchar(20)", "column public.codes.label has another collation"),
    ("ALTER TABLE codes ALTER COLUMN plain TYPE text COLLATE \"C\"", "column public.codes.plain has another collation"),
    ("DROP INDEX people_lower_idx; CREATE INDEX people_lower_idx ON people ((lower(email)) DESC, org NULLS FIRST)",
     "index public.people_lower_idx is missing or differs"),
]


@pytest.mark.parametrize("statement, words", HAND_MADE, ids=[w.split(" has ")[0] for _, w in HAND_MADE])
def test_drift_reports_a_hand_made_change(statement: str, words: str, database_url: str) -> None:
    run_sql_file(database_url, HAND_WRITTEN)
    wanted = _live(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(statement)
    changes = diff(_live(database_url), wanted)
    assert words in [in_words(c) for c in changes]
    run_sql_file(database_url, Renderer().migration("reconcile", changes, []))
    assert diff(_live(database_url), wanted) == []
