"""render: changes -> SQL through one template per change kind."""
from __future__ import annotations

import re
from pathlib import Path

from compiler.model.schema import Schema
from compiler.plan import changes as ch
from compiler.plan.diff import plan
from compiler.plan.order import PHASES, BlockKind
from compiler.sql.render import Renderer, builtin_templates
from tests.helpers import schema_of


def template_of(kind: type[ch.Change]) -> str:
    return object.__new__(kind).template  # the name depends on the class only


def test_every_change_kind_has_a_template() -> None:
    shipped = {p.name for p in builtin_templates().glob("*.sql.j2")}
    missing = [k.__name__ for k in ch.change_kinds() if template_of(k) not in shipped]
    assert missing == []


def test_every_template_belongs_to_a_change_kind() -> None:
    expected = {template_of(k) for k in ch.change_kinds()}
    shipped = {p.name for p in builtin_templates().glob("*.sql.j2")
               if not p.name.startswith("_") and p.name != "migration.sql.j2"}
    assert shipped - expected == set()
    assert (builtin_templates() / "migration.sql.j2").is_file()


def test_template_names_follow_the_class_names() -> None:
    assert template_of(ch.AddForeignKey) == "add_foreign_key.sql.j2"
    assert template_of(ch.AlterColumnType) == "alter_column_type.sql.j2"
    assert template_of(ch.CreateTable) == "create_table.sql.j2"


def test_every_change_kind_is_in_a_phase_once() -> None:
    assert len(set(PHASES)) == len(PHASES)
    assert set(ch.change_kinds()) == set(PHASES)


USERS = """
table: users
columns:
  - {name: id, type: int, primary_key: true}
"""
WITH_PHONE = USERS + "  - {name: phone, type: text}\n"


def test_project_templates_override_builtin_ones(tmp_path: Path) -> None:
    changes = plan(schema_of(USERS), schema_of(WITH_PHONE))
    builtin = Renderer().migration("t", changes, [])
    assert "ADD COLUMN phone text" in builtin
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "add_column.sql.j2").write_text(
        "ALTER TABLE {{ c.table | qname(c.schema) }} ADD COLUMN IF NOT EXISTS {{ c.definition.name | ident }} "
        "{{ c.definition.type }};\n")
    custom = Renderer(tmp_path).migration("t", changes, [])
    assert "ALTER TABLE public.users ADD COLUMN IF NOT EXISTS phone text;" in custom
    assert custom.startswith(builtin.split("\n", 1)[0])  # the rest still comes from the built-in ones


def test_project_without_templates_uses_builtin_ones(tmp_path: Path) -> None:
    changes = plan(schema_of(USERS), schema_of(WITH_PHONE))
    assert Renderer(tmp_path).migration("t", changes, []) == Renderer().migration("t", changes, [])


def test_each_statement_is_named_by_a_comment() -> None:
    changes = plan(schema_of(USERS), schema_of(WITH_PHONE))
    text = Renderer().migration("t", changes, [])
    assert "-- schemac:statement AddColumn public.users.phone\nALTER TABLE" in text
    assert text.count("BEGIN;") == 1 and text.count("COMMIT;") == 1
    assert text.endswith("COMMIT;\n")


def test_identifiers_and_literals_are_quoted() -> None:
    s = schema_of("""
    table: user
    comment: it's
    columns:
      - {name: order, type: int, primary_key: true}
      - {name: Select Me, type: text, default: "'x'", comment: "it's"}
    """)
    text = Renderer().migration("t", plan(Schema(), s), [])
    assert 'CREATE TABLE public."user"' in text
    assert '"order" integer NOT NULL' in text
    assert '"Select Me" text' in text
    assert "IS 'it''s';" in text


ENUM_OLD = """
enum: st
values: [a]
---
table: t
columns:
  - {name: id, type: int}
"""
ENUM_NEW = """
enum: st
values: [a, b]
---
table: t
columns:
  - {name: id, type: int}
  - {name: s, type: st, default: "'b'"}
"""


def test_new_enum_value_used_in_the_same_migration_is_committed_first() -> None:
    changes = plan(schema_of(ENUM_OLD), schema_of(ENUM_NEW))
    assert [[type(c).__name__ for c in b.changes] for b in changes.blocks] == [["AddEnumValue"], ["AddColumn"]]
    assert [b.kind for b in changes.blocks] == [BlockKind.ENUM_COMMIT, BlockKind.TRANSACTION]
    text = Renderer().migration("t", changes, [])
    assert text.count("BEGIN;") == 2 and text.count("COMMIT;") == 2
    first, second = text.split("COMMIT;")[:2]
    assert "ADD VALUE IF NOT EXISTS 'b'" in first and "ADD COLUMN" not in first
    assert "ADD COLUMN" in second
    assert re.search(r"-- PostgreSQL cannot use a new enum value \(b\) in the transaction that added it[^\n]*\n"
                     r"BEGIN;", second)


def test_new_enum_value_not_used_stays_in_one_transaction() -> None:
    new = ENUM_NEW.replace("default: \"'b'\"", "default: \"'a'\"")
    text = Renderer().migration("t", plan(schema_of(ENUM_OLD), schema_of(new)), [])
    assert text.count("BEGIN;") == 1


def test_every_change_of_the_example_renders(tmp_path: Path) -> None:
    from tests.unit.test_build import FULL

    s = schema_of(FULL)
    up = Renderer().migration("up", plan(Schema(), s), [])
    down = Renderer().migration("down", plan(s, Schema()), [])
    assert "CREATE TABLE public.users" in up and "DROP TABLE public.users" in down
    assert up.count(";") > 10


def test_a_do_block_is_quoted_with_a_tag_its_body_does_not_hold() -> None:
    from compiler.sql.render import dollar_quote

    assert dollar_quote("BEGIN NULL; END") == "$schemac$ BEGIN NULL; END $schemac$"
    quoted = dollar_quote("BEGIN PERFORM 'a$schemac$b$schemac1$'; END")
    assert quoted.startswith("$schemac2$ ") and quoted.endswith(" $schemac2$")
