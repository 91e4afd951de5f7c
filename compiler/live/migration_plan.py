"""The plan of a migration compiled long ago, recovered without reading its SQL back.

state.json holds only the newest schema, but the migration files are the history (as
rebuild-state uses them): on a throwaway database the files before migration N are run, the
schema introspected, migration N run, the schema introspected again; the diff of the two is
the plan N carried out. Renames are no fact of a catalog: the `renamed_from` hints the
definitions still hold are laid on the later schema, so a rename still declared is found as one
(a hint removed since makes it read as a drop and an addition).
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import StateError
from ..model.schema import Schema, Table
from ..plan.diff import plan
from ..plan.order import Plan
from ..project import Project, sha256
from ..sql.state import MigrationRecord
from .database import connect
from .introspect import introspect
from .run_migration import run_migration
from .throwaway import DevServer, throwaway_database


def find_migration(records: tuple[MigrationRecord, ...], wanted: str) -> MigrationRecord | None:
    """The migration named by its number (`3`, `003`), its name (`add_users_phone`) or its file
    (`003_add_users_phone`, with or without `.sql`)."""
    stem = wanted.removesuffix(".sql")
    for m in records:
        file = m.file.removeprefix("migrations/").removesuffix(".sql")
        if (stem.isdigit() and int(stem) == m.version) or stem in (m.name, file):
            return m
    return None


def _text(project: Project, rel: str, digest: str) -> str:
    path = project.generated / rel
    if not path.is_file():
        raise StateError(f"generated/{rel} is missing")
    data = path.read_bytes()
    if sha256(data) != digest:
        raise StateError(f"generated/{rel} differs from what state.json records (checksum)")
    return data.decode()


def _with_hints(table: Table, hinted: Table | None) -> Table:
    """`table` with the rename hints the definitions give the same table and its columns."""
    if hinted is None:
        return table
    columns = {c.name: c.renamed_from for c in hinted.columns if c.renamed_from}
    return replace(table, renamed_from=hinted.renamed_from,
                   columns=tuple(replace(c, renamed_from=columns.get(c.name)) for c in table.columns))


def migration_plan(project: Project, records: tuple[MigrationRecord, ...], target: MigrationRecord,
                   server: DevServer, hints: Schema) -> Plan:
    """The plan migration `target` carried out, from the schemas before and after it (see above)."""
    earlier = [m for m in records if m.version < target.version]
    texts = [_text(project, m.file, m.sha256) for m in (*earlier, target)]
    with throwaway_database(server, hints.extensions.values()) as url, connect(url) as conn:
        for text in texts[:-1]:
            run_migration(conn, text, url)
        before = introspect(conn)
        run_migration(conn, texts[-1], url)
        after = introspect(conn)
    tables = {key: _with_hints(t, hints.tables.get(key)) for key, t in after.tables.items()}
    return plan(before, replace(after, tables=tables))
