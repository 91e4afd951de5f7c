"""One small before/after pair of definitions per kind of change, shared by snapshot and database tests."""
from __future__ import annotations

import textwrap

from tests.partition_cases import LOGS, PARTITION_CASES
from tests.seqdom_cases import SEQUENCE_AND_DOMAIN_CASES


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


T = """
table: t
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: name, type: text}
"""

OTHER = d("""
    ---
    table: other
    columns:
      - {name: a, type: bigint}
      - {name: b, type: text}
    foreign_keys:
      - {columns: [a, b], references: {table: t, columns: [id, name]}}
    checks:
      - {name: a_positive, expression: "a > 0"}
    """)

COMMENTED = d("""
    enum: mood
    comment: Moods.
    values: [happy, sad]
    ---
    table: t
    columns:
      - {name: id, type: bigint}
      - {name: name, type: text}
      - {name: mood, type: mood}
      - {name: parent, type: bigint}
    primary_key: {columns: [id], comment: Keys.}
    unique:
      - {columns: [id, name], comment: Pairs.}
    checks:
      - {name: positive, expression: "id > 0", comment: Positive.}
    foreign_keys:
      - {columns: [parent], references: {table: t}, comment: To the parent.}
    """)

BOOKING = "  - {name: during, type: tsrange}\n  - {name: spot, type: circle}\n  - {name: cancelled, type: boolean}\n"

EXTENSION_TABLE = d("""
    extension: citext
    EXT
    ---
    table: people
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: email, type: extensions.citext, nullable: false, default: "'x'::citext"}
      - {name: aliases, type: "citext[]"}
    checks:
      - {name: not_admin, expression: "email <> CAST('admin' AS citext)"}
    indexes:
      - {columns: [email], where: "email <> 'root'::citext"}
    """)

MOVED = EXTENSION_TABLE.split("checks:")[0]

# the online forms (plan/online.py), asked for in the definitions; proven on rows in tests/db/test_online.py
PARENT = d("""
    ---
    table: parent
    columns:
      - {name: id, type: bigint, primary_key: true}
    """)
ONLINE_CASES: dict[str, tuple[str, str]] = {
    # built after the transaction, its comment a statement of its own; the rollback drops it concurrently
    "index_built_concurrently": (T, T + "indexes:\n  - {columns: [name], unique: true, concurrently: true, "
                                        "comment: One each.}\n"),
    # the old index goes inside the transaction (its name is taken again), the new one is built after
    "index_rebuilt_concurrently": (T + "indexes:\n  - {name: t_name_idx, columns: [name], concurrently: true}\n",
                                   T + "indexes:\n  - {name: t_name_idx, columns: [name], where: \"name <> ''\", "
                                       "concurrently: true}\n"),
    # a new table is empty and unseen: its index is built plainly, in the transaction
    "index_concurrently_on_a_new_table": (T, T + d("""
        ---
        table: u
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: name, type: text}
        indexes:
          - {columns: [name], concurrently: true}
        """)),
    "foreign_key_validated_apart": (
        T + "  - {name: parent_id, type: bigint}\n" + PARENT,
        T + "  - {name: parent_id, type: bigint, references: parent.id, online: true}\n" + PARENT),
    "check_validated_apart": (T, T + "checks:\n  - {name: name_short, expression: \"length(name) < 40\", "
                                     "online: true}\n"),
    "not_null_through_a_check": (T, T.replace("{name: name, type: text}",
                                              "{name: name, type: text, nullable: false, online: true}")),
}

# views and materialized views (tests/db/test_views.py proves them on rows and through introspection)
V = T + d("""
    ---
    view: named
    query: select id, name from t
    """)
VIEWS = T + d("""
    ---
    view: named
    comment: Rows with a name.
    with: {security_barrier: true, check_option: local}
    columns:
      - {name: id, comment: The key.}
      - {name: label}
    query: |
      SELECT id, name   -- the name, as is
      FROM t WHERE name IS NOT NULL
    ---
    view: named_upper
    schema: reports
    query: select id, upper(label) as shout from named
    ---
    materialized_view: counts
    comment: Names counted.
    with: {fillfactor: 70}
    with_data: false
    query: select name, count(*) as n from t group by name
    indexes:
      - {columns: [name], unique: true, comment: One row per name.}
    """)
CHAIN = (T + "  - {name: n, type: integer}\n" + d("""
    ---
    view: v1
    query: select id, n from t
    ---
    view: v2
    query: select id, n + 1 as m from v1
    ---
    materialized_view: mv
    query: select n, count(*) as c from v1 group by n
    indexes:
      - {columns: [n]}
    ---
    view: other
    query: select id, name from t
    """))
MATERIALIZED = T + d("""
    ---
    materialized_view: mv
    with: {fillfactor: 70}
    query: select id, name from t
    """)
VIEW_CASES: dict[str, tuple[str, str]] = {
    "views_created": (T, VIEWS),
    "view_column_appended": (V, V.replace("select id, name from t", "select id, name, length(name) as size from t")),
    "view_renamed": (V, V.replace("view: named", "view: labelled\nrenamed_from: named")),
    "view_options_changed": (V.replace("query:", "with: {security_barrier: true}\nquery:"),
                             V.replace("query:", "with: {check_option: cascaded, security_invoker: true}\nquery:")),
    "view_comments_changed": (V, V.replace("query:", "comment: Named.\ncolumns: [{name: id, comment: Key.}, "
                                                     "{name: name}]\nquery:")),
    "view_chain_over_a_column_type_change": (CHAIN, CHAIN.replace("{name: n, type: integer}", "{name: n, type: bigint}")),
    "view_column_renamed_with_its_table": (
        V, V.replace("{name: name, type: text}", "{name: title, type: text, renamed_from: name}")
        .replace("select id, name from t", "select id, title from t")),
    "view_becomes_materialized": (V, V.replace("view: named", "materialized_view: named")),
    # a table made partitioned is built again: the view on it is dropped first and created after
    "view_over_a_table_made_partitioned": (LOGS.split("partition_by")[0] + "---\nview: recent\nquery: select id, at from logs\n",
                                           LOGS + "---\nview: recent\nquery: select id, at from logs\n"),
    # PostgreSQL follows renames of what a view reads: nothing to do but the renames
    "table_and_view_renamed_under_views": (
        V + "---\nview: on_named\nquery: select id from named\n",
        V.replace("table: t", "table: u\nrenamed_from: t").replace("from t", "from u")
        .replace("view: named", "view: labelled\nrenamed_from: named")
        + "---\nview: on_named\nquery: select id from labelled\n"),
    "materialized_view_emptied": (MATERIALIZED, MATERIALIZED.replace("query:", "with_data: false\nquery:")),
    "materialized_view_renamed": (MATERIALIZED, MATERIALIZED.replace("materialized_view: mv",
                                                                     "materialized_view: mv2\nrenamed_from: mv")),
    "materialized_view_options_and_index": (
        MATERIALIZED, MATERIALIZED.replace("fillfactor: 70", "fillfactor: 80, autovacuum_enabled: false")
        + "indexes:\n  - {columns: [id], unique: true}\n"),
}

