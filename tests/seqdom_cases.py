"""Before/after definitions of standalone sequences and domains, one pair per change kind and clause
(shared by the snapshot tests and the database round trips through tests/change_cases.py)."""
from __future__ import annotations

import textwrap


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# every clause of CREATE SEQUENCE: AS, INCREMENT, MINVALUE, MAXVALUE, START, CACHE, CYCLE, OWNED BY; a comment
EVERY_SEQUENCE_CLAUSE = d("""
    sequence: countdown
    type: smallint
    increment: -3
    minvalue: -900
    maxvalue: 600
    start: 300
    cache: 20
    cycle: true
    unlogged: true
    comment: Counts down.
    ---
    sequence: tickets
    schema: box office
    type: integer
    minvalue: 10
    owned_by: seats.id
    ---
    table: seats
    schema: box office
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: ticket, type: integer, default: "nextval('\\"box office\\".tickets')"}
      - {name: code, type: smallint, default: "nextval('countdown')"}
    """)

ORDERS = d("""
    table: orders
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: number, type: bigint, default: "nextval('order_numbers')"}
      - {name: other, type: bigint}
    """)

SEQUENCE = "sequence: order_numbers\n"

# every clause of CREATE DOMAIN: AS (an enum, an array, a domain), COLLATE, DEFAULT, NOT NULL, CHECK; a comment
EVERY_DOMAIN_CLAUSE = d("""
    enum: mood
    values: [happy, sad]
    ---
    domain: feeling
    type: mood
    default: "'happy'"
    ---
    domain: feelings
    type: "mood[]"
    nullable: false
    ---
    domain: code
    schema: app
    type: varchar(8)
    collation: "C"
    checks:
      - {name: not_blank, expression: "VALUE <> ''"}
      - {name: short, expression: "length(VALUE) <= 6"}
    comment: A short code.
    ---
    domain: positive
    type: integer
    default: 1
    nullable: false
    checks:
      - {name: above_zero, expression: "VALUE > 0"}
    ---
    domain: percent
    type: positive
    checks:
      - expression: "VALUE <= 100"
    ---
    table: readings
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: share, type: percent}
      - {name: label, type: app.code}
      - {name: moods, type: feelings}
      - {name: mood, type: feeling}
    """)

POSITIVE = d("""
    domain: positive
    type: integer
    default: 1
    checks:
      - {name: above_zero, expression: "VALUE > 0"}
      - {name: below_limit, expression: "VALUE < 1000"}
    ---
    domain: percent
    type: positive
    checks:
      - {name: percent_check, expression: "VALUE <= 100"}
    ---
    table: readings
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: amount, type: positive}
      - {name: share, type: percent}
    """)

BELOW_LIMIT = '  - {name: below_limit, expression: "VALUE < 1000"}\n'

# a domain in every place a column type is: a key, a unique, an index (gin over an array), a default, a collation
DOMAIN_COLUMNS = d("""
    domain: posint
    type: integer
    checks: [{expression: "VALUE > 0"}]
    ---
    domain: tags
    type: "text[]"
    ---
    domain: label
    type: text
    ---
    table: tagged
    columns:
      - {name: id, type: posint, primary_key: true, default: 5}
      - {name: tags, type: tags, nullable: false, default: "'{}'"}
      - {name: name, type: label, unique: true, check: "name <> ''", collation: "C"}
    indexes:
      - {columns: [tags], using: gin}
      - {expression: "lower(name)"}
    """)

