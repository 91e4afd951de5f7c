"""diff: the migration that turns one live database's schema into another's, straight from both catalogs.

No definitions, no state.json, no diagrams: both sides are introspected (each in one snapshot, the
two at once), so both are spelled as PostgreSQL prints them and compare exactly; the changes are
rendered as a migration file that psql or apply can run. What schemac does not manage (views,
functions, inheriting tables...) is left out on both sides, as drift leaves it out.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..definitions.settings import MigrationTimeouts, TableName
from ..model.schema import Schema
from ..model.types import extension_schemas, extension_type_schemas
from ..plan.diff import plan
from ..plan.refusals import destructive_reasons
from ..sql.render import Renderer
from .database import connect
from .introspect import introspect
from .unmanaged import routines_written, unmanaged_notes, unmanaged_tables, without_tables


@dataclass(frozen=True, slots=True)
class DatabaseDiff:
    sql: str  # "" when the schemas are the same
    changes: int
    warnings: list[str]  # what was not compared, and why


def _side(url: str, label: str, migrations_table: TableName) -> tuple[Schema, list[str]]:
    """The managed schema of the database at `url`, and what was left out of it."""
    problems: list[str] = []
    with connect(url) as conn:
        schema = introspect(conn, migrations_table, problems)
        notes, uses = unmanaged_notes(conn)
    left_out = unmanaged_tables(notes, uses, routines_written(schema))
    warnings = [f"{label}: {p}" for p in problems]
    warnings += [f"{label}: {n.text.removesuffix('; skipped')}; not compared" for n in notes if n.skipped]
    return without_tables(schema, left_out), warnings


def _rename_hint(kind: str, old: str, new: str) -> str:
    return f"; it may be the same {kind} as {new} under another name (renaming it would keep the data)"


def diff_databases(from_url: str, to_url: str, migrations_table: TableName,
                   title: str = "schemac diff", timeouts: MigrationTimeouts | None = None) -> DatabaseDiff:
    """The SQL that makes the schema of `from_url` that of `to_url` (both as schemac manages them);
    with `timeouts`, each transaction sets them as a compiled migration does."""
    with ThreadPoolExecutor(2) as pool:  # the two catalogs are read at the same time
        old_side = pool.submit(_side, from_url, "--from", migrations_table)
        new_side = pool.submit(_side, to_url, "--to", migrations_table)
        (old, old_warnings), (new, new_warnings) = old_side.result(), new_side.result()
    planned = plan(old, new)
    changes = planned.changes
    if not changes:
        return DatabaseDiff("", 0, old_warnings + new_warnings)
    notes = [f"DESTRUCTIVE, review before running: {line}" for line in destructive_reasons(changes, _rename_hint)]
    sql = Renderer().migration(title, planned, notes, extension_type_schemas(new.extensions.values()),
                               origin="Made by schemac diff from the catalogs of two databases; review before running.",
                               timeouts=timeouts, extension_schemas=extension_schemas(new.extensions.values()))
    return DatabaseDiff(sql, len(changes), old_warnings + new_warnings)