# row-level security, policies, grants and declared schemas (tests/db/test_security.py proves the
# clauses that need roles of their own)
OWNED = T + "  - {name: owner, type: text}\n"
POLICIES = OWNED + d("""
    rls: {enabled: true}
    policies:
      - {name: reads, command: select, using: "owner = current_user", comment: Own rows.}
      - {name: adds, command: insert, roles: [PUBLIC], with_check: "owner = current_user"}
      - {name: edits, command: update, roles: [pg_monitor], using: "owner = current_user", with_check: "name <> ''"}
      - {name: removes, command: delete, using: "id > 0"}
      - {name: fence, using: "name IS NOT NULL", permissive: false}
    """)
GRANTED = T + d("""
    grants:
      - {role: PUBLIC, privileges: [select, insert]}
      - {role: PUBLIC, privileges: [update, references], columns: [name]}
    """)
PUBLIC_DOC = d("""
    schema: public
    comment: The app's own.
    grants:
      - {role: PUBLIC, privileges: [usage, create]}
    ---
    """)
GRANTED_VIEWS = T + d("""
    ---
    view: v
    query: SELECT id, name FROM t
    grants:
      - {role: PUBLIC, privileges: [select], columns: [id, name]}
    ---
    materialized_view: mv
    query: SELECT count(*) AS n FROM t
    grants:
      - {role: PUBLIC, privileges: [select]}
    """)
SEQUENCE_DOC = "sequence: tickets\n"
ROUTINES_DOC = d("""
    function: one
    returns: integer
    language: sql
    body: SELECT 1
    ---
    procedure: nap
    language: sql
    body: SELECT 2
    """)
SCHEMA_DOC = d("""
    schema: analytics
    comment: Reports.
    grants:
      - {role: PUBLIC, privileges: [usage]}
    ---
    schema: empty_one
    ---
    """) + T.replace("table: t\n", "table: t\nschema: analytics\n")
MEMBERS = OWNED + d("""
    ---
    table: members
    columns:
      - {name: t_id, type: bigint}
      - {name: member, type: text}
    """)
SUBQUERY = MEMBERS.replace("---\n", d("""
    policies:
      - name: members_only
        using: "EXISTS (SELECT 1 FROM members m WHERE m.t_id = id AND m.member = current_user)"
    ---
    """), 1)
VIA_VIEW = MEMBERS + d("""
    ---
    view: my_tenants
    query: SELECT t_id FROM members WHERE member = current_user
    ---
    table: docs
    rls: {enabled: true}
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: t_id, type: bigint}
    policies:
      - {name: via_view, using: "t_id IN (SELECT t_id FROM my_tenants)"}
    """)
SECURITY_CASES: dict[str, tuple[str, str]] = {
    "row_security_enabled_and_forced": (T, T + "rls: {enabled: true, forced: true}\n"),
    "row_security_forced_only": (T + "rls: {enabled: true}\n", T + "rls: {enabled: true, forced: true}\n"),
    "policies_for_each_command": (OWNED, POLICIES),
    "policy_altered_in_place": (POLICIES, POLICIES.replace('using: "id > 0"', 'roles: [pg_monitor], using: "id > 1"')
                                .replace("comment: Own rows.", "comment: Rows of their own.")),
    "policy_rebuilt_for_another_command_or_kind": (POLICIES, POLICIES.replace("command: delete", "command: all")
                                                   .replace(", permissive: false}", "}")),
    "policy_loses_its_with_check": (POLICIES, POLICIES.replace(', with_check: "name <> \'\'"', "")),
    "policy_renamed": (POLICIES, POLICIES.replace("{name: removes,", "{name: deletes, renamed_from: removes,")),
    "policy_follows_column_rename": (POLICIES, POLICIES.replace("{name: owner, type: text}",
                                                                "{name: owned_by, type: text, renamed_from: owner}")
                                     .replace("owner = current_user", "owned_by = current_user")),
    "policy_over_retyped_and_dropped_columns": (
        POLICIES, POLICIES.replace("{name: owner, type: text}", "{name: owner, type: varchar(60)}")
        .replace("  - {name: fence, using: \"name IS NOT NULL\", permissive: false}\n", "")
        .replace("  - {name: name, type: text}\n", "").replace(', with_check: "name <> \'\'"', "")),
    "policy_with_a_subquery": (MEMBERS, SUBQUERY),
    "policy_with_a_subquery_changed": (SUBQUERY, SUBQUERY.replace("m.member = current_user",
                                                                  "m.member = session_user")),
    "policies_and_grants_follow_a_table_rename": (
        POLICIES + "grants:\n  - {role: PUBLIC, privileges: [select]}\n",
        POLICIES.replace("table: t\n", "table: u\nrenamed_from: t\n")
        + "grants:\n  - {role: PUBLIC, privileges: [select, insert]}\n"),
    "policy_over_a_column_of_a_recreated_enum": (
        "enum: mood\nvalues: [happy, meh, sad]\n---\n" + T + "  - {name: mood, type: mood}\n"
        + "policies:\n  - {name: cheerful, using: \"mood <> 'sad'\"}\n",
        "enum: mood\nvalues: [happy, sad]\n---\n" + T + "  - {name: mood, type: mood}\n"
        + "policies:\n  - {name: cheerful, using: \"mood <> 'sad'\"}\n"),
    "grants_to_public": (T, GRANTED),
    "grants_changed": (GRANTED, GRANTED.replace("[select, insert]}", "[all]}").replace("[update, references]", "[update]")),
    "table_grant_revoked_column_grant_kept": (
        T + "grants:\n  - {role: PUBLIC, privileges: [select]}\n  - {role: PUBLIC, privileges: [select], columns: [name]}\n",
        T + "grants:\n  - {role: PUBLIC, privileges: [select], columns: [name]}\n"),
    "column_grant_follows_rename_and_drop": (
        T + "  - {name: note, type: text}\ngrants:\n  - {role: PUBLIC, privileges: [select], columns: [name, note]}\n",
        T.replace("{name: name, type: text}", "{name: title, type: text, renamed_from: name}")
        + "grants:\n  - {role: PUBLIC, privileges: [select], columns: [title]}\n"),
    "schema_documents": ("", SCHEMA_DOC),
    "schema_comment_and_grants_changed": (SCHEMA_DOC, SCHEMA_DOC.replace("comment: Reports.\n", "")
                                          .replace("[usage]", "[usage, create]")),
    # a rollback gives public back PostgreSQL's comment and grants (plan/diff_security.rollback_target)
    "schema_public_declared": (T, PUBLIC_DOC + T),
    "grants_on_views_created": (T, GRANTED_VIEWS),
    "grants_on_views_changed": (GRANTED_VIEWS, GRANTED_VIEWS.replace("[select], columns: [id, name]", "[select]")
                                .replace("privileges: [select]}\n", "privileges: [select, references]}\n", 2)),
    "grants_follow_a_view_made_again": (
        GRANTED_VIEWS, GRANTED_VIEWS.replace("{name: name, type: text}", "{name: name, type: varchar(40)}")),
    "grants_on_a_sequence": (SEQUENCE_DOC, SEQUENCE_DOC + "grants:\n  - {role: PUBLIC, privileges: [usage, select]}\n"),
    "grants_on_a_sequence_changed": (SEQUENCE_DOC + "grants:\n  - {role: PUBLIC, privileges: [all]}\n",
                                     SEQUENCE_DOC + "grants:\n  - {role: PUBLIC, privileges: [select]}\n"),
    "grants_on_routines_declared": (ROUTINES_DOC, ROUTINES_DOC.replace("body: SELECT 1\n", "body: SELECT 1\ngrants: []\n")
                                    .replace("body: SELECT 2\n", "body: SELECT 2\ngrants:\n"
                                             "  - {role: PUBLIC, privileges: [execute]}\n")),
    "grants_follow_a_function_made_again": (
        ROUTINES_DOC.replace("body: SELECT 1\n", "body: SELECT 1\ngrants: []\n"),
        ROUTINES_DOC.replace("returns: integer", "returns: bigint").replace("body: SELECT 1\n",
                                                                            "body: SELECT 1\ngrants: []\n")),
    "policy_with_a_subquery_over_a_retyped_column_of_another_table": (
        SUBQUERY, SUBQUERY.replace("{name: member, type: text}", "{name: member, type: varchar(60)}")),
    # the view is dropped and created again around the new type of a column it reads: the policy reading
    # the view is dropped before it and made again after
    "policy_reading_a_view_made_again": (
        VIA_VIEW, VIA_VIEW.replace("{name: member, type: text}", "{name: member, type: varchar(60)}")),
}

