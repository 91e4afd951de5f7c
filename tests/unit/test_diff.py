"""diff: Schema x Schema -> typed changes, asserted by kind without reading SQL."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.definitions.build import build_schema
from compiler.definitions.load import load_project
from compiler.errors import DefinitionError
from compiler.model.schema import Schema
from compiler.plan import changes as ch
from compiler.plan.diff import diff
from compiler.plan.refusals import destructive_reasons
from tests.helpers import schema_of

REPO = Path(__file__).resolve().parents[2]


def kinds(old: str | Schema, new: str | Schema) -> list[str]:
    return [type(c).__name__ for c in changes(old, new)]


def changes(old: str | Schema, new: str | Schema) -> list[ch.Change]:
    a = old if isinstance(old, Schema) else schema_of(old) if old.strip() else Schema()
    b = new if isinstance(new, Schema) else schema_of(new) if new.strip() else Schema()
    return diff(a, b)


def table(*columns: str, extra: str = "", name: str = "t") -> str:
    return f"table: {name}\ncolumns:\n" + "".join(f"  - {c}\n" for c in columns) + extra


ID = "{name: id, type: int, primary_key: true}"


def one(old: str, new: str, kind: type[ch.Change]):
    found = changes(old, new)
    assert [type(c) for c in found] == [kind]
    return found[0]


# -- columns

def test_add_and_drop_column() -> None:
    a, b = table(ID), table(ID, "{name: phone, type: text}")
    assert kinds(a, b) == ["AddColumn"]
    assert kinds(b, a) == ["DropColumn"]
    drop = changes(b, a)[0]
    assert drop.destructive and drop.definition.name == "phone"


def test_rename_column_via_renamed_from_both_directions() -> None:
    a = table(ID, "{name: nick, type: text}")
    b = table(ID, "{name: handle, type: text, renamed_from: nick}")
    up = one(a, b, ch.RenameColumn)
    assert (up.column, up.new_name) == ("nick", "handle")
    down = one(b, a, ch.RenameColumn)  # the rollback reads the hint on the old side
    assert (down.column, down.new_name) == ("handle", "nick")
    assert not up.destructive


def test_rename_column_renames_default_named_constraints_and_indexes() -> None:
    a = table(ID, "{name: email, type: text, unique: true}", extra="indexes:\n  - columns: [email]\n")
    b = table(ID, "{name: mail, type: text, unique: true, renamed_from: email}",
              extra="indexes:\n  - columns: [mail]\n")
    assert kinds(a, b) == ["RenameColumn", "RenameConstraint", "RenameIndex"]


@pytest.mark.parametrize("old, new, using, destructive", [
    ("int", "bigint", False, False),
    ("smallint", "int", False, False),
    ("varchar(10)", "varchar(20)", False, False),
    ("varchar(10)", "text", False, False),
    ("numeric(10,2)", "numeric(12,2)", False, False),
    ("real", "double precision", False, False),
    ("timestamp(3)", "timestamp", False, False),
    ("bigint", "int", False, True),
    ("varchar(20)", "varchar(10)", False, True),
    ("text", "varchar(10)", False, True),
    ("double precision", "real", False, True),
    ("numeric(12,2)", "numeric(10,2)", False, True),
    ("text", "integer", True, True),  # USING a::integer: no assignment cast
    ("text", "uuid", True, True),
    ("integer", "text", False, False),
])
def test_type_change(old: str, new: str, using: bool, destructive: bool) -> None:
    c = one(table(f"{{name: a, type: '{old}'}}"), table(f"{{name: a, type: '{new}'}}"), ch.AlterColumnType)
    assert (c.using, c.using_via, c.destructive) == (using, None, destructive)


def test_equal_spellings_of_a_type_are_no_change() -> None:
    assert kinds(table("{name: a, type: 'varchar(5)'}", "{name: b, type: timestamptz}"),
                 table("{name: a, type: 'character varying(5)'}", "{name: b, type: timestamp with time zone}")) == []


def test_type_change_with_using_resets_the_default() -> None:
    a = table("{name: a, type: text, default: \"'0'\"}")
    b = table("{name: a, type: int, default: 0}")
    assert kinds(a, b) == ["DropDefault", "AlterColumnType", "SetDefault"]


def test_set_and_drop_not_null() -> None:
    a, b = table("{name: a, type: text}"), table("{name: a, type: text, nullable: false}")
    assert kinds(a, b) == ["SetNotNull"]
    assert kinds(b, a) == ["DropNotNull"]


def test_set_and_drop_default() -> None:
    a, b = table("{name: a, type: text}"), table("{name: a, type: text, default: \"'x'\"}")
    assert kinds(a, b) == ["SetDefault"]
    assert kinds(b, a) == ["DropDefault"]
    assert kinds(b, table("{name: a, type: text, default: \"'y'\"}")) == ["SetDefault"]


def test_equal_defaults_are_no_change() -> None:
    assert kinds(table("{name: a, type: timestamptz, default: now()}"),
                 table("{name: a, type: timestamptz, default: CURRENT_TIMESTAMP}")) == []
    assert kinds("enum: s\nvalues: [active]\n---\n" + table("{name: a, type: s, default: \"'active'\"}"),
                 "enum: s\nvalues: [active]\n---\n" + table("{name: a, type: s, default: \"'active'::s\"}")) == []
    assert kinds(table("{name: a, type: jsonb, default: \"'{}'::jsonb\"}"),
                 table("{name: a, type: jsonb, default: \"CAST('{}' AS jsonb)\"}")) == []


def test_identity_add_drop_set() -> None:
    plain = table("{name: a, type: int, nullable: false}")
    always = table("{name: a, type: int, identity: always}")
    by_default = table("{name: a, type: int, identity: by default}")
    assert kinds(plain, always) == ["AddIdentity"]
    assert kinds(always, plain) == ["DropIdentity"]
    assert kinds(always, by_default) == ["SetIdentity"]
    assert one(always, by_default, ch.SetIdentity).identity == "by default"


def test_serial_to_integer_keeps_the_column() -> None:
    found = changes(table("{name: a, type: serial}"), table("{name: a, type: int, nullable: false}"))
    assert not any(isinstance(c, ch.DropColumn) for c in found)
    assert not any(c.destructive for c in found)


# -- constraints and indexes

@pytest.mark.parametrize("without, with_", [
    ("{name: a, type: int, nullable: false}", "{name: a, type: int, primary_key: true}"),
    ("{name: a, type: int}", "{name: a, type: int, unique: true}"),
    ("{name: a, type: int}", "{name: a, type: int, check: 'a > 0'}"),
])
def test_add_and_drop_constraint(without: str, with_: str) -> None:
    assert kinds(table(without), table(with_)) == ["AddConstraint"]
    assert kinds(table(with_), table(without)) == ["DropConstraint"]


def test_add_and_drop_foreign_key() -> None:
    p = table(ID, name="p") + "---\n"
    a = p + table("{name: p_id, type: int}")
    b = p + table("{name: p_id, type: int, references: p.id}")
    assert kinds(a, b) == ["AddForeignKey"]
    assert kinds(b, a) == ["DropForeignKey"]
    assert one(a, b, ch.AddForeignKey).foreign_key.name == "t_p_id_fkey"


def test_changed_foreign_key_action_is_drop_and_add() -> None:
    p = table(ID, name="p") + "---\n"
    a = p + table("{name: p_id, type: int, references: p.id}")
    b = p + table("{name: p_id, type: int, references: p.id, on_delete: cascade}")
    assert kinds(a, b) == ["DropForeignKey", "AddForeignKey"]


def test_changed_check_is_drop_and_add() -> None:
    a = table("{name: a, type: int, check: 'a > 0'}")
    b = table("{name: a, type: int, check: 'a > 1'}")
    assert kinds(a, b) == ["DropConstraint", "AddConstraint"]
    assert kinds(a, table("{name: a, type: int, check: '(a > 0)'}")) == []


def test_add_drop_and_change_index() -> None:
    cols = ("{name: a, type: int}", "{name: b, type: int}")
    plain = table(*cols)
    on_a = table(*cols, extra="indexes:\n  - {name: i, columns: [a]}\n")
    on_b = table(*cols, extra="indexes:\n  - {name: i, columns: [b]}\n")
    assert kinds(plain, on_a) == ["CreateIndex"]
    assert kinds(on_a, plain) == ["DropIndex"]
    assert kinds(on_a, on_b) == ["DropIndex", "CreateIndex"]
    partial = table(*cols, extra="indexes:\n  - {name: i, columns: [a], where: 'b > 0'}\n")
    assert kinds(on_a, partial) == ["DropIndex", "CreateIndex"]


def test_dropping_an_indexed_column_drops_the_index_first() -> None:
    a = table("{name: a, type: int}", "{name: b, type: int}", extra="indexes:\n  - columns: [a, b]\n")
    assert kinds(a, table("{name: a, type: int}")) == ["DropIndex", "DropColumn"]


# -- enums

def enum_table(values: str) -> str:
    return f"enum: st\nvalues: [{values}]\n---\n" + table("{name: s, type: st, default: \"'a'\"}")


def test_enum_value_added_in_the_middle() -> None:
    c = one(enum_table("a, c"), enum_table("a, b, c"), ch.AddEnumValue)
    assert (c.value, c.before, c.after) == ("b", None, "a")
    assert not c.destructive


def test_several_enum_values_added_in_a_row_follow_each_other() -> None:
    found = changes(enum_table("a, d"), enum_table("a, b, c, d"))
    assert [(c.value, c.before, c.after) for c in found] == [("b", None, "a"), ("c", None, "b")]


def test_enum_values_added_first_are_placed_against_an_existing_value() -> None:
    found = changes("enum: e\nvalues: [c]\n", "enum: e\nvalues: [a, b, c]\n")
    existing = {"c"}
    for c in found:
        assert isinstance(c, ch.AddEnumValue)
        assert (c.before or c.after) in existing, (c.value, c.before, c.after)
        existing.add(c.value)


def test_enum_value_added_first_goes_before() -> None:
    c = one(enum_table("a, c"), enum_table("z, a, c"), ch.AddEnumValue)
    assert (c.value, c.before, c.after) == ("z", "a", None)


def test_enum_value_removed_recreates_the_type() -> None:
    found = changes(enum_table("a, b, c"), enum_table("a, c"))
    assert [type(c).__name__ for c in found] == [
        "RenameEnum", "CreateEnum", "DropDefault", "AlterColumnType", "SetDefault", "DropEnum"]
    drop = found[-1]
    assert drop.destructive and drop.removed_values == ("b",)
    assert found[0].new_name == "st__old"
    alter = found[3]
    assert (alter.using, alter.using_via) == (True, "text") and not alter.destructive  # s::text::public.st


def test_enum_values_reordered_recreates_and_is_reported_as_destructive() -> None:
    found = changes("enum: e\nvalues: [a, b]\n", "enum: e\nvalues: [b, a]\n")
    assert [type(c).__name__ for c in found] == ["RenameEnum", "CreateEnum", "DropEnum"]
    assert found[-1].removed_values == ()
    assert found[-1].destructive  # nothing is lost, but every column of the type is rewritten
    assert destructive_reasons(found) == [
        "reorder the values of enum e: every column of the type is rewritten and sorts differently"]


def test_create_and_drop_enum() -> None:
    assert kinds("", "enum: e\nvalues: [a]\n") == ["CreateEnum"]
    assert kinds("enum: e\nvalues: [a]\n", "") == ["DropEnum"]


# -- comments

def test_comments_set_and_removed() -> None:
    a = table("{name: a, type: int}")
    b = table("{name: a, type: int, comment: Column.}", extra="comment: Table.\n")
    assert kinds(a, b) == ["SetTableComment", "SetColumnComment"]
    removed = changes(b, a)
    assert [type(c).__name__ for c in removed] == ["SetTableComment", "SetColumnComment"]
    assert [c.comment for c in removed] == [None, None]


# -- tables

CYCLE = """
table: a
columns:
  - {name: id, type: int, primary_key: true}
  - {name: b_id, type: int, references: b.id}
