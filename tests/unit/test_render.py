"""render: changes -> SQL through one template per change kind."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

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
               if not p.name.startswith("_") and p.name not in ("migration.sql.j2", "seeds.sql.j2")}
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


# ---------------------------------------------------------------- trusted and sandboxed rendering

def test_shipped_templates_render_outside_the_sandbox_unless_the_project_reaches_them(tmp_path: Path) -> None:
    from jinja2.sandbox import SandboxedEnvironment
    (tmp_path / "templates").mkdir()
    renderer = Renderer(tmp_path)
    assert not isinstance(renderer.env("create_table.sql.j2"), SandboxedEnvironment)
    (tmp_path / "templates" / "add_column.sql.j2").write_text("x;\n")
    (tmp_path / "templates" / "_macros.sql.j2").symlink_to(tmp_path / "nowhere")  # even a broken link is the project's
    renderer = Renderer(tmp_path)
    for name in ("add_column.sql.j2", "create_table.sql.j2", "create_index.sql.j2", "no_such.sql.j2"):
        assert isinstance(renderer.env(name), SandboxedEnvironment), name  # itself, or its _macros, overridden
    assert not isinstance(renderer.env("drop_table.sql.j2"), SandboxedEnvironment)  # imports nothing overridden
    assert not isinstance(Renderer().env("create_table.sql.j2"), SandboxedEnvironment)
    assert isinstance(Renderer().env("no_such.sql.j2"), SandboxedEnvironment)


def test_an_override_of_the_macros_is_used_and_sandboxed(tmp_path: Path) -> None:
    from compiler.errors import TemplateProblem
    shipped = (builtin_templates() / "_macros.sql.j2").read_text()
    (tmp_path / "templates").mkdir()
    macros = tmp_path / "templates" / "_macros.sql.j2"
    macros.write_text(shipped.replace("{{ col.name|ident }} {{ col.declared_type|sql_type }}",
                                      "{{ col.name|ident }} /* mine */ {{ col.declared_type|sql_type }}"))
    changes = plan(Schema(), schema_of(USERS))
    assert "id /* mine */ integer" in Renderer(tmp_path).migration("t", changes, [])
    other = tmp_path / "other"  # (a folder's templates are compiled once per process)
    (other / "templates").mkdir(parents=True)
    (other / "templates" / "_macros.sql.j2").write_text(
        shipped.replace("{{ col.name|ident }} {{ col.declared_type|sql_type }}", "{{ col.__class__.__mro__ }}"))
    with pytest.raises(TemplateProblem) as e:
        Renderer(other).migration("t", changes, [])
    assert "access to attribute '__class__' of 'Column' object is unsafe" in str(e.value)


def test_an_override_of_the_migration_file_is_sandboxed(tmp_path: Path) -> None:
    from compiler.errors import TemplateProblem
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "migration.sql.j2").write_text("{{ blocks.__class__ }}\n")
    with pytest.raises(TemplateProblem) as e:
        Renderer(tmp_path).migration("t", plan(Schema(), schema_of(USERS)), [])
    assert "access to attribute '__class__' of 'list' object is unsafe" in str(e.value)


def test_the_shipped_macros_read_nothing_of_their_importers_context() -> None:
    # Their module is made once per set of extension types (render._ShippedTemplate): that is
    # only the same module for every importer while no macro reads a name of the importer's.
    import jinja2.meta

    from compiler.sql.render import _trusted
    env = _trusted()
    source = (builtin_templates() / "_macros.sql.j2").read_text()
    assert jinja2.meta.find_undeclared_variables(env.parse(source)) == set()


def test_each_set_of_extension_types_gets_its_own_macros() -> None:
    new = schema_of("extension: citext\n---\n" + USERS + "  - {name: nick, type: citext}\n")
    changes = plan(Schema(), new)
    r = Renderer()
    assert "nick extensions.citext" in r.migration("t", changes, [], {"citext": "extensions"})
    assert "nick public.citext" in r.migration("t", changes, [], {"citext": "public"})
    assert "nick citext" in r.migration("t", changes, [])
    assert "nick extensions.citext" in r.migration("t", changes, [], {"citext": "extensions"})