CASES: dict[str, tuple[str, str]] = {
    "create_table_with_everything": ("", """
        extension: pgcrypto
        ---
        enum: mood
        values: [happy, sad]
        ---
        table: parent
        columns:
          - {name: id, type: uuid, primary_key: true, default: gen_random_uuid()}
        ---
        table: child
        comment: Every feature at once.
        columns:
          - {name: id, type: bigint, identity: always, primary_key: true}
          - {name: parent_id, type: uuid, nullable: false, references: parent.id, on_delete: cascade, on_update: restrict}
          - {name: email, type: varchar(255), nullable: false, unique: true, comment: Where we write.}
          - {name: mood, type: mood, nullable: false, default: "'happy'"}
          - {name: tags, type: "text[]", nullable: false, default: "'{}'"}
          - {name: price, type: "numeric(12,2)", check: "price >= 0"}
          - {name: cents, type: bigint, generated: "(price * 100)::bigint"}
          - {name: created_at, type: timestamptz, nullable: false, default: now()}
        unique:
          - {name: child_parent_email_key, columns: [parent_id, email]}
        indexes:
          - columns: [parent_id, created_at]
          - {expression: lower(email), unique: true, where: "mood <> 'sad'"}
          - {columns: [tags], using: gin}
        checks:
          - {name: child_email_has_at, expression: "position('@' in email) > 1"}
        """),
    "schema_and_reserved_words": (T, T + d("""
        ---
        table: user
        schema: Sales Team
        columns:
          - {name: order, type: integer, primary_key: true}
          - {name: select, type: text, unique: true}
          - {name: "Mixed \\"Quote\\"", type: boolean, default: false}
        """)),
    "add_and_drop_column": (T, T + "  - {name: score, type: integer, nullable: false, default: 0}\n"),
    "rename_column_with_unique": (T.replace("type: text}", "type: text, unique: true}"),
                                  T.replace("{name: name, type: text}",
                                            "{name: title, renamed_from: name, type: text, unique: true}")),
    "rename_table_with_identity": (T.replace("primary_key: true", "primary_key: true, identity: by default"),
                                   T.replace("table: t", "table: things\nrenamed_from: t")
                                   .replace("primary_key: true", "primary_key: true, identity: by default")),
    "serial_follows_rename": (T + "  - {name: n, type: serial}\n",
                              T.replace("table: t", "table: u\nrenamed_from: t") + "  - {name: n, type: serial}\n"),
    "widen_type": (T.replace("type: text", "type: varchar(50)"), T.replace("type: text", "type: varchar(100)")),
    "text_to_integer_using": (T, T.replace("type: text", "type: integer")),
    "nullability": (T, T.replace("type: text}", "type: text, nullable: false}")),
    "defaults": (T, T.replace("type: text}", "type: text, default: \"'x'\"}")),
    "identity_added": (T, T.replace("primary_key: true", "primary_key: true, identity: always")),
    "identity_kind_changed": (T.replace("primary_key: true", "primary_key: true, identity: always"),
                              T.replace("primary_key: true", "primary_key: true, identity: by default")),
    "generation_dropped": (T + "  - {name: upper_name, type: text, generated: upper(name)}\n",
                           T + "  - {name: upper_name, type: text}\n"),
    "comments": (T, T.replace("table: t\n", "table: t\ncomment: It's a table.\n")
                 .replace("type: text}", "type: text, comment: The name.}")),
    "primary_key_added": (T.replace(", primary_key: true", ""), T),
    "unique_and_check_added": (T, T + d("""
        unique:
          - [id, name]
        checks:
          - {expression: "length(name) > 2"}
        """)),
    "check_changed": (T + "checks:\n  - {name: t_name_len, expression: \"length(name) > 2\"}\n",
                      T + "checks:\n  - {name: t_name_len, expression: \"length(name) > 3\"}\n"),
    "foreign_key_cycle": (T, T + "  - {name: other_id, type: bigint, references: other.id}\n" + d("""
        ---
        table: other
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: t_id, type: bigint, references: t.id, on_delete: set null}
          - {name: parent_id, type: bigint, references: other.id}
        """)),
    "indexes": (T + "indexes:\n  - columns: [name]\n", T + d("""
        indexes:
          - {columns: [name], where: "name <> ''"}
          - {columns: [id], using: brin}
          - {expression: "upper(name)", using: hash}
        """)),
    "index_follows_column_rename": (T + "indexes:\n  - columns: [name]\n",
                                    T.replace("{name: name, type: text}", "{name: label, renamed_from: name, type: text}")
                                    + "indexes:\n  - columns: [label]\n"),
    "enum_created_and_used": (T, "enum: mood\nvalues: [happy, sad]\n---\n" + T + "  - {name: mood, type: mood}\n"),
    "enum_value_added_and_used": ("enum: mood\nvalues: [happy, sad]\n---\n" + T + "  - {name: mood, type: mood}\n",
                                  "enum: mood\nvalues: [calm, happy, ok, sad]\n---\n" + T
                                  + "  - {name: mood, type: mood, default: \"'ok'\"}\n"),
    "enum_value_removed": ("enum: mood\nvalues: [happy, meh, sad]\n---\n" + T
                           + "  - {name: mood, type: mood, nullable: false, default: \"'happy'\"}\n"
                           + "indexes:\n  - {columns: [id], where: \"mood = 'sad'\"}\n",
                           "enum: mood\nvalues: [sad, happy]\n---\n" + T
                           + "  - {name: mood, type: mood, nullable: false, default: \"'happy'\"}\n"
                           + "indexes:\n  - {columns: [id], where: \"mood = 'sad'\"}\n"),
    "check_follows_column_rename": (
        T + "  - {name: full, type: text, generated: \"name || '!'\"}\n"
        + "checks:\n  - {name: t_name_len, expression: \"length(name) > 2\"}\nindexes:\n  - {expression: lower(name)}\n",
        T.replace("{name: name, type: text}", "{name: label, renamed_from: name, type: text}")
        + "  - {name: full, type: text, generated: \"label || '!'\"}\n"
        + "checks:\n  - {name: t_name_len, expression: \"length(label) > 2\"}\nindexes:\n  - {expression: lower(label)}\n"),
    "widen_key_with_references": (
        T.replace("type: bigint", "type: integer") + d("""
        ---
        table: other
        columns:
          - {name: id, type: integer, primary_key: true}
          - {name: t_id, type: integer, references: t.id}
        """),
        T + d("""
        ---
        table: other
        columns:
          - {name: id, type: integer, primary_key: true}
          - {name: t_id, type: bigint, references: t.id}
        """)),
    "generated_expression_changed": (T + "  - {name: shout, type: text, generated: upper(name)}\n",
                                     T + "  - {name: shout, type: text, generated: lower(name)}\n"),
    "rename_referenced_table": (
        T + d("""
        ---
        table: other
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: t_id, type: bigint, references: t.id}
        """),
        T.replace("table: t\n", "table: u\nrenamed_from: t\n") + d("""
        ---
        table: other
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: t_id, type: bigint, references: u.id}
        """)),
    "serial_to_integer": (T + "  - {name: n, type: serial}\n", T + "  - {name: n, type: integer, nullable: false}\n"),
    "integer_to_bigserial": (T + "  - {name: n, type: integer, default: 0}\n", T + "  - {name: n, type: bigserial}\n"),
    "retype_key_and_reference": (
        "table: t\ncolumns:\n  - {name: id, type: text, primary_key: true}\n" + d("""
        ---
        table: other
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: t_id, type: text, references: t.id}
        """),
        "table: t\ncolumns:\n  - {name: id, type: integer, primary_key: true}\n" + d("""
        ---
        table: other
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: t_id, type: integer, references: t.id}
        """)),
    "default_kept_across_type_change": (T.replace("type: text}", "type: varchar(40), default: \"'x'\"}"),
                                        T.replace("type: text}", "type: text, default: \"'x'\"}")),
    "check_over_retyped_column": (T + "  - {name: n, type: integer, check: \"n >= 0\"}\n",
                                  T + "  - {name: n, type: \"numeric(10,2)\", check: \"n >= 0\"}\n"),
    "rename_table_and_retype_self_reference": (
        T.replace("type: bigint", "type: integer") + "  - {name: parent, type: integer, references: t.id}\n",
        T.replace("table: t\n", "table: u\nrenamed_from: t\n") + "  - {name: parent, type: bigint, references: u.id}\n"),
    "column_moves_to_another_enum": (
        "enum: status\nvalues: [a, b]\n---\n" + T + "  - {name: s, type: status, default: \"'a'\"}\n",
        "enum: state\nvalues: [a, b]\n---\n" + T + "  - {name: s, type: state, default: \"'a'\"}\n"),
    "text_to_enum_with_a_new_value": (
        "enum: st\nvalues: [a, b]\n---\n" + T + "  - {name: s, type: st}\n  - {name: t, type: text}\n",
        "enum: st\nvalues: [a, b, c]\n---\n" + T + "  - {name: s, type: st}\n  - {name: t, type: st}\n"),
    "generated_column_with_constraints_rebuilt": (
        T + "  - {name: total, type: text, generated: upper(name), check: \"total <> ''\", unique: true}\n"
        + "indexes:\n  - columns: [total]\n  - {expression: lower(total)}\n",
        T + "  - {name: total, type: text, generated: lower(name), check: \"total <> ''\", unique: true}\n"
        + "indexes:\n  - columns: [total]\n  - {expression: lower(total)}\n"),
    "column_rename_chain": (T + "  - {name: note, type: text}\n",
                            T.replace("{name: name, type: text}", "{name: note, renamed_from: name, type: text}")
                            + "  - {name: memo, renamed_from: note, type: text}\n"),
    "column_swap": (T + "  - {name: note, type: integer}\n",
                    T.replace("{name: name, type: text}", "{name: note, renamed_from: name, type: text}")
                    + "  - {name: name, renamed_from: note, type: integer}\n"),
    "table_renamed_and_its_name_reused": (
        T, T.replace("table: t\n", "table: archived_t\nrenamed_from: t\n") + "---\n" + T),
    "table_rename_chain": (
        d("""
        table: a
        columns:
          - {name: id, type: serial, primary_key: true}
          - {name: x, type: text, unique: true}
        indexes:
          - columns: [x]
        ---
        table: b
        columns:
          - {name: id, type: serial, primary_key: true}
          - {name: a_id, type: integer, references: a.id}
        """),
        d("""
        table: b
        renamed_from: a
        columns:
          - {name: id, type: serial, primary_key: true}
          - {name: x, type: text, unique: true}
        indexes:
          - columns: [x]
        ---
        table: c
        renamed_from: b
        columns:
          - {name: id, type: serial, primary_key: true}
          - {name: a_id, type: integer, references: b.id}
        """)),
    "table_swap": (
        d("""
        table: a
        columns:
          - {name: id, type: serial, primary_key: true}
          - {name: b_id, type: integer, references: b.id}
        ---
        table: b
        columns:
          - {name: id, type: serial, primary_key: true}
        """),
        d("""
        table: b
        renamed_from: a
        columns:
          - {name: id, type: serial, primary_key: true}
          - {name: b_id, type: integer, references: a.id}
        ---
        table: a
        renamed_from: b
        columns:
          - {name: id, type: serial, primary_key: true}
        """)),
    "serial_to_identity": (T + "  - {name: n, type: serial}\n",
                           T + "  - {name: n, type: bigint, identity: always}\n"),
    "serial_to_bigserial": (T + "  - {name: n, type: serial}\n", T + "  - {name: n, type: bigserial}\n"),
    "generated_column_over_retyped_column": (
        T + "  - {name: n, type: integer}\n  - {name: g, type: bigint, generated: n * 2, unique: true}\n",
        T + "  - {name: n, type: bigint}\n  - {name: g, type: bigint, generated: n * 2, unique: true}\n"),
    "column_chain_and_name_reused": (  # the rollback gives n back to the column renamed from it
        T + "  - {name: n, type: integer}\n  - {name: m, type: integer}\n",
        T + "  - {name: m, renamed_from: n, type: integer}\n  - {name: k, renamed_from: m, type: integer}\n"
        "  - {name: n, type: timestamptz}\n"),
    "column_renamed_onto_a_dropped_name": (  # id takes the name of ID, which goes
        T.replace("{name: id, type: bigint, primary_key: true}", "{name: id, type: uuid, primary_key: true}")
        + "  - {name: ID, type: integer}\n",
        T.replace("{name: id, type: bigint, primary_key: true}",
                  "{name: ID, renamed_from: id, type: uuid, primary_key: true}")),
    "index_options": (
        T + "  - {name: created_at, type: timestamptz}\nindexes:\n  - columns: [created_at, name]\n",
        T + "  - {name: created_at, type: timestamptz}\n" + d("""
        unique:
          - {columns: [name], nulls_not_distinct: true}
        indexes:
          - columns: [{column: created_at, order: desc, nulls: last}, {column: name, opclass: text_pattern_ops}]
            include: [id]
            with: {fillfactor: 70, deduplicate_items: false}
          - {columns: [name, created_at], unique: true, nulls_not_distinct: true}
          - {expression: [{expression: lower(name), opclass: text_pattern_ops}, {column: id, nulls: first}]}
        """)),
    "index_storage_and_comment_changed": (
        T + "indexes:\n  - {columns: [name], with: {fillfactor: 70, deduplicate_items: false}}\n",
        T + "indexes:\n  - {columns: [name], with: {fillfactor: 80}, comment: By name.}\n"),
    "foreign_key_options": (
        T + "  - {name: parent, type: bigint, references: t.id}\nunique:\n  - [id, name]\n" + OTHER,
        T + "  - {name: parent, type: bigint, references: t.id, deferrable: true}\nunique:\n  - [id, name]\n"
        + OTHER.replace("name]}}", "name]}, match: full, initially_deferred: true}")
        .replace('"a > 0"}', '"a > 0", no_inherit: true}')),
    "foreign_key_deferred": (
        T + "  - {name: parent, type: bigint, references: t.id, initially_deferred: true}\n",
        T + "  - {name: parent, type: bigint, references: t.id, deferrable: true}\n"),
    "comments_on_constraints_and_enums": ("", COMMENTED),
    "comments_on_constraints_and_enums_changed": (
        COMMENTED, COMMENTED.replace("Keys.", "The key.").replace("Positive.", "").replace("Pairs.", "Unique pairs.")
        .replace("Moods.", "How one feels.").replace("To the parent.", "Up.")),
    "collation": (T, T.replace("type: text}", "type: text, collation: C}")
                  + "  - {name: code, type: varchar(10), collation: POSIX}\n"),
    "collation_kept_across_type_change": (T.replace("type: text}", "type: varchar(50), collation: C}"),
                                          T.replace("type: text}", "type: text, collation: C}")),
    "sequence_options": (
        T + "  - {name: n, type: serial}\n  - {name: m, type: integer}\n  - {name: k, type: integer, identity: always}\n",
        T.replace("primary_key: true}", "primary_key: true, identity: {kind: by default, start: 100, increment: 10}}")
        + "  - {name: n, type: serial, sequence: {start: 5, max: 1000, cycle: true}}\n"
        + "  - {name: m, type: bigserial, sequence: {cache: 20}}\n"
        + "  - {name: k, type: integer, identity: {kind: always, min: -5, cache: 3}}\n"
        + "  - {name: z, type: smallserial, sequence: {start: 7}}\n"),
    "sequence_options_created": ("", T.replace("primary_key: true}", "primary_key: true, identity: {kind: always, start: 10}}")
                                 + "  - {name: n, type: serial, sequence: {start: 5, increment: 5}}\n"),
    "exclusions": (
        T + BOOKING,
        T + BOOKING + d("""
        exclusions:
          - elements: [{column: spot, with: "&&"}, {expression: "tsrange(lower(during), upper(during))", with: "&&"}]
            where: not cancelled
          - {name: one_at_a_time, elements: [{column: during, with: "&&"}], deferrable: true, comment: Never two.}
        """)),
    "table_without_columns": ("", "table: nothing\ncomment: Only its name.\ncolumns: []\n"),
    "last_column_dropped": ("table: t\ncolumns:\n  - {name: a, type: integer}\n", "table: t\ncolumns: []\n"),
    "one_name_in_several_namespaces": ("", d("""
        enum: state
        values: [a, b]
        ---
        table: t
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: state, type: state}
        indexes:
          - {name: state, columns: [state]}
        checks:
          - {name: positive, expression: "id > 0"}
          - {name: t_pkey_idx, expression: "id < 1000"}
        ---
        table: u
        columns:
          - {name: id, type: bigint}
        checks:
          - {name: positive, expression: "id > 0"}
          - {name: state, expression: "id <> 7"}
        """)),
    "unique_repeating_the_primary_key": ("", d("""
        table: t
        columns:
          - {name: id, type: bigint, primary_key: true, unique: true}
          - {name: a, type: int}
          - {name: b, type: int}
        unique:
          - {name: k1, columns: [a, b]}
          - {name: k2, columns: [a, b]}
          - {name: k3, columns: [b, a]}
          - {name: k4, columns: [a, b], nulls_not_distinct: true}
        """)),
    "unique_added_over_the_primary_key": (T, T.replace("primary_key: true}", "primary_key: true, unique: true}")),
    "sequence_bounds_moved_past_its_position": (
        T + "  - {name: n, type: smallint, identity: {kind: always, min: -5}}\n",
        T + "  - {name: n, type: smallint, identity: always}\n"),
    # an extension's types are named with its schema everywhere: column types, arrays, casts, USING
    "extension_in_its_own_schema": ("", EXTENSION_TABLE.replace("EXT", "schema: extensions")),
    # no operators of the extension here: those already bound keep their schema, a fresh build
    # outside the search_path would find text's
    "extension_moved_to_another_schema": (MOVED.replace("EXT", "schema: public").replace("extensions.", ""),
                                          MOVED.replace("EXT", "schema: extensions")),
    "column_type_changed_to_an_extension_type": (
        "extension: citext\nschema: extensions\n---\n" + T,
        "extension: citext\nschema: extensions\n---\n" + T.replace("name, type: text", "name, type: citext")),
    **ONLINE_CASES,
    **PARTITION_CASES,
    **VIEW_CASES,
    **SECURITY_CASES,
    **SEQUENCE_AND_DOMAIN_CASES,
    # not among FIDELITY_CASES: a hint on either side of a swap is followed, so a model that keeps
    # its hints differs from one read back without them
    "policy_names_swapped": (POLICIES, POLICIES.replace("{name: reads,", "{name: removes, renamed_from: reads,")
                             .replace("{name: removes, command: delete", "{name: reads, renamed_from: removes, "
                                                                        "command: delete")),
    # an extension with no types schemac knows: its schema is on the migration's search_path all the same
    "extension_functions_in_their_own_schema": (
        "", "extension: uuid-ossp\nschema: extensions\n---\n"
            + T.replace("name, type: text}", "name, type: text}\n  - {name: token, type: uuid, default: uuid_generate_v4()}")),
}

