"""compile, compile --check and plan: definitions and state in, the next migration out."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from . import changes as ch
from .build import build_schema
from .chartdb import diagram_files, table_folders
from .diff import diff
from .errors import DefinitionError, DefinitionErrors, StateError
from .history import HistoryErrors, inspect_history, links_outside, read_history, remove_leftovers
from .load import load_project
from .model import Schema
from .project import Project, auto_name, migration_file, rollback_file, slug, write_atomically, write_set
from .render import Renderer
from .state import MigrationRecord, State, dump_state, sha256
from .types import extension_type_schemas


@dataclass
class CompileResult:
    """What a compile would write; empty `files` when nothing changed."""

    state: State
    changes: list[ch.Change]
    files: dict[str, bytes] = field(default_factory=dict)  # relative to generated/
    record: MigrationRecord | None = None
    up_sql: str = ""
    refused: list[str] = field(default_factory=list)
    diagrams: dict[str, bytes] = field(default_factory=dict)  # chartdb/... and schema.md, from the definitions
    notes: list[str] = field(default_factory=list)  # what the migration's header tells a reviewer
    leftovers: list[str] = field(default_factory=list)  # of an interrupted compile, removed before writing


def read_definitions(project: Project) -> Schema:
    """The schema the definitions describe; DefinitionErrors lists every problem."""
    return read_definitions_and_folders(project)[0]


def read_definitions_and_folders(project: Project) -> tuple[Schema, dict[str, str]]:
    """The schema, and the folder of definitions/ each table came from (for diagram areas)."""
    errors: list[DefinitionError] = []
    docs = load_project(project.root, errors)
    return build_schema(docs, errors), table_folders(docs)


def project_diagrams(project: Project) -> dict[str, bytes]:
    """The ChartDB files and schema.md the definitions give, by path relative to generated/."""
    return diagram_files(*read_definitions_and_folders(project))


def stale_diagrams(project: Project, diagrams: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """Diagram files missing or different on disk, and table files of tables that are gone."""
    stale = []
    for rel, data in diagrams.items():
        path = project.generated / rel
        if not path.is_file() or path.read_bytes() != data:
            stale.append(rel)
    return stale, _table_files_of_no_table(project, diagrams)


def _table_files_of_no_table(project: Project, diagrams: dict[str, bytes]) -> list[str]:
    folder = project.generated / "chartdb" / "schemas"
    if not folder.is_dir():
        return []
    return sorted(f"chartdb/schemas/{f.name}" for f in folder.glob("*.json")
                  if f"chartdb/schemas/{f.name}" not in diagrams)


def write_diagrams(project: Project, diagrams: dict[str, bytes]) -> list[str]:
    """Bring the diagram files up to date; the paths written or removed (none when current)."""
    outside = links_outside(project)
    if outside:
        raise HistoryErrors(outside)
    stale, extra = stale_diagrams(project, diagrams)
    for rel in stale:
        write_atomically(project.generated / rel, diagrams[rel], durable=False)
    for rel in extra:
        (project.generated / rel).unlink()
    if stale or extra:
        os.sync()  # one flush for the set, as write_set does
    return stale + extra


def renamed_from_hint(kind: str, old: str, new: str) -> str:
    """compile's hint where a drop and an addition look like a rename the definitions did not declare."""
    was = "it" if kind == "table" else old
    return f"; if {was} was renamed to {new}, add 'renamed_from: {old}' to {kind} {new}"


def rename_twins(changes: list[ch.Change]) -> dict[str, tuple[str, str]]:
    """subject of a dropped column or table -> (kind, name) of one added beside it that may be the
    same thing renamed: a column of the same type in the same table, a table created in the schema."""
    # a column dropped and added under one name is recreated (a generated column's expression), no rename
    dropped = {c.subject for c in changes if isinstance(c, ch.DropColumn)}
    recreated = dropped & {c.subject for c in changes if isinstance(c, ch.AddColumn)}
    added = {(c.schema, c.table, c.definition.type): c.definition.name for c in changes
             if isinstance(c, ch.AddColumn) and c.subject not in recreated}
    created = {c.table.schema: c.table.name for c in changes if isinstance(c, ch.CreateTable)}
    out = {}
    for c in changes:
        if isinstance(c, ch.DropColumn) and c.subject not in recreated and (
                column := added.get((c.schema, c.table, c.definition.type))):
            out[c.subject] = ("column", column)
        elif isinstance(c, ch.DropTable) and (table := created.get(c.table.schema)):
            out[c.subject] = ("table", table)
    return out


def destructive_reasons(changes: list[ch.Change],
                        hint: Callable[[str, str, str], str] = renamed_from_hint) -> list[str]:
    """One line per destructive change, with a rename hint (`hint(kind, old, new)`) where a drop looks like one."""
    twins = rename_twins(changes)
    out = []
    for c in changes:
        if not c.destructive:
            continue
        twin = twins.get(c.subject)
        if isinstance(c, ch.DropColumn):
            line = f"drop column {c.subject} ({c.definition.type}): its data is lost"
            if twin:
                line += hint("column", c.definition.name, twin[1])
        elif isinstance(c, ch.DropTable):
            line = f"drop table {c.subject}: its rows are lost"
            if twin:
                line += hint("table", c.table.name, twin[1])
        elif isinstance(c, ch.DropEnum):
            if c.replaced_by is not None and c.removed_values:
                name = c.replaced_by.name
                line = f"remove value(s) {', '.join(c.removed_values)} from enum {name}: rows using them fail"
            elif c.replaced_by is not None:
                line = (f"reorder the values of enum {c.replaced_by.name}: every column of the type is "
                        f"rewritten and sorts differently")
            else:
                line = f"drop enum {c.subject}"
        elif isinstance(c, ch.AlterColumnType):
            line = f"narrow column {c.subject} from {c.old_type} to {c.new_type}: values may be cut or refused"
        else:
            line = f"{c.kind} {c.subject}"
        out.append(line)
    return out


