"""The names of the hazards a change can bring, what each means, and the advice when a change
kind knows no better: one tuple, `HAZARDS`, that the definitions reader (`allow:`), lint's
`--allow`, the README and the JSON Schema all list.

Which change brings which hazard is plan/hazards.py's; what an acknowledgement is keyed by
(`Scope`) is here, because definitions read `allow:` before any plan exists.
"""
from __future__ import annotations

# The hazard names, as `allow:` and `--allow` take them (snake_case, like every definition key).
LOCK, REWRITE, DATA_LOSS, FAILS_ON_ROWS, BREAKS_CODE = "lock", "rewrite", "data_loss", "fails_on_rows", "breaks_code"
HAZARDS: tuple[str, ...] = (LOCK, REWRITE, DATA_LOSS, FAILS_ON_ROWS, BREAKS_CODE)

# what each hazard means, for README, lint's --help and the JSON Schema's descriptions
MEANING = {
    LOCK: "reads every row of a table already there (to build an index or check a constraint) while holding "
          "a lock that blocks its writes, or its reads and writes: time grows with the table",
    REWRITE: "rewrites every row of the table and its indexes under an ACCESS EXCLUSIVE lock: reads and "
             "writes wait, and the disk needs room for a second copy",
    DATA_LOSS: "deletes data (a table, a column, enum values) or may cut values short",
    FAILS_ON_ROWS: "can fail on rows already in the table (NULLs, duplicates, values a check, a key or the "
                   "new type refuses), which rolls the migration back",
    BREAKS_CODE: "breaks application code still running against the old schema (a table or column it uses "
                 "is dropped or renamed)",
}
# what to do about each hazard when the change kind knows no better
ADVICE = {
    LOCK: "run it when the table is quiet, or acknowledge with allow: [lock]",
    REWRITE: "add a new column, backfill it in batches, switch the application, drop the old one",
    DATA_LOSS: "back the data up first",
    FAILS_ON_ROWS: "check the existing rows first (the migration stops at the first bad one)",
    BREAKS_CODE: "deploy code that no longer uses it first (expand, then contract)",
}


# The object an acknowledgement stands on, as lint looks changes up:
#   ("table", "schema.table")  ("column", "schema.table", column)  ("object", "schema.table", name)
#   ("enum", "schema.enum")
Scope = tuple[str, ...]