# the cases of properties added for full fidelity, also proven by introspection (tests/db/test_fidelity.py)
FIDELITY_CASES = ["index_options", "index_storage_and_comment_changed", "foreign_key_options", "foreign_key_deferred",
                  "comments_on_constraints_and_enums", "comments_on_constraints_and_enums_changed",
                  "collation", "collation_kept_across_type_change", "sequence_options", "sequence_options_created",
                  "sequence_bounds_moved_past_its_position",
                  "exclusions", "table_without_columns", "last_column_dropped",
                  "one_name_in_several_namespaces", "unique_repeating_the_primary_key",
                  "unique_added_over_the_primary_key", *SECURITY_CASES]


# -- functions, procedures and triggers (tests/db/test_routines.py proves them further)
STAMPED = d("""
    table: t
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: name, type: text}
      - {name: status, type: text}
      - {name: updated_at, type: timestamptz}
    ---
    function: touch
    returns: trigger
    language: plpgsql
    body: |
      BEGIN
        NEW.updated_at := now();
        RETURN NEW;
      END;
    ---
    function: audit
    returns: trigger
    language: plpgsql
    body: |
      BEGIN
        RAISE NOTICE '% on % (%)', TG_OP, TG_TABLE_NAME, TG_ARGV[0];
        RETURN NULL;
      END;
    """)