def appended_column_notes(changes: list[ch.Change], new: Schema) -> list[str]:
    """One line per column added to an existing table before columns it already has: PostgreSQL
    appends it, so the table's column order differs from the definitions' (and from a fresh build)."""
    added: dict[str, set[str]] = {}
    for c in changes:
        if isinstance(c, ch.AddColumn):
            added.setdefault(f"{c.schema}.{c.table}", set()).add(c.definition.name)
    out = []
    for key, names in added.items():
        table = new.tables[key]
        order = [col.name for col in table.columns]
        for i, name in enumerate(order):
            if name in names and any(later not in names for later in order[i + 1:]):
                label = table.name if table.schema == "public" else key
                out.append(f"{label}.{name} is added at the end of the table; "
                           f"PostgreSQL cannot insert a column in the middle")
    return out


def compile_project(project: Project, name: str | None = None, allow_destructive: bool = False,
                    diagrams: bool = True, planning: bool = False) -> CompileResult:
    """Diff the definitions against state.json and render the next migration and its rollback.

    With `diagrams`, the ChartDB files and schema.md of the same Schema are made too, and are
    part of `files` when there is a migration to write. `planning` (plan) renders destructive
    changes too, noted as what compile refuses without --allow-destructive.
    """
    history = read_history(project)
    new, folders = read_definitions_and_folders(project)
    state = history.state
    changes = diff(state.schema, new)
    result = CompileResult(state, changes, leftovers=history.leftovers)
    if diagrams:
        result.diagrams = diagram_files(new, folders)
    if not changes:
        return result
    if not allow_destructive:
        result.refused = destructive_reasons(changes)
        if result.refused:
            return result
    version = state.next_version
    first = not state.migrations
    mname = slug(name) if name else auto_name(changes, first and not state.schema.tables)
    up_file, down_file = migration_file(version, mname), rollback_file(version)
    renderer = Renderer(project.root)
    why = "compile refuses it without --allow-destructive" if planning else "compiled with --allow-destructive"
    notes = [f"destructive ({why}): {line}" for line in destructive_reasons(changes)]
    notes += appended_column_notes(changes, new)
    up = renderer.migration(f"{up_file.split('/')[-1][:-4]}: up", changes, notes,
                            extension_type_schemas(new.extensions.values()))
    back = diff(new, state.schema)
    down = renderer.migration(f"rollback_{version:03d}: restores the schema as before "
                              f"{up_file.split('/')[-1][:-4]}", back, appended_column_notes(back, state.schema),
                              extension_type_schemas(state.schema.extensions.values()))
    record = MigrationRecord(version, mname, up_file, sha256(up.encode()), down_file, sha256(down.encode()))
    new_state = State(new, state.migrations + (record,))
    result.files = {up_file: up.encode(), down_file: down.encode(), **result.diagrams,
                    "state.json": dump_state(new_state)}
    result.record, result.up_sql, result.notes = record, up, notes
    return result


def write_result(project: Project, result: CompileResult) -> None:
    clear_leftovers(project, result)
    files = result.files
    if result.diagrams:
        # A diagram file already as it should be is not rewritten (a small change to a large
        # schema touches a few of its thousand table files); table files of dropped tables go
        # before the new state is current.
        stale, extra = stale_diagrams(project, result.diagrams)
        current = set(result.diagrams) - set(stale)
        files = {rel: data for rel, data in files.items() if rel not in current}
        for rel in extra:
            (project.generated / rel).unlink()
    write_set(project, files, "state.json")


def clear_leftovers(project: Project, result: CompileResult) -> list[str]:
    """Remove what an interrupted compile left behind (found by read_history); the paths removed."""
    removed = remove_leftovers(project, result.leftovers)
    result.leftovers = []
    return removed


def check_project(project: Project) -> list[str]:
    """Why generated/ is not what compile would make; empty when it is up to date."""
    history = inspect_history(project)
    state = history.state
    new, folders = read_definitions_and_folders(project)
    pending = diff(state.schema, new)
    problems: list[str] = []
    if pending and not history.problems:  # else compile refuses, and the problems say what to do first
        problems.append(f"definitions have {len(pending)} change(s) not compiled yet; run 'schemac compile'")
    problems += [p.stale for p in history.problems]
    problems += [f"generated/{rel} is a leftover of an interrupted compile; the next 'schemac compile' removes it"
                 for rel in history.leftovers]
    if state.migrations or pending:  # a project never compiled has no diagrams to be stale
        stale, extra = stale_diagrams(project, diagram_files(new, folders))
        remedy = "'schemac chartdb'" if history.problems else "'schemac compile' or 'schemac chartdb'"
        problems += [f"generated/{rel} is {'missing' if not (project.generated / rel).is_file() else 'out of date'}"
                     f"; run {remedy}" for rel in stale]
        problems += [f"generated/{rel} belongs to no table; run 'schemac chartdb'" for rel in extra]
    return problems


def refresh_diagrams(project: Project, result: CompileResult) -> list[str]:
    """With no migration to write, rewrite only stale diagram files (first run after an upgrade,
    a hand edit, a definitions change that is no schema change); the paths written or removed."""
    if result.changes or not result.state.migrations or not result.diagrams:
        return []
    return write_diagrams(project, result.diagrams)


__all__ = ["CompileResult", "DefinitionErrors", "HistoryErrors", "StateError", "check_project", "clear_leftovers",
           "compile_project", "project_diagrams", "read_definitions", "refresh_diagrams", "write_diagrams",
           "write_result"]
