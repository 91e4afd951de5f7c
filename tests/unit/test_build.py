"""build: documents -> Schema with canonical values and PostgreSQL's default names."""
from __future__ import annotations

import pytest

from compiler.errors import DefinitionErrors
from compiler.model.expressions import make_expression
from compiler.model.schema import Check, Column, Enum, Extension, ForeignKey, Index, IndexPart, PrimaryKey, Unique
from compiler.plan.diff import diff
from tests.helpers import schema_of

FULL = """
extension: pgcrypto
---
enum: user_status
values: [active, suspended, deleted]
---
table: orgs
columns:
  - {name: id, type: bigint, primary_key: true}
---
table: teams
columns:
  - {name: org_id, type: bigint}
  - {name: id, type: bigint}
primary_key: [org_id, id]
---
table: users
schema: public
comment: People who can sign in.
renamed_from: accounts
columns:
  - name: id
    type: uuid
    primary_key: true
    default: gen_random_uuid()
  - name: email
    type: varchar(255)
    nullable: false
    unique: true
  - name: status
    type: user_status
    nullable: false
    default: "'active'"
  - name: org_id
    type: bigint
    references: orgs.id
    on_delete: cascade
    on_update: restrict
  - name: team_id
    type: int8
  - name: handle
    type: text
    check: "length(handle) > 2"
    renamed_from: nick
  - name: seq
    type: int
    identity: by default
  - name: email_domain
    type: text
    generated: "split_part(email, '@', 2)"
  - name: tags
    type: text[]
  - name: created_at
    type: timestamptz
    nullable: false
    default: now()
    comment: When the row was written.
unique:
  - [org_id, email]
  - {name: users_handle_key, columns: [org_id, handle]}
indexes:
  - columns: [status, created_at]
  - {name: users_email_lower_idx, expression: lower(email), unique: true, where: "status <> 'deleted'"}
  - {columns: [tags], using: gin}
  - expression: lower(email)
foreign_keys:
  - {columns: [org_id, team_id], references: {table: teams, columns: [org_id, id]}, on_delete: cascade}
checks:
  - {name: email_has_at, expression: "position('@' in email) > 1"}
  - expression: "seq > 0"
  - expression: "seq > 0 OR handle IS NULL"
"""


def users():
    return schema_of(FULL).tables["public.users"]


def test_schema_holds_every_object() -> None:
    s = schema_of(FULL)
    assert list(s.tables) == ["public.orgs", "public.teams", "public.users"]
    assert s.enums == {"public.user_status": Enum("public", "user_status", ("active", "suspended", "deleted"))}
    assert s.extensions == {"pgcrypto": Extension("pgcrypto")}


def test_table_keys() -> None:
    t = users()
    assert (t.schema, t.name, t.key) == ("public", "users", "public.users")
    assert t.comment == "People who can sign in."
    assert t.renamed_from == "accounts"


def test_columns_in_order_with_canonical_values() -> None:
    t = users()
    assert [c.name for c in t.columns] == ["id", "email", "status", "org_id", "team_id", "handle", "seq",
                                           "email_domain", "tags", "created_at"]
    assert [c.type for c in t.columns] == [
        "uuid", "character varying(255)", "user_status", "bigint", "bigint", "text", "integer", "text", "text[]",
        "timestamp with time zone"]
    nullable = {c.name: c.nullable for c in t.columns}
    assert nullable == {"id": False, "email": False, "status": False, "org_id": True, "team_id": True,
                        "handle": True, "seq": False, "email_domain": True, "tags": True, "created_at": False}


def test_column_details() -> None:
    t = users()
    assert t.column("id").default == make_expression("gen_random_uuid()")
    assert t.column("id").default.text == "gen_random_uuid()"
    status = t.column("status")
    assert status.default.text == "'active'"
    assert status.default == make_expression("'active'::user_status", "user_status", {"user_status": "user_status"})
    created = t.column("created_at")
    assert created.default == make_expression("CURRENT_TIMESTAMP")
    assert created.comment == "When the row was written."
    assert t.column("handle").renamed_from == "nick"
    assert t.column("seq").identity == "by default"
    assert t.column("email_domain").generated.text == "split_part(email, '@', 2)"
    assert t.column("email").default is None and t.column("email").identity is None


def test_constraints_with_default_names() -> None:
    t = users()
    assert t.primary_key == PrimaryKey("users_pkey", ("id",))
    assert t.uniques == (Unique("users_email_key", ("email",)), Unique("users_handle_key", ("org_id", "handle")),
                         Unique("users_org_id_email_key", ("org_id", "email")))
    assert t.checks == (
        Check("email_has_at", make_expression("position('@' in email) > 1")),
        Check("users_check", make_expression("seq > 0 OR handle IS NULL")),  # two columns: t_check
        Check("users_handle_check", make_expression("length(handle) > 2")),  # column-level: t_col_check
        Check("users_seq_check", make_expression("seq > 0")),  # table-level on one column: t_col_check
    )
    assert t.foreign_keys == (
        ForeignKey("users_org_id_fkey", ("org_id",), "public", "orgs", ("id",), "cascade", "restrict"),
        ForeignKey("users_org_id_team_id_fkey", ("org_id", "team_id"), "public", "teams", ("org_id", "id"),
                   "cascade", "no action"),
    )


