"""drift reports a hand-made change to each property schemac manages, and the SQL it prints, run by
hand, brings the database back: drift is then clean."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.db.catalog import run_sql_file
from tests.helpers import run_cli, write_definitions

DEFINITIONS = {
    "types.yaml": """
        enum: mood
        values: [happy, sad]
        ---
        enum: mood
        schema: other
        values: [open, closed]
    """,
    "orgs.yaml": """
        table: orgs
        comment: Organisations.
        columns:
          - {name: id, type: integer, identity: always, primary_key: true}
          - {name: code, type: text, nullable: false, unique: true}
    """,
    "teams.yaml": """
        table: teams
        columns:
          - {name: id, type: integer, primary_key: true}
          - {name: org_id, type: integer, references: orgs.id}
    """,
    "notes.yaml": """
        table: notes
        columns:
          - {name: comment, type: text, check: "comment <> ''"}
          - {name: update, type: integer, default: 0}
          - {name: set, type: integer, generated: "update * 2"}
        indexes:
          - {name: notes_update, expression: "update + 1", where: "comment IS NOT NULL"}
          - {name: notes_ops, expression: "(@ update)"}
    """,
    "people.yaml": """
        table: people
        comment: People.
        columns:
          - {name: id, type: bigint, identity: by default, primary_key: true}
          - {name: org_id, type: integer, references: orgs.id, on_delete: cascade}
          - {name: "order", type: integer, nullable: false, check: '"order" >= 0', comment: Rank.}
          - {name: nick, type: text}
          - {name: mood, type: mood, nullable: false, default: "'happy'"}
          - {name: state, type: other.mood}
          - {name: score, type: integer, default: 0}
          - {name: doubled, type: integer, generated: '"order" * 2'}
          - {name: tripled, type: integer, generated: '"order" * 3'}
          - {name: plain, type: integer}
          - {name: plain2, type: integer, nullable: false}
          - {name: plain3, type: text}
          - {name: serial_id, type: serial}
          - {name: gone, type: text}
        unique:
          - [org_id, nick]
        checks:
          - {name: nick_not_empty, expression: "nick <> ''"}
        indexes:
          - {columns: [nick]}
          - {name: people_lower_nick, expression: lower(nick), unique: true, where: "mood <> 'sad'"}
          - {name: people_upper_nick, expression: upper(nick), where: "mood <> 'sad'"}
          - {name: people_plain3, expression: lower(plain3), unique: true}
          - {columns: ["order"], using: brin}
    """,
    "views.yaml": """
        view: org_codes
        with: {security_barrier: true}
        query: select id, code from orgs
        ---
        view: org_codes_upper
        query: select id, upper(code) as code from org_codes
        ---
        materialized_view: org_count
        query: select count(*) as n from orgs
        indexes:
          - {columns: [n]}
    """,
    "routines.yaml": """
        function: touch
        comment: Stamps.
        returns: trigger
        language: plpgsql
        body: |
          BEGIN
            NEW.plain := 1;
            RETURN NEW;
          END;
        ---
        function: twice
        arguments: [{name: n, type: integer}]
        returns: integer
        language: sql
        volatility: immutable
        body: SELECT n * 2
        ---
        trigger: people_touch
        table: people
        timing: before
        events: [update]
        for_each: row
        function: touch
        ---
        trigger: people_seen
        table: people
        timing: after
        events: [insert]
        function: touch
        comment: Seen.
    """,
}

# Batches of hand-made changes, each touching other objects than the rest of its batch:
# (hand-made SQL, what drift must say)
BATCHES = {
    "columns": [
        ("ALTER TABLE people ALTER COLUMN plain TYPE bigint", "column public.people.plain has another type"),
        ("ALTER TABLE people ALTER COLUMN nick SET NOT NULL",
         "column public.people.nick is NOT NULL but should allow NULL"),
        ('ALTER TABLE people ALTER COLUMN "order" DROP NOT NULL',
         "column public.people.order allows NULL but should be NOT NULL"),
        ("ALTER TABLE people ALTER COLUMN score SET DEFAULT 1", "column public.people.score has another default"),
        ("ALTER TABLE people ALTER COLUMN mood DROP DEFAULT", "column public.people.mood has no default but should have 'happy'::mood"),
        ("ALTER TABLE people ALTER COLUMN plain3 SET DEFAULT 'x'",
         "column public.people.plain3 has a default it should not have"),
        ("ALTER TABLE people ALTER COLUMN id SET GENERATED ALWAYS",
         "identity column public.people.id has the other kind (always / by default)"),
        ("ALTER TABLE people ALTER COLUMN plain2 ADD GENERATED ALWAYS AS IDENTITY",
         "column public.people.plain2 is an identity column but should not be"),
        ("ALTER TABLE people DROP COLUMN doubled, ADD COLUMN doubled integer GENERATED ALWAYS AS (\"order\" * 4) "
         "STORED", "column public.people.doubled"),
        ("ALTER TABLE people ALTER COLUMN tripled DROP EXPRESSION", "column public.people.tripled"),
        ("COMMENT ON TABLE people IS 'Someone else''s words'", "table public.people has another comment"),
        ('COMMENT ON COLUMN people."order" IS NULL', "column public.people.order has another comment"),
        ("ALTER TABLE people ADD COLUMN by_hand text", "column public.people.by_hand is not in the definitions"),
        ("ALTER TABLE people DROP COLUMN gone", "column public.people.gone is missing"),
        ("ALTER TYPE mood ADD VALUE 'meh'", "enum public.mood has other values or another order"),
        ("ALTER TYPE other.mood RENAME VALUE 'closed' TO 'shut'", "enum other.mood has other values or another order"),
    ],
    "constraints and indexes": [
        ("ALTER TABLE orgs DROP CONSTRAINT orgs_code_key",
         "constraint public.orgs.orgs_code_key is missing or differs"),
        ("ALTER TABLE people DROP CONSTRAINT people_org_id_nick_key, "
         "ADD CONSTRAINT people_org_id_nick_key UNIQUE (nick, org_id)",
         "constraint public.people.people_org_id_nick_key is missing or differs"),
        ("ALTER TABLE people DROP CONSTRAINT nick_not_empty, ADD CONSTRAINT nick_not_empty CHECK (length(nick) > 0)",
         "constraint public.people.nick_not_empty is missing or differs"),
        ("ALTER TABLE people ADD CONSTRAINT by_hand CHECK (plain > 0)",
         "constraint public.people.by_hand is not in the definitions or differs"),
        ("ALTER TABLE people DROP CONSTRAINT people_org_id_fkey, ADD CONSTRAINT people_org_id_fkey "
         "FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE SET NULL",
         "foreign key public.people.people_org_id_fkey is missing or differs"),
        ("ALTER TABLE teams DROP CONSTRAINT teams_org_id_fkey",
         "foreign key public.teams.teams_org_id_fkey is missing or differs"),
        ("DROP INDEX people_nick_idx; CREATE INDEX people_nick_idx ON people USING hash (nick)",
         "index public.people_nick_idx is missing or differs"),
        ("DROP INDEX people_lower_nick; "
         "CREATE UNIQUE INDEX people_lower_nick ON people (lower(nick)) WHERE mood <> 'happy'",
         "index public.people_lower_nick is missing or differs"),
        ("DROP INDEX people_upper_nick; CREATE INDEX people_upper_nick ON people (lower(nick)) WHERE mood <> 'sad'",
         "index public.people_upper_nick is missing or differs"),
        ("DROP INDEX people_plain3; CREATE INDEX people_plain3 ON people (lower(plain3))",
         "index public.people_plain3 is missing or differs"),
        ("CREATE INDEX by_hand ON people (plain)", "index public.by_hand is not in the definitions or differs"),
        ("DROP INDEX people_order_idx", "index public.people_order_idx is missing or differs"),
    ],
    "keyword columns": [  # PostgreSQL prints them bare: comment <> ''::text, (update + 1)
        ("ALTER TABLE notes DROP CONSTRAINT notes_comment_check, "
         "ADD CONSTRAINT notes_comment_check CHECK (comment <> 'x')",
         "constraint public.notes.notes_comment_check is missing or differs"),
        ("DROP INDEX notes_update; CREATE INDEX notes_update ON notes ((update + 2)) WHERE comment IS NOT NULL",
         "index public.notes_update is missing or differs"),
        ("DROP INDEX notes_ops; CREATE INDEX notes_ops ON notes ((- update))",
         "index public.notes_ops is missing or differs"),
        ("ALTER TABLE notes DROP COLUMN set, ADD COLUMN set integer GENERATED ALWAYS AS (update * 3) STORED",
         "column public.notes.set"),
    ],
    "views": [
        ("CREATE OR REPLACE VIEW org_codes WITH (security_barrier = true) AS SELECT id, code FROM orgs WHERE id > 0",
         "view public.org_codes has another query"),
        ("ALTER VIEW org_codes_upper SET (check_option = local)", "view public.org_codes_upper has other options"),
        ("COMMENT ON MATERIALIZED VIEW org_count IS 'By hand.'", "view public.org_count has another comment"),
        ("DROP INDEX org_count_n_idx", "index public.org_count_n_idx is missing or differs"),
        ("CREATE VIEW by_hand AS SELECT 1 AS one", "view public.by_hand is not in the definitions or differs"),
    ],
    "routines and triggers": [
        ("CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
         "function public.touch() has another body or other properties"),
        ("COMMENT ON FUNCTION touch() IS NULL", "function public.touch() has another comment"),
        ("ALTER FUNCTION twice(integer) STABLE", "function public.twice(integer) has another body or other properties"),
        ("CREATE FUNCTION by_hand() RETURNS int LANGUAGE sql AS 'SELECT 1'",
         "function public.by_hand() is not in the definitions or differs"),
        ("DROP TRIGGER people_touch ON people", "trigger public.people.people_touch is missing or differs"),
        ("ALTER TABLE people DISABLE TRIGGER people_seen",
         "trigger public.people.people_seen fires otherwise (enabled, disabled, replica or always)"),
        ("CREATE TRIGGER by_hand BEFORE DELETE ON orgs FOR EACH ROW EXECUTE FUNCTION touch()",
         "trigger public.orgs.by_hand is not in the definitions or differs"),
    ],
    "keys": [
        ("ALTER TABLE orgs ALTER COLUMN id DROP IDENTITY", "column public.orgs.id should be an identity column"),
        ("ALTER TABLE teams DROP CONSTRAINT teams_pkey", "constraint public.teams.teams_pkey is missing or differs"),
    ],
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drift")
    write_definitions(root, DEFINITIONS)
    from compiler.cli import main
    assert main(["-C", str(root), "compile"]) == 0
    return root


@pytest.mark.parametrize("batch", BATCHES)
def test_drift_reports_hand_made_changes_and_its_sql_repairs_them(
        batch: str, project: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(project, capsys, "apply", "--database-url", database_url)[0] == 0
    changes = BATCHES[batch]
    run_sql_file(database_url, ";\n".join(sql for sql, _ in changes) + ";")
    code, out, err = run_cli(project, capsys, "drift", "--database-url", database_url)
    assert code == 1, out + err
    listed = out.split("SQL that would reconcile the database:", 1)[0]
    for _, said in changes:
        assert said in listed, f"{said!r} not in:\n{listed}"
    run_sql_file(database_url, out.split("SQL that would reconcile the database:\n", 1)[1])
    code, out, _ = run_cli(project, capsys, "drift", "--database-url", database_url)
    assert code == 0, out


def test_every_kind_of_change_can_be_said_as_drift() -> None:
    import inspect

    from compiler.plan import changes as ch

    # every class of the module (or of a module of kinds it imports, as plan/partition_changes.py and
    # plan/routine_changes.py, plan/security_changes.py, plan/called_function_changes.py) that is no base
    # of another is a kind, and has its words
    modules = (ch, ch.routine_changes, ch.security_changes, ch.called_function_changes)
    classes = {c for module in modules for _, c in inspect.getmembers(module, inspect.isclass)
               if issubclass(c, ch.Change) and c.__module__.startswith("compiler.plan.")}
    leaves = {c for c in classes if not any(other is not c and issubclass(other, c) for other in classes)}
    assert leaves == set(ch.change_kinds())
    assert [k.__name__ for k in ch.change_kinds() if "{s}" not in k.DESCRIPTION] == []