SEQUENCE_AND_DOMAIN_CASES: dict[str, tuple[str, str]] = {
    "sequence_with_every_clause": ("", EVERY_SEQUENCE_CLAUSE),
    "sequence_used_by_a_default": ("", SEQUENCE + "---\n" + ORDERS),
    "sequence_options_changed": (
        SEQUENCE + "type: integer\n",
        SEQUENCE + "type: bigint\nincrement: 5\nmaxvalue: 1000000\ncache: 10\ncycle: true\nstart: 7\nunlogged: true\n"),
    "sequence_renamed": (SEQUENCE + "---\n" + ORDERS,
                         "sequence: order_ids\nrenamed_from: order_numbers\n---\n"
                         + ORDERS.replace("order_numbers", "order_ids")),
    "sequence_owner_set_and_changed": (
        SEQUENCE + "owned_by: orders.other\n---\n" + ORDERS,
        SEQUENCE + "owned_by: orders.id\ncomment: Order numbers.\n---\n" + ORDERS),
    # the owning column goes, the sequence stays: OWNED BY NONE first, or DROP COLUMN would take it along
    "sequence_owner_column_dropped": (SEQUENCE + "owned_by: orders.other\n---\n" + ORDERS,
                                      SEQUENCE + "---\n" + ORDERS.replace("  - {name: other, type: bigint}\n", "")),
    "sequence_owner_removed": (SEQUENCE + "owned_by: orders.other\n---\n" + ORDERS, SEQUENCE + "---\n" + ORDERS),
    "domain_with_every_clause": ("", EVERY_DOMAIN_CLAUSE),
    "domains_as_keys_indexes_and_defaults": ("", DOMAIN_COLUMNS),
    "domain_changed_in_place": (
        POSITIVE,
        POSITIVE.replace("default: 1\n", "default: 2\nnullable: false\ncomment: Above zero.\n")
                .replace("VALUE > 0", "VALUE >= 1").replace(BELOW_LIMIT, "")
                .replace("VALUE <= 100", "VALUE <= 99")),
    # NOT VALID in the migration, VALIDATE in its follow-up transaction
    "domain_check_added_online": (POSITIVE.replace(BELOW_LIMIT, ""),
                                  POSITIVE.replace(BELOW_LIMIT, BELOW_LIMIT.replace('"}', '", online: true}'))),
    "domain_check_renamed": (POSITIVE, POSITIVE.replace("{name: above_zero,", "{name: over_zero, renamed_from: above_zero,")),
    "domain_over_an_enum_losing_a_value": (
        "enum: mood\nvalues: [happy, sad, meh]\n---\ndomain: feeling\ntype: mood\n---\n"
        "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n  - {name: f, type: feeling}\n"
        "  - {name: m, type: mood}\n",
        "enum: mood\nvalues: [happy, sad]\n---\ndomain: feeling\ntype: mood\n---\n"
        "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n  - {name: f, type: feeling}\n"
        "  - {name: m, type: mood}\n"),
    "domain_default_dropped": (POSITIVE, POSITIVE.replace("default: 1\n", "")),
    "domain_base_type_changed": (POSITIVE, POSITIVE.replace("type: integer", "type: bigint")),
    "domain_renamed": (POSITIVE, POSITIVE.replace("domain: positive\n", "domain: counted\nrenamed_from: positive\n")
                       .replace("type: positive", "type: counted")),
    # `renamed_from: schema.name`: ALTER ... SET SCHEMA (after a rename), its columns and defaults following
    "sequence_and_domain_moved_to_another_schema": (
        SEQUENCE + "---\n" + POSITIVE.replace("type: positive", "type: counted").replace(
            "domain: positive\n", "domain: counted\n") + "---\n" + ORDERS,
        "sequence: order_ids\nschema: sales\nrenamed_from: public.order_numbers\n---\n"
        + POSITIVE.replace("domain: positive\n", "domain: counted\nschema: sales\nrenamed_from: public.counted\n")
        .replace("type: positive}", "type: sales.counted}").replace("type: positive\n", "type: sales.counted\n")
        + "---\n" + ORDERS.replace("nextval('order_numbers')", "nextval('sales.order_ids')")),
    "column_type_changed_to_a_domain": (
        POSITIVE.replace("type: percent}", "type: integer}"), POSITIVE),
}