EVERY_FUNCTION_CLAUSE = d("""
    ---
    function: add
    comment: Two numbers, the second 1 unless given.
    arguments:
      - {name: a, type: integer}
      - {name: b, type: integer, default: 1}
    returns: integer
    language: sql
    volatility: immutable
    strict: true
    parallel: safe
    leakproof: true
    cost: 5
    body: SELECT a + b
    ---
    function: add
    arguments:
      - {name: a, type: numeric}
      - {name: b, type: numeric}
    returns: numeric
    language: sql
    volatility: immutable
    body: SELECT a + b
    ---
    function: names_of
    arguments: [{name: prefix, type: text, default: "''"}]
    returns: setof text
    language: sql
    volatility: stable
    rows: 50
    body: SELECT prefix || name FROM t
    ---
    function: pairs
    returns:
      - {name: id, type: bigint}
      - {name: name, type: text}
    language: sql
    volatility: stable
    parallel: restricted
    body: SELECT id, name FROM t
    ---
    function: split_name
    arguments:
      - {name: whole, type: text}
      - {name: first, type: text, mode: out}
      - {name: rest, type: text, mode: out}
    language: sql
    body: SELECT split_part(whole, ' ', 1), substr(whole, strpos(whole, ' ') + 1)
    ---
    function: total
    arguments:
      - {name: seed, type: integer, mode: inout}
      - {name: more, type: "integer[]", mode: variadic}
    language: plpgsql
    body: |
      BEGIN
        seed := seed + coalesce((SELECT sum(x) FROM unnest(more) AS x), 0);
      END;
    ---
    function: rename_all
    arguments: [{name: new_name, type: text}]
    returns: void
    language: plpgsql
    security: definer
    set: {search_path: "public, pg_temp", work_mem: 64MB}
    body: |
      BEGIN
        UPDATE t SET name = new_name;  -- 'quoted  text' stays as it is
      END;
    """)