def test_indexes_with_default_names() -> None:
    t = users()
    lower = make_expression("lower(email)")
    assert t.indexes == (
        Index("users_email_lower_idx", (IndexPart(expression=lower),), True, "btree",
              make_expression("status <> 'deleted'")),
        Index("users_lower_idx", (IndexPart(expression=lower),)),
        Index("users_status_created_at_idx", (IndexPart(column="status"), IndexPart(column="created_at"))),
        Index("users_tags_idx", (IndexPart(column="tags"),), using="gin"),
    )


def test_composite_primary_key_makes_columns_not_null() -> None:
    teams = schema_of(FULL).tables["public.teams"]
    assert teams.primary_key == PrimaryKey("teams_pkey", ("org_id", "id"))
    assert [c.nullable for c in teams.columns] == [False, False]


def test_serial_and_identity_columns_are_not_null() -> None:
    t = schema_of("""
    table: t
    columns:
      - {name: a, type: serial}
      - {name: b, type: bigint, identity: always}
      - {name: c, type: int, nullable: true}
    """).tables["public.t"]
    assert t.columns == (Column("a", "integer", False, serial=True), Column("b", "bigint", False, identity="always"),
                         Column("c", "integer", True))


def test_other_schema_and_enum_there() -> None:
    s = schema_of("""
    enum: level
    schema: app
    values: [low, high]
    ---
    table: jobs
    schema: app
    columns:
      - {name: id, type: int, primary_key: true}
      - {name: level, type: app.level, default: "'low'"}
      - {name: parent_id, type: int, references: app.jobs.id}
    """)
    t = s.tables["app.jobs"]
    assert t.column("level").type == "app.level"
    assert t.foreign_keys == (ForeignKey("jobs_parent_id_fkey", ("parent_id",), "app", "jobs", ("id",)),)
    assert s.schema_names == {"app"}


@pytest.mark.parametrize("yaml_text, message", [
    ("table: t\ncolumns: [{name: a, type: strng}]\n", "unknown type 'strng'"),
    ("table: t\ncolumns: [{name: a, type: text, default: active}]\n", "write a string as \"'active'\""),
    ("table: t\ncolumns: [{name: a, type: text, default: \"1; drop table t\"}]\n", "';' starts another statement"),
    ("table: t\ncolumns: [{name: a, type: int, nullable: false, colour: red}]\n", "unknown key 'colour'"),
    ("table: t\ncolumns: [{name: a, type: int}, {name: a, type: int}]\n", "column a appears twice"),
    ("table: t\ncolumns: [{name: a, type: int, references: u.id}]\n", "which is not defined"),
    ("table: t\ncolumns: [{name: a, type: int}]\nindexes: [{columns: [b]}]\n", "is not a column of t"),
    ("table: " + "x" * 64 + "\ncolumns: [{name: a, type: int}]\n", "64 bytes"),
    ("table: t\ncolumns: [{name: a, type: int, check: 'a > 0'}]\nchecks: [{expression: 'a < 9'}]\n",
     "two constraints of t are named t_a_check"),
])
def test_definition_errors(yaml_text: str, message: str) -> None:
    with pytest.raises(DefinitionErrors) as e:
        schema_of(yaml_text)
    assert any(message in err.message for err in e.value.errors), [err.message for err in e.value.errors]


def test_default_name_truncated_to_63_bytes() -> None:
    long_table = "t" * 60
    t = schema_of(f"""
    table: {long_table}
    columns:
      - {{name: id, type: int, primary_key: true}}
      - {{name: email, type: text, unique: true}}
    """).tables[f"public.{long_table}"]
    assert t.primary_key.name == "t" * 58 + "_pkey"
    assert t.uniques[0].name == "t" * 53 + "_email_key"


def test_an_extension_type_with_or_without_its_schema_is_one_column_type() -> None:
    head = "extension: citext\nschema: extensions\n---\ntable: t\ncolumns:\n"
    bare = schema_of(head + "  - {name: e, type: citext, default: \"'x'::citext\"}\n")
    named = schema_of(head + "  - {name: e, type: extensions.citext, default: \"'x'::extensions.citext\"}\n")
    assert bare.extensions["citext"].schema == "extensions"
    assert bare.tables["public.t"].columns[0].type == named.tables["public.t"].columns[0].type == "citext"
    assert diff(bare, named) == []
    assert schema_of("extension: citext\n").extensions["citext"].schema == "public"