---
table: b
columns:
  - {name: id, type: int, primary_key: true}
  - {name: a_id, type: int, references: a.id}
"""


def test_foreign_key_cycle_creates_tables_before_keys() -> None:
    assert kinds("", CYCLE) == ["CreateTable", "CreateTable", "AddForeignKey", "AddForeignKey"]
    assert kinds(CYCLE, "") == ["DropForeignKey", "DropForeignKey", "DropTable", "DropTable"]


def test_self_reference() -> None:
    node = table(ID, "{name: parent_id, type: int, references: node.id}", name="node")
    assert kinds("", node) == ["CreateTable", "AddForeignKey"]
    assert kinds(node, "") == ["DropForeignKey", "DropTable"]


ACCOUNTS = """
table: accounts
columns:
  - {name: id, type: serial, primary_key: true}
  - {name: email, type: text, unique: true, check: "email <> ''"}
  - {name: parent_id, type: int, references: accounts.id}
indexes:
  - columns: [email]
  - {name: custom_idx, columns: [parent_id]}
checks:
  - {name: my_check, expression: "id > 0"}
"""
USERS = ACCOUNTS.replace("table: accounts", "table: users\nrenamed_from: accounts").replace("accounts.id", "users.id")


def test_table_rename_renames_default_named_objects_and_keeps_the_rest() -> None:
    found = changes(ACCOUNTS, USERS)
    assert [type(c).__name__ for c in found] == [
        "RenameTable", "RenameColumnSequence", "RenameConstraint", "RenameConstraint", "RenameConstraint",
        "RenameConstraint", "RenameIndex"]
    renamed = {(c.old_name, c.new_name) for c in found if hasattr(c, "old_name")}
    assert renamed == {("accounts", "users"), ("accounts_id_seq", "users_id_seq"), ("accounts_pkey", "users_pkey"),
                       ("accounts_email_key", "users_email_key"), ("accounts_email_check", "users_email_check"),
                       ("accounts_parent_id_fkey", "users_parent_id_fkey"),
                       ("accounts_email_idx", "users_email_idx")}
    assert not any(c.destructive for c in found)


def test_table_rename_reverses() -> None:
    found = changes(USERS, ACCOUNTS)
    assert type(found[0]).__name__ == "RenameTable"
    assert (found[0].old_name, found[0].new_name) == ("users", "accounts")
    assert not any(c.destructive for c in found)


def test_table_without_hint_is_drop_and_create() -> None:
    plain = ACCOUNTS.replace("table: accounts", "table: users").replace("accounts.id", "users.id")
    assert sorted(set(kinds(ACCOUNTS, plain))) == ["AddForeignKey", "CreateIndex", "CreateTable",
                                                   "DropForeignKey", "DropTable"]


def test_create_table_in_new_schema_with_extension() -> None:
    text = "extension: pgcrypto\n---\n" + table("{name: id, type: uuid, default: gen_random_uuid()}") \
        .replace("table: t", "table: t\nschema: app")
    assert kinds("", text) == ["CreateSchema", "CreateExtension", "CreateTable"]
    assert kinds(text, "") == ["DropTable", "DropExtension", "DropSchema"]


# -- no change

def example_schema() -> Schema:
    errors: list[DefinitionError] = []
    return build_schema(load_project(REPO, errors), errors)


def test_example_schema_has_no_diff_with_itself() -> None:
    s = example_schema()
    assert s.tables
    assert diff(s, s) == []


def test_example_schema_created_and_dropped() -> None:
    s = example_schema()
    up = diff(Schema(), s)
    assert up and not any(c.destructive for c in up)
    # every foreign key comes after every table
    first_fk = min(i for i, c in enumerate(up) if isinstance(c, ch.AddForeignKey))
    assert all(not isinstance(c, ch.CreateTable) for c in up[first_fk:])
    down = diff(s, Schema())
    assert isinstance(down[-1], ch.DropExtension | ch.DropEnum)


def test_a_drop_beside_an_addition_is_named_as_a_possible_rename() -> None:
    found = changes(table(ID, "{name: nick, type: text}", name="t"), table(ID, "{name: handle, type: text}", name="u"))
    assert destructive_reasons(found) == [
        "drop table public.t: its rows are lost; if it was renamed to u, add 'renamed_from: t' to table u"]
    found = changes(table(ID, "{name: nick, type: text}"), table(ID, "{name: handle, type: text}"))
    assert destructive_reasons(found) == [
        "drop column public.t.nick (text): its data is lost; if nick was renamed to handle, add "
        "'renamed_from: nick' to column handle"]