PROCEDURE = d("""
    ---
    procedure: bump
    comment: Adds to a counter.
    arguments: [{name: n, type: integer, mode: inout}, {name: step, type: integer, default: 1}]
    language: plpgsql
    security: definer
    set: {search_path: public}
    body: BEGIN n := n + step; END
    """)
EVERY_TRIGGER_CLAUSE = d("""
    ---
    trigger: t_touch
    table: t
    timing: before
    events: [insert, {update_of: [name, status]}]
    for_each: row
    function: touch
    comment: Keeps updated_at current.
    ---
    trigger: t_named
    table: t
    timing: after
    events: [update]
    for_each: row
    when: OLD.name IS DISTINCT FROM NEW.name
    function: audit
    arguments: [renamed, "2"]
    ---
    trigger: t_gone
    table: t
    timing: before
    events: [delete]
    for_each: row
    when: OLD.status = 'locked'
    function: audit
    arguments: [deleting]
    enabled: replica
    ---
    trigger: t_truncated
    table: t
    timing: after
    events: [truncate]
    function: audit
    arguments: [truncated]
    enabled: always
    ---
    trigger: t_inserted
    table: t
    timing: after
    events: [insert]
    for_each: statement
    referencing: {new_table: added}
    function: audit
    arguments: [inserted]
    ---
    trigger: t_updated
    table: t
    timing: after
    events: [update]
    referencing: {old_table: before_rows, new_table: after_rows}
    function: audit
    arguments: [updated]
    enabled: disabled
    ---
    trigger: t_checked
    table: t
    timing: after
    events: [insert, update]
    for_each: row
    constraint: true
    deferrable: true
    initially_deferred: true
    function: audit
    arguments: [checked]
    ---
    trigger: t_suppressed
    table: t
    timing: before
    events: [update]
    for_each: row
    function: pg_catalog.suppress_redundant_updates_trigger
    """)
