"""rebuild-state: a lost generated/state.json made again from the migration files.

The files are the history: applied in order to a throwaway database, they leave the schema
they add up to, which introspection reads back. PostgreSQL spells what it stores in its own way
(`'active'::user_status`, `(price >= (0)::numeric)`); wherever the definitions hold the very same
object (proven by building them on the same server), the state keeps the definitions' spelling and
order, so it is what compile had written and the next migration is the one it would have been.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import psycopg

from ..definitions.read import read_definitions
from ..errors import DatabaseError, StateError
from ..model.schema import Check, Column, ForeignKey, Index, Schema, Table, Unique
from ..plan.diff import diff
from ..plan.renames import resolve_renames
from ..project import Project, sha256, write_atomically
from ..sql.history import HistoryErrors, HistoryProblem, links_outside
from ..sql.state import MigrationRecord, State, WarehouseRecord, dump_state, load_state
from .database import connect
from .introspect import introspect
from .run_migration import run_migration
from .scratch import canonical_in
from .throwaway import DevServer, make_fresh, throwaway_database

_UP = re.compile(r"(\d+)_(.+)\.sql")
_DOWN = re.compile(r"rollback_(\d+)\.sql")
_Named = TypeVar("_Named", Check, Unique, ForeignKey, Index)
_V = TypeVar("_V")


@dataclass
class Rebuilt:
    state: State
    notes: list[str] = field(default_factory=list)


def rebuild_state(project: Project, server: DevServer, force: bool = False) -> Rebuilt | None:
    """Write state.json from the migration files; None when there are none to rebuild from.

    Refuses (HistoryErrors) when state.json can be read, unless `force`, and when the files do
    not pair up as migrations and rollbacks.
    """
    outside = links_outside(project)
    if outside:
        raise HistoryErrors(outside)
    if not force:
        _refuse_a_readable_state(project)
    records = _records(project)
    if not records:
        return None
    wanted = read_definitions(project)
    extensions = list(wanted.extensions.values())
    with throwaway_database(server, extensions) as url, connect(url) as conn:
        # the definitions built fresh first, then the same database emptied for the history
        proven = _proven(conn, url, wanted)
        make_fresh(conn, url, server, extensions)
        for m in records:
            try:
                run_migration(conn, (project.generated / m.file).read_text(encoding="utf-8"), url)
            except DatabaseError as e:
                raise DatabaseError(f"generated/{m.file}: {e}") from None
        built = introspect(conn)
    notes: list[str] = []
    schema = _with_spelling_of_definitions(built, wanted, proven, notes)
    rebuilt = Rebuilt(State(schema, tuple(records), _warehouse_records(project)), notes)
    write_atomically(project.state_file, dump_state(rebuilt.state))
    return rebuilt


def _refuse_a_readable_state(project: Project) -> None:
    raw = project.read_state_bytes()
    if raw is None:
        return
    try:
        load_state(raw)
    except StateError:
        return  # damaged: replacing it is the point
    raise HistoryErrors([HistoryProblem(
        "generated/state.json", "exists and can be read; rebuild-state replaces it only with --force "
        "(it then records every migration file as it is now)")])


def _records(project: Project) -> list[MigrationRecord]:
    """One record per migration file with its rollback, by version; HistoryErrors for files that do not pair."""
    ups: dict[int, list[Path]] = {}
    downs: dict[int, Path] = {}
    problems = []
    files = sorted(project.migrations.glob("*.sql")) if project.migrations.is_dir() else []
    for f in files:
        if m := _DOWN.fullmatch(f.name):
            downs[int(m[1])] = f
        elif m := _UP.fullmatch(f.name):
            ups.setdefault(int(m[1]), []).append(f)
        else:
            problems.append(HistoryProblem(f"generated/migrations/{f.name}", "is neither a migration "
                                           "(NNN_name.sql) nor a rollback (rollback_NNN.sql); move it away"))
    for version, found in sorted(ups.items()):
        if len(found) > 1:
            problems += [HistoryProblem(f"generated/migrations/{f.name}", f"is one of {len(found)} migrations "
                                        f"numbered {version}; keep one") for f in found]
        if version not in downs:
            problems.append(HistoryProblem(f"generated/migrations/{found[0].name}", f"has no rollback "
                                           f"(rollback_{version:03d}.sql); restore it with 'git checkout generated/'"))
    problems += [HistoryProblem(f"generated/migrations/{f.name}", "is the rollback of no migration; "
                                "restore the migration with 'git checkout generated/' or move it away")
                 for version, f in sorted(downs.items()) if version not in ups]
    if problems:
        raise HistoryErrors(problems)
    out = []
    for version, (up,) in sorted(ups.items()):
        down = downs[version]
        name = _UP.fullmatch(up.name)[2]  # type: ignore[index]
        out.append(MigrationRecord(version, name, f"migrations/{up.name}", sha256(up.read_bytes()),
                                   f"migrations/{down.name}", sha256(down.read_bytes())))
    return out


def _warehouse_records(project: Project) -> tuple[WarehouseRecord, ...]:
    """The BigQuery migrations there are, as they are now, by version (their warehouse keys are the
    definitions': BigQuery SQL is never read back)."""
    folder = project.generated / "warehouse" / "bigquery" / "migrations"
    found = sorted((int(m[1]), f) for f in folder.glob("*.sql") if (m := _UP.fullmatch(f.name))) \
        if folder.is_dir() else []
    return tuple(WarehouseRecord(version, f.relative_to(project.generated).as_posix(), sha256(f.read_bytes()))
                 for version, f in found)


def _proven(conn: psycopg.Connection, url: str, wanted: Schema) -> Schema:
    """The definitions as PostgreSQL holds them: needed to keep their spelling in state.json."""
    try:
        return canonical_in(conn, url, wanted)
    except DatabaseError as e:
        raise DatabaseError(f"the definitions cannot be built on the server, and rebuild-state needs them to spell "
                            f"state.json as compile writes it: {e}") from None


def _with_spelling_of_definitions(built: Schema, wanted: Schema, proven: Schema, notes: list[str]) -> Schema:
    """`built`, with each object the definitions hold identically taken as the definitions write it."""
    if not diff(proven, built):
        return wanted  # the definitions are the last migration's schema: exactly what compile wrote
    notes.append("the definitions differ from the last migration (changes not compiled yet); what they "
                 "change is spelled in state.json as PostgreSQL prints it")
    renames = resolve_renames(built, wanted)
    tables = {k: _respelled(t, wanted.tables.get(renames.table(k)), proven.tables.get(renames.table(k)))
              for k, t in built.tables.items()}
    enums = {k: wanted.enums.get(k, e) if proven.enums.get(k) == e else e for k, e in built.enums.items()}
    # routines and triggers as the definitions write them where PostgreSQL holds them the same
    routines = {k: wanted.routines[k] if proven.routines.get(k) == r else r for k, r in built.routines.items()}
    triggers = {k: wanted.triggers[k] if proven.triggers.get(k) == t else t for k, t in built.triggers.items()}
    views = {k: wanted.views.get(k, v) if proven.views.get(k) == v else v for k, v in built.views.items()}
    sequences = {k: wanted.sequences.get(k, q) if proven.sequences.get(k) == q else q
                 for k, q in built.sequences.items()}
    domains = {k: wanted.domains.get(k, d) if proven.domains.get(k) == d else d for k, d in built.domains.items()}
    return Schema(_ordered_like(tables, wanted.tables), _ordered_like(enums, wanted.enums), built.extensions,
                  dict(sorted(routines.items())), dict(sorted(triggers.items())), _ordered_like(views, wanted.views),
                  built.namespaces, sequences=_ordered_like(sequences, wanted.sequences),
                  domains=_ordered_like(domains, wanted.domains))


def _respelled(built: Table, wanted: Table | None, proven: Table | None) -> Table:
    """The definitions' table where PostgreSQL holds it the same, element by element."""
    if wanted is None or proven is None:
        return built
    if proven == built:
        return wanted
    if proven.name != built.name:  # renamed in the definitions, not compiled yet: the state keeps the old name
        return replace(_respelled(built, replace(wanted, name=built.name), replace(proven, name=built.name)),
                       name=built.name)
    columns = {c.name: _column(c, wanted.column(c.name), proven.column(c.name)) for c in built.columns}
    return replace(
        built,
        columns=tuple(_ordered_like(columns, {c.name: c for c in wanted.columns}).values()),
        checks=_elements(built.checks, wanted.checks, proven.checks),
        uniques=_elements(built.uniques, wanted.uniques, proven.uniques),
        foreign_keys=_elements(built.foreign_keys, wanted.foreign_keys, proven.foreign_keys),
        indexes=_elements(built.indexes, wanted.indexes, proven.indexes))


def _column(built: Column, wanted: Column | None, proven: Column | None) -> Column:
    """A column that differs (a change not compiled yet) keeps the definitions' spelling of the
    expressions PostgreSQL holds the same."""
    if wanted is None or proven is None:
        return built
    if proven == built:
        return wanted
    default = wanted.default if proven.default == built.default else built.default
    generated = wanted.generated if proven.generated == built.generated else built.generated
    return replace(built, default=default, generated=generated)


def _same_or(built: _Named, wanted: _Named | None, proven: _Named | None) -> _Named:
    return wanted if wanted is not None and proven == built else built


def _elements(built: tuple[_Named, ...], wanted: tuple[_Named, ...], proven: tuple[_Named, ...]) -> tuple[_Named, ...]:
    """Constraints or indexes, by name: the definitions' where PostgreSQL holds the same, in their order."""
    by_name = {e.name: e for e in wanted}
    proven_by_name = {e.name: e for e in proven}
    out = {e.name: _same_or(e, by_name.get(e.name), proven_by_name.get(e.name)) for e in built}
    return tuple(_ordered_like(out, by_name).values())


def _ordered_like(items: dict[str, _V], reference: Mapping[str, object]) -> dict[str, _V]:
    """`items` in the order of `reference`'s keys; keys it lacks after them, as they were."""
    position = {k: i for i, k in enumerate(reference)}
    return dict(sorted(items.items(), key=lambda kv: position.get(kv[0], len(position))))
