"""Before/after pairs of definitions for partitioned tables, one per kind of change they bring
(shared, through change_cases.CASES, by the snapshot and database round-trip tests)."""
from __future__ import annotations

import textwrap


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# range over two columns with MINVALUE / MAXVALUE, a key, a unique constraint, an index, comments
READINGS = d("""
    table: readings
    comment: Sensor readings, by site and day.
    columns:
      - {name: site, type: integer, nullable: false}
      - {name: taken_on, type: date, nullable: false}
      - {name: id, type: bigint, nullable: false}
      - {name: value, type: "numeric(10,2)"}
    primary_key: [site, taken_on, id]
    unique:
      - [id, site, taken_on]
    indexes:
      - {columns: [value]}
    checks:
      - {name: value_positive, expression: "value >= 0"}
    partition_by: {method: range, columns: [site, taken_on]}
    partitions:
      - {name: readings_low, from: [MINVALUE, MINVALUE], to: [10, 2024-01-01], comment: Sites below ten.}
      - {name: readings_mid, from: [10, 2024-01-01], to: [100, MAXVALUE]}
    """)

# list with NULL and a DEFAULT partition, the key a column
EVENTS = d("""
    ---
    table: events
    columns:
      - {name: region, type: text}
      - {name: body, type: text}
    partition_by: {method: list, columns: [region]}
    partitions:
      - {name: events_eu, in: [eu, null]}
      - {name: events_us, in: [us, "it's"]}
      - {name: events_other, default: true}
    """)

# hash, four ways, with a foreign key to a partitioned table and one from a plain table to it
ACCOUNTS = d("""
    ---
    table: accounts
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: site, type: integer}
      - {name: taken_on, type: date}
      - {name: reading, type: bigint}
    foreign_keys:
      - {columns: [site, taken_on, reading], references: {table: readings, columns: [site, taken_on, id]}}
    partition_by: {method: hash, columns: [id]}
    partitions:
      - {name: accounts_0, modulus: 4, remainder: 0}
      - {name: accounts_1, modulus: 4, remainder: 1}
      - {name: accounts_2, modulus: 4, remainder: 2}
      - {name: accounts_3, modulus: 4, remainder: 3}
    ---
    table: payments
    columns:
      - {name: account, type: bigint, references: accounts.id}
    """)

# an expression key with its collation and operator class; a partition partitioned again
NAMES = d("""
    ---
    table: names
    columns:
      - {name: name, type: text}
      - {name: n, type: integer}
    partition_by: {method: range, columns: [{expression: "lower(name)", collation: C, opclass: text_pattern_ops}]}
    partitions:
      - {name: names_a_m, from: [MINVALUE], to: [n]}
      - name: names_n_z
        from: [n]
        to: [MAXVALUE]
        partition_by: {method: list, columns: [n]}
        partitions:
          - {name: names_n_z_small, in: [1, 2, 3]}
          - {name: names_n_z_rest, default: true}
    """)

LOGS = d("""
    table: logs
    columns:
      - {name: id, type: bigint, nullable: false}
      - {name: at, type: date, nullable: false}
    primary_key: [id, at]
    partition_by: {method: range, columns: [at]}
    partitions:
      - {name: logs_2024, from: [2024-01-01], to: [2025-01-01]}
    """)
LOG_LINKS = d("""
    ---
    table: log_links
    columns:
      - {name: log, type: bigint}
      - {name: at, type: date}
    foreign_keys:
      - {columns: [log, at], references: {table: logs, columns: [id, at]}}
    """)

# partitions of partitions, for an index built online (plan/online_partitions.py)
SITES = d("""
    table: visits
    columns:
      - {name: site, type: integer}
      - {name: at, type: date}
    partition_by: {method: list, columns: [site]}
    partitions:
      - {name: visits_1, in: [1]}
      - {name: visits_2, in: [2], partition_by: {method: range, columns: [at]},
         partitions: [{name: visits_2_old, from: [MINVALUE], to: [2024-01-01]},
                      {name: visits_2_new, from: [2024-01-01], to: [MAXVALUE]}]}
    """)

PARTITION_CASES: dict[str, tuple[str, str]] = {
    # ON ONLY on the parent and the partitioned partition, each leaf's CONCURRENTLY, then ATTACH bottom up;
    # the rollback drops it plainly (PostgreSQL drops no partitioned index concurrently)
    "index_built_online_on_a_partitioned_table": (SITES, SITES + "indexes:\n  - {columns: [at, site], "
                                                                 "concurrently: true, comment: By day.}\n"),
    "partitioned_tables_created": ("", READINGS + EVENTS + ACCOUNTS + NAMES),
    # a partition added beside a DEFAULT one (which PostgreSQL reads), another where there is none
    "partitions_added": (
        LOGS + EVENTS,
        LOGS + "  - {name: logs_2025, from: [2025-01-01], to: [2026-01-01], comment: Next year.}\n"
        + EVENTS + "  - {name: events_asia, in: [asia]}\n"),
    "partition_bounds_changed": (LOGS, LOGS.replace("to: [2025-01-01]", "to: [2026-01-01]")),
    "partition_comment_changed": (LOGS, LOGS.replace("to: [2025-01-01]}", "to: [2025-01-01], comment: A year.}")),
    # a new key: the table is dropped and created again, the foreign key of another table around it
    "partition_key_changed": (LOGS + LOG_LINKS, LOGS.replace("columns: [at]}", "columns: [id, at]}").replace(
        "from: [2024-01-01], to: [2025-01-01]", "from: [0, 2024-01-01], to: [1000000, 2025-01-01]")
                              + LOG_LINKS),
    "table_partitioned": (LOGS.split("partition_by")[0], LOGS),
    # a rename of the table and of its key column: PostgreSQL's key and partitions follow both
    "partitioned_table_renamed": (LOGS, LOGS.replace("table: logs", "table: journal\nrenamed_from: logs").replace(
        "{name: at, type: date, nullable: false}", "{name: day, type: date, nullable: false, renamed_from: at}").replace(
        "[id, at]", "[id, day]").replace("columns: [at]", "columns: [day]")),
    # what a table has is changed on the partitioned parent; PostgreSQL carries it to the partitions
    "partitioned_table_altered": (
        LOGS,
        LOGS.replace("  - {name: at, type: date, nullable: false}\n",
                     "  - {name: at, type: date, nullable: false}\n  - {name: note, type: text, comment: Why.}\n")
        + "indexes:\n  - {columns: [note]}\ncomment: Logs.\n"),
}