# two functions and two procedures of one signature each
PAIR = d("""
    ---
    function: first_of
    arguments: [{name: a, type: integer}, {name: b, type: integer}]
    returns: integer
    language: sql
    body: SELECT a
    ---
    function: second_of
    arguments: [{name: a, type: integer}, {name: b, type: integer}]
    returns: integer
    language: sql
    body: SELECT b
    ---
    procedure: nudge
    arguments: [{name: a, type: integer}]
    language: plpgsql
    body: BEGIN PERFORM a; END
    ---
    procedure: poke
    arguments: [{name: a, type: integer}]
    language: plpgsql
    body: BEGIN PERFORM a + 1; END
    """)
# functions over a table's row type, an enum and a domain
TYPED = d("""
    ---
    enum: mood
    values: [happy, meh, sad]
    ---
    domain: positive
    type: integer
    checks:
      - {name: above_zero, expression: "VALUE > 0"}
    ---
    table: items
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: mood, type: mood}
    ---
    function: items_in
    arguments: [{name: m, type: mood}, {name: n, type: positive}]
    returns: setof items
    language: sql
    volatility: stable
    body: SELECT * FROM items WHERE mood = m LIMIT n
    ---
    function: first_item
    arguments: [{name: i, type: items}]
    returns: mood
    language: sql
    body: SELECT i.mood
    """)
# views and a materialized view calling a function
CALLED = d("""
    ---
    function: shout
    arguments: [{name: s, type: text}]
    returns: text
    language: sql
    volatility: immutable
    body: SELECT upper(s)
    ---
    view: loud
    query: select id, shout(name) as name from t
    ---
    view: louder
    query: select id, name || '!' as name from loud
    ---
    materialized_view: loud_counts
    query: select shout(status) as status, count(*) as n from t group by 1
    comment: Statuses counted.
    indexes:
      - {columns: [status], unique: true}
    """)
ROUTINE_CASES: dict[str, tuple[str, str]] = {
    "functions_created": (STAMPED, STAMPED + EVERY_FUNCTION_CLAUSE),
    # a new body, volatility and setting: CREATE OR REPLACE; rows and cost too
    "function_replaced": (STAMPED + EVERY_FUNCTION_CLAUSE, STAMPED + EVERY_FUNCTION_CLAUSE
                          .replace("SELECT a + b\n---\nfunction: names_of", "SELECT a + b + 0\n---\nfunction: names_of")
                          .replace("rows: 50", "rows: 10")
                          .replace("work_mem: 64MB", "work_mem: 32MB")
                          .replace("volatility: stable\nparallel: restricted", "volatility: immutable")),
    # a new argument name, a default removed, another return type: PostgreSQL refuses OR REPLACE
    "function_recreated": (STAMPED + EVERY_FUNCTION_CLAUSE, STAMPED + EVERY_FUNCTION_CLAUSE
                           .replace("{name: b, type: integer, default: 1}", "{name: c, type: integer}")
                           .replace("SELECT a + b\n---\nfunction: add", "SELECT a + c\n---\nfunction: add")
                           .replace("returns: setof text", "returns: setof varchar")),
    "function_renamed_and_commented": (
        STAMPED + EVERY_FUNCTION_CLAUSE,
        STAMPED + EVERY_FUNCTION_CLAUSE.replace("function: pairs\n", "function: id_name_pairs\nrenamed_from: pairs\n"
                                                "comment: Each row's id and name.\n")
        .replace("Two numbers, the second 1 unless given.", "Sums.")),
    "procedure_created": (STAMPED, STAMPED + PROCEDURE),
    "procedure_replaced_renamed_and_commented": (
        STAMPED + PROCEDURE,
        STAMPED + PROCEDURE.replace("procedure: bump\n", "procedure: increase\nrenamed_from: bump\n")
        .replace("Adds to a counter.", "Adds.").replace("n := n + step", "n := n + step * 1")),
    "procedure_recreated": (STAMPED + PROCEDURE, STAMPED + PROCEDURE.replace("name: step", "name: by")),
    "triggers_created": (STAMPED, STAMPED + EVERY_TRIGGER_CLAUSE),
    "triggers_renamed_commented_and_enabled": (
        STAMPED + EVERY_TRIGGER_CLAUSE,
        STAMPED + EVERY_TRIGGER_CLAUSE.replace("trigger: t_touch\n", "trigger: t_stamp\nrenamed_from: t_touch\n")
        .replace("Keeps updated_at current.", "Stamps.").replace("enabled: replica", "enabled: disabled")
        .replace("arguments: [inserted]\n", "arguments: [inserted]\ncomment: Once per statement.\n")),
    # another WHEN, other arguments, another event: dropped and created again
    "triggers_changed": (
        STAMPED + EVERY_TRIGGER_CLAUSE,
        STAMPED + EVERY_TRIGGER_CLAUSE.replace("OLD.name IS DISTINCT FROM NEW.name", "OLD.name <> NEW.name")
        .replace("[renamed, \"2\"]", "[renamed, \"3\"]").replace("events: [delete]", "events: [delete, update]")),
    # PostgreSQL refuses to change the type of a column a trigger's UPDATE OF names
    "trigger_column_retyped": (STAMPED + EVERY_TRIGGER_CLAUSE,
                               STAMPED.replace("{name: status, type: text}", "{name: status, type: varchar(20)}")
                               + EVERY_TRIGGER_CLAUSE),
    # names swapped through a free name, functions and procedures alike
    "routines_swap_names": (STAMPED + PAIR, STAMPED + PAIR
                            .replace("function: first_of\n", "function: second_of\nrenamed_from: first_of\n", 1)
                            .replace("function: second_of\narg", "function: first_of\nrenamed_from: second_of\narg", 1)
                            .replace("procedure: nudge\n", "procedure: poke\nrenamed_from: nudge\n", 1)
                            .replace("procedure: poke\narg", "procedure: nudge\nrenamed_from: poke\narg", 1)),
    # the enum is renamed away, created anew and dropped: the functions over it go with the old one
    "functions_over_an_enum_losing_a_value": (STAMPED + TYPED,
                                              STAMPED + TYPED.replace("[happy, meh, sad]", "[happy, sad]")),
    # a function under views gets another argument type: they are dropped first, created after
    "views_around_a_function_recreated": (STAMPED + CALLED,
                                          STAMPED + CALLED.replace("{name: s, type: text}", "{name: s, type: varchar}")),
}
# triggers on views: INSTEAD OF rows, statement-level AFTER; a view dropped and created again
# (a column it reads changes type) gets its triggers back
STAMPED_VIEW = d("""
    ---
    view: stamped
    query: select id, name, status from t
    ---
    trigger: stamped_insert
    view: stamped
    timing: instead of
    events: [insert, update]
    for_each: row
    function: audit
    arguments: [through the view]
    ---
    trigger: stamped_updated
    view: stamped
    timing: after
    events: [update]
    function: audit
    arguments: [updated]
    comment: Once per statement through the view.
    """)
