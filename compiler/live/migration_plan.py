"""The plan of a migration compiled long ago, recovered without reading its SQL back.

state.json holds only the newest schema, but the migration files are the history (as
rebuild-state uses them): on a throwaway database the files before migration N are run, the
schema introspected, migration N run, the schema introspected again; the diff of the two is
the plan N carried out. Renames are no fact of a catalog: the `renamed_from` hints the
definitions still hold are laid on the later schema, so a rename still declared is found as one
(a hint removed since makes it read as a drop and an addition).

How the file built things is no fact of a catalog either: `concurrently` and `online` are read
from the file's done-when marks (each statement run after the migration's row carries one, see
sql/render.py) and laid on the schemas, so the plan takes the online forms the file took and
its hazards are the ones the file's header lists. A file compiled before the marks reads as
built plainly.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import StateError
from ..model.schema import Schema, Table
from ..plan.diff import plan
from ..plan.order import Plan
from ..project import Project, sha256
from ..sql.migration_file import DoneWhen, segments
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


def _marks(text: str) -> list[DoneWhen]:
    return [d for seg in segments(text) for d in seg.done_when if d is not None]


def _built_as_marked(table: Table, marks: list[DoneWhen], fact: str) -> Table:
    """`table` with `concurrently` / `online` set on what the marks say was built that way:
    `fact` is index_valid (the migration's later schema) or index_absent (its earlier one)."""
    def marked(kind: str, *names: str) -> bool:
        return DoneWhen(kind, (table.schema, *names)) in marks

    return replace(
        table,
        indexes=tuple(replace(i, concurrently=True) if marked(fact, i.name) else i for i in table.indexes),
        columns=tuple(replace(c, online=True) if marked("not_null", table.name, c.name) else c
                      for c in table.columns),
        checks=tuple(replace(k, online=True) if marked("constraint_valid", table.name, k.name) else k
                     for k in table.checks),
        foreign_keys=tuple(replace(f, online=True) if marked("constraint_valid", table.name, f.name) else f
                           for f in table.foreign_keys))


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
    marks = _marks(texts[-1])
    tables = {key: _built_as_marked(_with_hints(t, hints.tables.get(key)), marks, "index_valid")
              for key, t in after.tables.items()}
    earlier_tables = {key: _built_as_marked(t, marks, "index_absent") for key, t in before.tables.items()}
    return plan(replace(before, tables=earlier_tables), replace(after, tables=tables))