# a constraint trigger FROM the table it references
CHECKED_FROM = d("""
    ---
    table: owners
    columns:
      - {name: id, type: bigint, primary_key: true}
    ---
    trigger: t_owned
    table: t
    timing: after
    events: [insert]
    for_each: row
    constraint: true
    from: owners
    function: audit
    arguments: [owned]
    """)
# row triggers on a partitioned table (cloned to each partition); a table made partitioned keeps its trigger
LOGS_AUDIT = d("""
    ---
    trigger: logs_audit
    table: logs
    timing: after
    events: [insert]
    for_each: row
    function: audit
    arguments: [logged]
    """)
LOGGED = d("""
    ---
    function: audit
    returns: trigger
    language: plpgsql
    body: BEGIN RETURN NULL; END;
    """) + LOGS_AUDIT
TRIGGER_TARGET_CASES: dict[str, tuple[str, str]] = {
    "view_triggers_created": (STAMPED, STAMPED + STAMPED_VIEW),
    "view_triggers_follow_a_recreated_view": (
        STAMPED + STAMPED_VIEW,
        STAMPED.replace("{name: status, type: text}", "{name: status, type: varchar(20)}") + STAMPED_VIEW),
    # a view renamed keeps its triggers; one renamed too (on the view's old name: it moves after), one commented
    "view_and_its_trigger_renamed": (
        STAMPED + STAMPED_VIEW,
        STAMPED + STAMPED_VIEW.replace("view: stamped\nquery", "view: stamped_rows\nrenamed_from: stamped\nquery")
        .replace("view: stamped\n", "view: stamped_rows\n")
        .replace("trigger: stamped_insert\n", "trigger: stamped_write\nrenamed_from: stamped_insert\n")
        .replace("Once per statement through the view.", "Per statement.")),
    "constraint_trigger_from_a_table": (STAMPED, STAMPED + CHECKED_FROM),
    "trigger_kept_by_a_table_made_partitioned": (LOGS.split("partition_by")[0] + LOGGED, LOGS + LOGGED),
    "trigger_kept_by_a_table_re_keyed": (
        LOGS + LOGGED, LOGS.replace("columns: [at]}", "columns: [id, at]}").replace(
            "from: [2024-01-01], to: [2025-01-01]", "from: [0, 2024-01-01], to: [1000000, 2025-01-01]") + LOGGED),
}
ROUTINE_CASES.update(TRIGGER_TARGET_CASES)
CASES.update(ROUTINE_CASES)

# functions that tables and domains call (model/routine_uses.py): created before them, dropped after;
# one that needs another signature is moved aside while its callers are set again
CALLED_BY_TABLES = d("""
    function: twice
    arguments: [{name: x, type: integer}]
    returns: integer
    language: sql
    volatility: immutable
    body: SELECT x * 2
    ---
    function: next_code
    returns: text
    language: sql
    body: SELECT 'c' || count(*) FROM public.items
    ---
    domain: evens
    type: integer
    default: twice(1)
    checks:
      - {name: small, expression: twice(VALUE) < 1000}
    ---
    table: items
    columns:
      - {name: id, type: integer, primary_key: true}
      - {name: code, type: text, default: next_code()}
      - {name: n, type: evens, default: twice(2), check: twice(n) < 100}
    indexes:
      - {expression: twice(n)}
    """)
CALLED_FUNCTION_CASES: dict[str, tuple[str, str]] = {
    "called_functions_created": ("", CALLED_BY_TABLES),
    "called_function_signature_changed": (CALLED_BY_TABLES, CALLED_BY_TABLES.replace("{name: x, type: integer}", "{name: x, type: bigint}")
                                           .replace("returns: integer", "returns: bigint")),
}
# a called function over a domain: created after the domains, dropped before them
CALLED_FUNCTION_CASES["called_function_over_a_domain"] = ("", d("""
    domain: code
    type: text
    checks:
      - {name: short, expression: length(VALUE) < 10}
    ---
    function: first_code
    returns: code
    language: sql
    body: SELECT 'c1'::code
    ---
    table: tickets
    columns:
      - {name: id, type: integer, primary_key: true}
      - {name: code, type: code, default: first_code()}
    """))
CASES.update(CALLED_FUNCTION_CASES)

# functions over a domain renamed or moved: PostgreSQL holds their types by oid, so they follow it
# with no change of their own, nor the view calling one and the default calling another; a body
# that names the domain in its text does not follow, and is replaced
FOLLOWING = d("""
    enum: mood
    values: [happy, sad]
    ---
    domain: d
    type: integer
    ---
    function: f
    arguments: [{name: x, type: d}, {name: m, type: mood}]
    returns: integer
    language: sql
    body: SELECT x + 1
    ---
    function: g
    arguments: [{name: x, type: integer}]
    returns: d
    language: sql
    volatility: immutable
    body: SELECT x
    ---
    function: h
    arguments: [{name: x, type: "d[]"}]
    returns: integer
    language: sql
    body: SELECT x[1]::d
    ---
    table: t
    columns:
      - {name: a, type: d, default: "g(1)"}
      - {name: m, type: mood}
    ---
    view: v
    query: SELECT f(a, m) AS fa FROM t
    """)


def _domain_named(name: str, declared: str) -> str:
    return (FOLLOWING.replace("domain: d\n", declared).replace("type: d}", f"type: {name}}}")
            .replace("type: d,", f"type: {name},").replace("returns: d\n", f"returns: {name}\n")
            .replace('"d[]"', f'"{name}[]"').replace("::d\n", f"::{name}\n"))


TYPE_FOLLOWING_CASES: dict[str, tuple[str, str]] = {
    "functions_follow_a_domain_renamed": (FOLLOWING, _domain_named("d2", "domain: d2\nrenamed_from: d\n")),
    "functions_follow_a_domain_moved": (
        FOLLOWING, _domain_named("other.d", "domain: d\nschema: other\nrenamed_from: public.d\n")
        + "---\nschema: other\n"),
}
CASES.update(TYPE_FOLLOWING_CASES)
